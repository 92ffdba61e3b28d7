import pytest
from django.urls import reverse

from satgas.core.models import AuditEvent
from satgas.personnel.tests.factories import PersonFactory, make_nik
from satgas.socialization import services
from satgas.socialization.models import Attendance, AttendanceMethod
from satgas.socialization.parsing import numbers_from_file, numbers_from_text

from .factories import AttendanceFactory, SessionFactory, xlsx_upload


@pytest.fixture
def session(unit_a):
    return SessionFactory(units=[unit_a])


# --- Pick -----------------------------------------------------------------------------------


def test_pick_page_lists_active_staff_of_the_session_units_only(client, taskforce_a, session, unit_a, unit_b):
    # A name Faker never draws: the fixtures add Faker-named staff to unit A (an Agus or a Bagus would match).
    mine = PersonFactory(unit=unit_a, full_name="Zyrkon Santoso")
    PersonFactory(unit=unit_a, full_name="Zyrkon Pensiun", status="RETIRED")
    PersonFactory(unit=unit_b, full_name="Zyrkon Lain")
    done = PersonFactory(unit=unit_a, full_name="Budi Hadir")
    AttendanceFactory(session=session, person=done)
    client.force_login(taskforce_a)
    response = client.get(reverse("socialization:attendance_pick", args=[session.pk]), {"q": "zyrkon"})
    assert [p.pk for p in response.context["persons"]] == [mine.pk]
    full = client.get(reverse("socialization:attendance_pick", args=[session.pk]))
    assert done.pk in full.context["attended"]
    assert f'id="person-{done.pk}" checked disabled' in full.content.decode()
    by_number = client.get(reverse("socialization:attendance_pick", args=[session.pk]), {"q": mine.nip})
    assert [p.pk for p in by_number.context["persons"]] == [mine.pk]


def test_pick_records_people_once_and_reports_those_already_there(client, taskforce_a, session, unit_a):
    people = [PersonFactory(unit=unit_a) for _ in range(3)]
    client.force_login(taskforce_a)
    url = reverse("socialization:attendance_pick", args=[session.pk])
    first = client.post(url, {"person": [people[0].pk, people[1].pk]}, follow=True)
    assert [m.level_tag for m in first.context["messages"]] == ["success"]
    second = client.post(url, {"person": [p.pk for p in people]}, follow=True)
    messages = [(m.level_tag, str(m)) for m in second.context["messages"]]
    assert [tag for tag, _ in messages] == ["success", "info"]
    assert messages[0][1].startswith("1 ") and messages[1][1].startswith("2 ")
    assert Attendance.objects.filter(session=session).count() == 3
    rows = Attendance.objects.filter(session=session)
    assert {r.method for r in rows} == {AttendanceMethod.PICKED}
    assert {r.recorded_by_id for r in rows} == {taskforce_a.pk}
    assert AuditEvent.objects.filter(action="attendance.added").count() == 2


def test_pick_refuses_someone_outside_the_session_units(client, taskforce_a, session, unit_a, unit_b):
    inside, outside = PersonFactory(unit=unit_a), PersonFactory(unit=unit_b)
    client.force_login(taskforce_a)
    response = client.post(
        reverse("socialization:attendance_pick", args=[session.pk]), {"person": [inside.pk, outside.pk]}
    )
    assert response.status_code == 200
    assert not Attendance.objects.exists()


def test_service_refuses_inactive_or_outside_people(session, unit_a, unit_b, admin_user):
    from satgas.socialization.services import SocializationError

    for person in (PersonFactory(unit=unit_b), PersonFactory(unit=unit_a, status="MOVED")):
        with pytest.raises(SocializationError):
            services.attendance_add(actor=admin_user, session=session, persons=[person], method="PICKED")
    assert not Attendance.objects.exists()


# --- Import ---------------------------------------------------------------------------------


def test_numbers_are_split_on_lines_commas_semicolons_and_spaces():
    text = "198609262015051001, 198609262015051002;3374124504920001\n 3374120504920002  198609262015051003\n\n"
    assert numbers_from_text(text) == [
        "198609262015051001",
        "198609262015051002",
        "3374124504920001",
        "3374120504920002",
        "198609262015051003",
    ]
    # A NIP typed in its usual groups stays one number; repeats are dropped.
    assert numbers_from_text("19860926 201505 1 001\n198609262015051001") == ["198609262015051001"]


