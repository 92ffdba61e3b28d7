"""The personnel import names the rows and cells with control characters, refuses spreadsheet bombs with a
message (through the worker path the UI uses), and applies the person form's phone rule."""

import datetime as dt
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import translation

from satgas.core.tests.test_spreadsheets import bomb
from satgas.personnel import identity
from satgas.personnel.importing import CONTROL_CELL_MESSAGE
from satgas.personnel.models import ImportStatus, Person, PersonnelImport
from satgas.personnel.services import personnel_import_run

from .test_importing import issue_map, make_csv, row, run, three_kinds


@pytest.fixture(autouse=True)
def _english_and_frozen_time(time_machine):
    time_machine.move_to(dt.datetime(2025, 3, 10, 9, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Jakarta")), tick=False)
    with translation.override("en"):
        yield


def test_rows_with_nul_and_other_control_characters_are_named_and_the_rest_imported(unit_a, unit_b):
    rows = three_kinds()
    rows[1]["nama"] = "Siti\x00 Rahmawati"
    rows[2]["jabatan"] = "Pengemudi\x1b[31m"
    rows[2]["telepon"] = "0857\x07"
    result = run(make_csv(rows))
    issues = issue_map(result)
    assert issues == {
        (3, "nama"): str(CONTROL_CELL_MESSAGE),
        (4, "jabatan"): str(CONTROL_CELL_MESSAGE),
        (4, "telepon"): str(CONTROL_CELL_MESSAGE),
    }
    assert result.counts() == {"created": 1, "updated": 0, "unchanged": 0, "invalid": 2}
    assert Person.objects.get().full_name == rows[0]["nama"]


def test_a_control_character_never_reaches_a_stored_message(admin_user, unit_a):
    """The preview's issues and warnings are stored as JSON (PostgreSQL refuses NUL): no value echoes it."""
    content = make_csv([row(nama="Budi", kode_unit="LAPAS-\x00X", email="a\x00@b")], header=None)
    content = content.replace(b"telepon", b"telepon,catatan\x00")
    record = PersonnelImport.objects.create(uploaded_by=admin_user, filename="p.csv", content=content)
    record = personnel_import_run(import_id=record.pk, apply=False)
    assert record.status == ImportStatus.VALIDATED, record.failure
    assert record.issues and "\x00" not in str(record.issues) and "\x00" not in str(record.warnings)
    assert {issue["column"] for issue in record.issues} == {"kode_unit", "email"}


def test_a_spreadsheet_bomb_fails_the_import_with_a_message_and_a_worker_reads_it(
    client, admin_user, settings, django_capture_on_commit_callbacks
):
    """The web request only stores the file; the task (eager here) refuses it with the reader's message."""
    settings.SATGAS_SPREADSHEET_MAX_UNCOMPRESSED_BYTES = 5 * 1024 * 1024
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("personnel:import_list"), {"file": SimpleUploadedFile("p.xlsx", bomb(12))})
    assert response.status_code == 302
    record = PersonnelImport.objects.get()
    assert record.status == ImportStatus.FAILED
    assert "too large to import" in record.failure or "terlalu besar untuk diimpor" in record.failure


# --- One phone rule ------------------------------------------------------------------------------------

PHONES = [
    ("0812-2345-6789", "0812-2345-6789"),
    (" (024) 761.2345 ", "(024) 7612345"),
    ("+62  857 1234 5678", "+62 857 1234 5678"),
    ("0812 ext. 5", None),
    ("---", None),
    ("0" * 41, None),
    ("0812\x07", None),
]


@pytest.mark.parametrize("typed, stored", PHONES)
def test_the_person_form_and_the_import_apply_the_same_phone_rule(client, admin_user, unit_a, typed, stored):
    with translation.override("id"):  # the language of the form's answer
        result = run(make_csv([row(kode_unit=unit_a.code, telepon=typed)]), dry_run=True)
    import_messages = [i.message for i in result.issues if i.column == "telepon"]
    client.force_login(admin_user)
    data = {
        "full_name": "Agus Prasetyo",
        "employment_type": "PNS",
        "nip": row()["nip"],
        "unit": unit_a.pk,
        "status": "ACTIVE",
        "phone": typed,
    }
    response = client.post(reverse("personnel:person_create"), data)
    if stored is None:
        assert response.status_code == 200
        form_messages = response.context["form"].errors["phone"]
        assert form_messages and (form_messages == import_messages or "\x07" in typed)
        assert not Person.objects.exists()
    else:
        assert not import_messages
        assert response.status_code == 302
        assert Person.objects.get().phone == stored == identity.normalize_phone(typed)
