import datetime as dt
import io

import openpyxl
import pytest
from django.urls import reverse

from satgas.elections.models import Election
from satgas.personnel.tests.factories import PersonFactory, UnitFactory
from satgas.socialization.selectors import attendance_coverage_by_unit

from .factories import AttendanceFactory, SessionFactory


def _election(name, year):
    return Election.objects.create(
        name=name,
        kind="GENERAL",
        voting_day=dt.date(year, 2, 14),
        starts_on=dt.date(year - 1, 1, 1),
        ends_on=dt.date(year, 12, 31),
    )


@pytest.fixture
def scene(unit_a, unit_b):
    """Unit A: 4 active (2 attended, one of them twice) + 1 retired who attended. Unit B: 2 active, 1 attended
    only a session of another election."""
    pemilu, pilkada = _election("Pemilu 2024", 2024), _election("Pilkada 2024", 2025)
    s1 = SessionFactory(units=[unit_a], election=pemilu)
    s2 = SessionFactory(units=[unit_a], election=pemilu)
    s3 = SessionFactory(units=[unit_b], election=pilkada)
    a = [PersonFactory(unit=unit_a, full_name=f"A{i}") for i in range(4)]
    retired = PersonFactory(unit=unit_a, status="RETIRED")
    b = [PersonFactory(unit=unit_b, full_name=f"B{i}") for i in range(2)]
    AttendanceFactory(session=s1, person=a[0])
    AttendanceFactory(session=s2, person=a[0])  # twice: counts once
    AttendanceFactory(session=s2, person=a[1])
    AttendanceFactory(session=s1, person=retired)  # not active: not counted
    AttendanceFactory(session=s3, person=b[0])
    return {"pemilu": pemilu, "pilkada": pilkada, "a": a, "b": b, "retired": retired}


def test_coverage_counts_distinct_active_people_in_one_query(scene, unit_a, unit_b, django_assert_num_queries):
    empty = UnitFactory(code="EMPTY")
    with django_assert_num_queries(1):
        counts = attendance_coverage_by_unit(unit_ids=[unit_a.pk, unit_b.pk, empty.pk])
    assert counts == {unit_a.pk: 2, unit_b.pk: 1, empty.pk: 0}


def test_coverage_by_election(scene, unit_a, unit_b):
    assert attendance_coverage_by_unit(unit_ids=[unit_a.pk, unit_b.pk], election=scene["pemilu"]) == {
        unit_a.pk: 2,
        unit_b.pk: 0,
    }
    assert attendance_coverage_by_unit(unit_ids=[unit_a.pk, unit_b.pk], election=scene["pilkada"].pk) == {
        unit_a.pk: 0,
        unit_b.pk: 1,
    }
    assert attendance_coverage_by_unit(unit_ids=[]) == {}


def test_a_person_counts_for_the_unit_they_are_in_now(scene, unit_a, unit_b):
    moved = scene["a"][0]
    moved.unit = unit_b
    moved.save()
    assert attendance_coverage_by_unit(unit_ids=[unit_a.pk, unit_b.pk]) == {unit_a.pk: 1, unit_b.pk: 2}


def test_coverage_page_rows_and_totals(client, admin_user, scene, unit_a, unit_b):
    client.force_login(admin_user)
    response = client.get(reverse("socialization:coverage"))
    rows = {r.unit.pk: (r.active, r.attended, r.missing, r.percent) for r in response.context["rows"]}
    assert rows[unit_a.pk] == (4, 2, 2, 50.0)
    assert rows[unit_b.pk] == (2, 1, 1, 50.0)
    total = response.context["total"]
    assert (total.active, total.attended) == (
        sum(r[0] for r in rows.values()),
        sum(r[1] for r in rows.values()),
    )
    filtered = client.get(reverse("socialization:coverage"), {"election": scene["pemilu"].pk})
    assert {r.unit.pk: r.attended for r in filtered.context["rows"]}[unit_b.pk] == 0


def test_taskforce_coverage_shows_only_own_units(client, taskforce_a, scene, unit_a):
    client.force_login(taskforce_a)
    rows = client.get(reverse("socialization:coverage")).context["rows"]
    assert [r.unit.pk for r in rows] == [unit_a.pk]
    # taskforce_a's own person record is one more active employee of unit A
    assert (rows[0].active, rows[0].attended) == (5, 2)


def test_unit_page_lists_who_has_not_attended(client, admin_user, scene, unit_a):
    client.force_login(admin_user)
    response = client.get(reverse("socialization:coverage_unit", args=[unit_a.pk]))
    names = [p.full_name for p in response.context["page"]]
    assert names == ["A2", "A3"]
    assert (response.context["attended"], response.context["active"]) == (2, 4)
    by_pilkada = client.get(reverse("socialization:coverage_unit", args=[unit_a.pk]), {"election": scene["pilkada"].pk})
    assert [p.full_name for p in by_pilkada.context["page"]] == ["A0", "A1", "A2", "A3"]


def test_unit_page_is_paginated(client, admin_user, unit_a, settings):
    settings.SATGAS_PAGE_SIZE = 5
    for i in range(12):
        PersonFactory(unit=unit_a, full_name=f"P{i:02d}")
    client.force_login(admin_user)
    page3 = client.get(reverse("socialization:coverage_unit", args=[unit_a.pk]), {"page": 3}).context["page"]
    assert page3.paginator.count == 12 and [p.full_name for p in page3] == ["P10", "P11"]


def test_export_of_those_not_attended(client, admin_user, scene, unit_a):
    client.force_login(admin_user)
    response = client.get(
        reverse("socialization:coverage_unit_export", args=[unit_a.pk]), {"election": scene["pemilu"].pk}
    )
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("nama", "jenis_pegawai", "nip")
    assert [r[0] for r in rows[1:]] == ["A2", "A3"]
    assert rows[1][2] == scene["a"][2].nip and isinstance(rows[1][2], str)
