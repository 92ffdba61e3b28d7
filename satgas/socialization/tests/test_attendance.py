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


@pytest.fixture
def import_list(client, django_capture_on_commit_callbacks):
    """Post an import and follow it to its result page (the queued task runs at commit, eagerly here)."""

    def post(session, data):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("socialization:attendance_import", args=[session.pk]), data)
        assert response.status_code == 302, response.content.decode()[:2000]
        return client.get(response["Location"])

    return post


def test_import_reports_unknown_outside_and_inactive_numbers(client, taskforce_a, session, unit_a, unit_b, import_list):
    present = PersonFactory(unit=unit_a)
    ppnpn = PersonFactory(unit=unit_a, ppnpn=True)
    already = PersonFactory(unit=unit_a)
    AttendanceFactory(session=session, person=already)
    other_unit = PersonFactory(unit=unit_b)
    retired = PersonFactory(unit=unit_a, status="RETIRED")
    retired_elsewhere = PersonFactory(unit=unit_b, status="RETIRED")
    unknown = make_nik(serial=9999)
    numbers = "\n".join(
        [present.nip, f"{ppnpn.nik};{already.nip}", other_unit.nip, retired.nip, retired_elsewhere.nip, unknown, "abc"]
    )
    client.force_login(taskforce_a)
    response = import_list(session, {"numbers": numbers})
    outcome = response.context["outcome"]
    assert response.context["job"].status == "DONE"
    assert outcome["added"] == 2 and outcome["already"] == 1
    assert outcome["unknown"] == [unknown, "abc"]
    assert outcome["outside"] == [other_unit.nip, retired_elsewhere.nip]
    assert outcome["inactive"] == [{"number": retired.nip, "name": retired.full_name}]
    page = response.content.decode()
    assert unknown in page and other_unit.nip in page and retired.full_name in page
    # Nothing about people of other units but the number the organiser typed.
    for person in (other_unit, retired_elsewhere):
        assert person.full_name not in page and str(person) not in str(outcome)
    assert unit_b.code not in page and unit_b.name not in page
    assert set(Attendance.objects.filter(session=session).values_list("person_id", flat=True)) == {
        present.pk,
        ppnpn.pk,
        already.pk,
    }
    assert Attendance.objects.get(person=present).method == AttendanceMethod.IMPORTED
    # Importing the same list again adds nobody and fails nothing.
    again = import_list(session, {"numbers": numbers}).context["outcome"]
    assert again["added"] == 0 and again["already"] == 3
    assert Attendance.objects.filter(session=session).count() == 3


def test_import_from_an_xlsx_file_with_a_nip_column(client, taskforce_a, session, unit_a, import_list):
    people = [PersonFactory(unit=unit_a) for _ in range(2)]
    upload = xlsx_upload([["No", "Nama", "NIP"], [1, people[0].full_name, people[0].nip], [2, "x", people[1].nip]])
    client.force_login(taskforce_a)
    response = import_list(session, {"file": upload})
    assert response.context["outcome"]["added"] == 2
    assert set(Attendance.objects.values_list("person_id", flat=True)) == {p.pk for p in people}
    # The file is not kept once read.
    assert bytes(response.context["session"].attendance_imports.get().content) == b""


def test_the_web_request_only_stores_the_file_a_worker_reads_it(client, taskforce_a, session, unit_a):
    """Without the task having run, nothing is parsed: the result page says it is being read."""
    from satgas.socialization.models import AttendanceImport

    client.force_login(taskforce_a)
    upload = xlsx_upload([["NIP"], [PersonFactory(unit=unit_a).nip]])
    response = client.post(reverse("socialization:attendance_import", args=[session.pk]), {"file": upload})
    job = AttendanceImport.objects.get()
    assert response.status_code == 302 and job.status == "PENDING" and bytes(job.content).startswith(b"PK")
    page = client.get(response["Location"])
    assert page.context["job"].is_running and not Attendance.objects.exists()
    assert 'hx-trigger="every 1s"' in page.content.decode()


def test_a_bomb_or_unreadable_file_fails_the_import_with_its_message(
    client, taskforce_a, session, import_list, settings
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from satgas.core.tests.test_spreadsheets import bomb

    settings.SATGAS_SPREADSHEET_MAX_UNCOMPRESSED_BYTES = 5 * 1024 * 1024
    client.force_login(taskforce_a)
    response = import_list(session, {"file": SimpleUploadedFile("hadir.xlsx", bomb(12))})
    assert response.context["job"].status == "FAILED"
    assert "terlalu besar" in response.content.decode() or "too large" in response.content.decode()
    assert not Attendance.objects.exists()


def test_another_sessions_import_is_404(client, taskforce_a, session, unit_a, import_list):
    client.force_login(taskforce_a)
    import_list(session, {"numbers": "123"})
    other = SessionFactory(units=[unit_a])
    job = session.attendance_imports.get()
    assert client.get(reverse("socialization:attendance_import_result", args=[other.pk, job.pk])).status_code == 404


def test_import_from_csv_and_a_file_without_the_column(unit_a):
    assert numbers_from_file(b"nama;nik\nA;3374124504920001\nB;\n", "hadir.csv") == ["3374124504920001"]
    from satgas.socialization.parsing import ImportFileError

    with pytest.raises(ImportFileError):
        numbers_from_file(b"nama;jabatan\nA;B\n", "hadir.csv")


def test_import_with_nothing_typed_explains(client, taskforce_a, session):
    client.force_login(taskforce_a)
    response = client.post(reverse("socialization:attendance_import", args=[session.pk]), {"numbers": "  \n"})
    assert response.status_code == 200 and not session.attendance_imports.exists()
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


def test_import_outcome_keeps_no_control_characters_and_a_bounded_list(
    client, taskforce_a, session, import_list, monkeypatch
):
    monkeypatch.setattr(services, "LISTED", 3)
    client.force_login(taskforce_a)
    # Typed text with control characters is refused by the form (satgas.core.forms); a file can still carry them.
    refused = client.post(reverse("socialization:attendance_import", args=[session.pk]), {"numbers": "123450\x07"})
    assert refused.status_code == 200 and "karakter kendali" in refused.content.decode().lower()
    # (a CSV file with control characters is refused as unreadable; XML cannot carry them)
    response = import_list(session, {"numbers": "\n".join(f"12345{i}" for i in range(5))})
    outcome = response.context["outcome"]
    assert outcome["unknown"] == ["123450", "123451", "123452"] and outcome["unknown_total"] == 5
    assert "\x07" not in str(outcome)
    assert "3" in response.content.decode() and "5" in response.content.decode()