def test_import_reports_unknown_outside_and_inactive_numbers(client, taskforce_a, session, unit_a, unit_b):
    present = PersonFactory(unit=unit_a)
    ppnpn = PersonFactory(unit=unit_a, ppnpn=True)
    already = PersonFactory(unit=unit_a)
    AttendanceFactory(session=session, person=already)
    other_unit = PersonFactory(unit=unit_b)
    retired = PersonFactory(unit=unit_a, status="RETIRED")
    unknown = make_nik(serial=9999)
    numbers = "\n".join([present.nip, f"{ppnpn.nik};{already.nip}", other_unit.nip, retired.nip, unknown, "abc"])
    client.force_login(taskforce_a)
    response = client.post(reverse("socialization:attendance_import", args=[session.pk]), {"numbers": numbers})
    result = response.context["result"]
    assert {p.pk for p in result.added} == {present.pk, ppnpn.pk}
    assert [p.pk for p in result.already] == [already.pk]
    assert result.unknown == [unknown, "abc"]
    assert [p.pk for p in result.outside] == [other_unit.pk]
    assert [p.pk for p in result.inactive] == [retired.pk]
    page = response.content.decode()
    assert unknown in page and other_unit.full_name in page and retired.full_name in page
    assert set(Attendance.objects.filter(session=session).values_list("person_id", flat=True)) == {
        present.pk,
        ppnpn.pk,
        already.pk,
    }
    assert Attendance.objects.get(person=present).method == AttendanceMethod.IMPORTED
    # Importing the same list again adds nobody and fails nothing.
    again = client.post(reverse("socialization:attendance_import", args=[session.pk]), {"numbers": numbers})
    assert again.context["result"].added == [] and len(again.context["result"].already) == 3
    assert Attendance.objects.filter(session=session).count() == 3


def test_import_from_an_xlsx_file_with_a_nip_column(client, taskforce_a, session, unit_a):
    people = [PersonFactory(unit=unit_a) for _ in range(2)]
    upload = xlsx_upload([["No", "Nama", "NIP"], [1, people[0].full_name, people[0].nip], [2, "x", people[1].nip]])
    client.force_login(taskforce_a)
    response = client.post(reverse("socialization:attendance_import", args=[session.pk]), {"file": upload})
    assert {p.pk for p in response.context["result"].added} == {p.pk for p in people}


def test_import_from_csv_and_a_file_without_the_column(unit_a):
    assert numbers_from_file(b"nama;nik\nA;3374124504920001\nB;\n", "hadir.csv") == ["3374124504920001"]
    from satgas.socialization.parsing import ImportFileError

    with pytest.raises(ImportFileError):
        numbers_from_file(b"nama;jabatan\nA;B\n", "hadir.csv")


def test_import_with_nothing_typed_explains(client, taskforce_a, session):
    client.force_login(taskforce_a)
    response = client.post(reverse("socialization:attendance_import", args=[session.pk]), {"numbers": "  \n"})
    assert response.context["result"] is None
    assert response.context["form"].non_field_errors()
    assert 'role="alert"' in response.content.decode()


# --- Removal --------------------------------------------------------------------------------


def test_remove_an_attendance_is_audited(client, taskforce_a, session, unit_a):
    attendance = AttendanceFactory(session=session, person=PersonFactory(unit=unit_a, full_name="Salah Catat"))
    client.force_login(taskforce_a)
    response = client.post(reverse("socialization:attendance_remove", args=[session.pk, attendance.pk]))
    assert response.status_code == 302
    assert not Attendance.objects.exists()
    event = AuditEvent.objects.get(action="attendance.removed")
    assert "Salah Catat" in event.changes["attendance"][0]


def test_remove_an_attendance_of_another_session_is_404(client, taskforce_a, session, unit_a):
    other = AttendanceFactory(session=SessionFactory(units=[unit_a]), person=PersonFactory(unit=unit_a))
    client.force_login(taskforce_a)
    response = client.post(reverse("socialization:attendance_remove", args=[session.pk, other.pk]))
    assert response.status_code == 404
    assert Attendance.objects.filter(pk=other.pk).exists()
