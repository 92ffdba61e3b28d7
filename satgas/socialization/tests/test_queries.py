"""Adding rows never adds queries: the same bound with 3 and with 30 rows."""

import pytest
from django.urls import reverse

from satgas.personnel.tests.factories import PersonFactory, UnitFactory
from satgas.socialization import services

from .factories import AttendanceFactory, SessionFactory, pdf_upload


@pytest.mark.parametrize("rows", [3, 30])
def test_session_list_queries_are_flat(client, admin_user, unit_a, unit_b, rows, django_assert_max_num_queries):
    for _ in range(rows):
        session = SessionFactory(units=[unit_a, unit_b])
        AttendanceFactory(session=session, person=PersonFactory(unit=unit_a))
    client.force_login(admin_user)
    # session, user, roles, count, page, units prefetch, unit and election filter choices
    with django_assert_max_num_queries(8):
        response = client.get(reverse("socialization:session_list"))
    assert len(response.context["page"]) == min(rows, 25)


@pytest.mark.parametrize("rows", [3, 30])
def test_session_list_for_taskforce_is_flat(client, taskforce_a, unit_a, rows, django_assert_max_num_queries):
    for _ in range(rows):
        SessionFactory(units=[unit_a])
    client.force_login(taskforce_a)
    # as above + the user's own unit and task-force memberships (roles) + checking the chosen unit filter
    with django_assert_max_num_queries(11):
        response = client.get(reverse("socialization:session_list"), {"unit": unit_a.pk})
    assert response.context["page"].paginator.count == rows


@pytest.mark.parametrize("rows", [3, 30])
def test_session_detail_queries_are_flat(client, admin_user, unit_a, unit_b, rows, django_assert_max_num_queries):
    session = SessionFactory(units=[unit_a, unit_b])
    for i in range(rows):
        AttendanceFactory(session=session, person=PersonFactory(unit=unit_a if i % 2 else unit_b))
    for _ in range(min(rows, 5)):
        services.material_upload(actor=admin_user, session=session, upload=pdf_upload())
    client.force_login(admin_user)
    # session, user, roles, session + election + creator, units, materials, attendance count + page
    with django_assert_max_num_queries(8):
        response = client.get(reverse("socialization:session_detail", args=[session.pk]))
    assert response.context["attendance_page"].paginator.count == rows


@pytest.mark.parametrize("rows", [3, 30])
def test_staff_detail_queries_are_flat(client, staff_a, unit_a, rows, django_assert_max_num_queries):
    session = SessionFactory(units=[unit_a])
    for _ in range(rows):
        AttendanceFactory(session=session, person=PersonFactory(unit=unit_a))
    client.force_login(staff_a)
    # session, user, roles (3: assignments, own unit, task-force memberships), session, units, materials,
    # own attendance
    with django_assert_max_num_queries(9):
        response = client.get(reverse("socialization:session_detail", args=[session.pk]))
    assert response.context["own_attended"] is False


@pytest.mark.parametrize("rows", [3, 30])
def test_pick_page_queries_are_flat(client, taskforce_a, unit_a, rows, django_assert_max_num_queries):
    session = SessionFactory(units=[unit_a])
    people = [PersonFactory(unit=unit_a) for _ in range(rows)]
    for person in people[::2]:
        AttendanceFactory(session=session, person=person)
    client.force_login(taskforce_a)
    # session, user, roles (3), session, units, people, ids already recorded
    with django_assert_max_num_queries(9):
        response = client.get(reverse("socialization:attendance_pick", args=[session.pk]))
    assert len(response.context["persons"]) == rows + 1  # + taskforce_a's own record


@pytest.mark.parametrize("rows", [3, 30])
def test_coverage_queries_are_flat(client, admin_user, region, rows, django_assert_max_num_queries):
    session = SessionFactory()
    units = [UnitFactory(parent=region) for _ in range(rows)]
    session.units.set(units)
    for unit in units:
        attended, _absent = PersonFactory(unit=unit), PersonFactory(unit=unit)
        AttendanceFactory(session=session, person=attended)
    client.force_login(admin_user)
    # session, user, roles, units with head counts, coverage aggregate, election choices
    with django_assert_max_num_queries(6):
        response = client.get(reverse("socialization:coverage"))
    assert len(response.context["rows"]) == rows
    assert all(row.percent == 50.0 for row in response.context["rows"])


@pytest.mark.parametrize("rows", [3, 30])
def test_coverage_unit_queries_are_flat(client, admin_user, unit_a, rows, django_assert_max_num_queries):
    for _ in range(rows):
        PersonFactory(unit=unit_a)
    client.force_login(admin_user)
    # session, user, roles, unit, count, page, attended aggregate, election choices
    with django_assert_max_num_queries(8):
        response = client.get(reverse("socialization:coverage_unit", args=[unit_a.pk]))
    assert response.context["page"].paginator.count == rows
