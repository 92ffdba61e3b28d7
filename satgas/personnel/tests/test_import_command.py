"""``manage.py import_personnel``: output format and exit codes."""

import datetime as dt
import io
import zoneinfo

import pytest
from django.core.management import call_command
from django.utils import translation

from satgas.accounts.models import User
from satgas.core.models import AuditEvent
from satgas.personnel.models import Person, Placement

from .factories import make_nik, make_nip
from .test_importing import db_state, make_csv, make_xlsx, row


@pytest.fixture(autouse=True)
def _english_and_frozen_time(time_machine):
    time_machine.move_to(dt.datetime(2025, 3, 10, 9, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Jakarta")), tick=False)
    with translation.override("en"):
        yield


def import_personnel(*args) -> tuple[int, str, str]:
    """Run the command; return (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_personnel", *[str(a) for a in args], stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue(), err.getvalue()


def last_line(text: str) -> str:
    return text.rstrip("\n").splitlines()[-1]


@pytest.fixture
def good_file(tmp_path, unit_a):
    path = tmp_path / "pegawai.csv"
    path.write_bytes(
        make_csv(
            [row(), row(nama="Slamet", jenis_pegawai="PPNPN", nip="", nik=make_nik(), email="slamet@contoh.go.id")]
        )
    )
    return path


@pytest.fixture
def mixed_file(tmp_path, unit_a):
    path = tmp_path / "campur.csv"
    path.write_bytes(make_csv([row(), row(nip="123", kode_unit="lapas-aa"), row(nip=make_nip(serial=2), nama="")]))
    return path


def test_success_exits_0_with_summary_as_last_line(good_file):
    code, out, err = import_personnel(good_file)

    assert code == 0
    assert last_line(out) == "SUMMARY created=2 updated=0 unchanged=0 invalid=0"
    assert err == ""
    assert Person.objects.count() == 2
    assert Placement.objects.get(person__nip=make_nip()).reason == "Impor: pegawai.csv"

    code, out, _ = import_personnel(good_file)
    assert (code, last_line(out)) == (0, "SUMMARY created=0 updated=0 unchanged=2 invalid=0")


def test_invalid_rows_exit_1_and_are_listed_on_stderr(mixed_file):
    code, out, err = import_personnel(mixed_file)

    assert code == 1
    assert last_line(out) == "SUMMARY created=1 updated=0 unchanged=0 invalid=2"
    lines = err.splitlines()
    assert lines[0].startswith("baris 3, kolom nip: NIP must have 18 digits")
    assert lines[1] == "baris 3, kolom kode_unit: Unit code “LAPAS-AA” does not exist. Did you mean “LAPAS-A”?"
    assert lines[2].startswith("baris 4, kolom nama: Name is required")
    assert len(lines) == 3
    assert Person.objects.count() == 1  # the valid row is applied


def test_strict_writes_nothing_when_a_row_is_invalid(mixed_file):
    before = db_state()

    code, out, err = import_personnel(mixed_file, "--strict")

    assert code == 1
    assert last_line(out) == "SUMMARY created=1 updated=0 unchanged=0 invalid=2"
    assert "nothing was written" in out
    assert "baris 3, kolom nip" in err
    assert db_state() == before


def test_dry_run_writes_nothing(good_file):
    before = db_state()

    code, out, _ = import_personnel(good_file, "--dry-run", "--create-accounts")

    assert code == 0
    assert "Dry run" in out
    assert last_line(out) == "SUMMARY created=2 updated=0 unchanged=0 invalid=0"
    assert db_state() == before


def test_create_accounts_and_actor(good_file, admin_user):
    code, out, _ = import_personnel(good_file, "--create-accounts", "--actor", "ADMIN@uji.test")

    assert code == 0
    assert set(User.objects.filter(person__isnull=False).values_list("email", flat=True)) == {
        "budi@contoh.go.id",
        "slamet@contoh.go.id",
    }
    assert set(AuditEvent.objects.filter(action="person.created").values_list("actor", flat=True)) == {admin_user.pk}
    assert Placement.objects.filter(created_by=admin_user).count() == 2


def test_without_actor_audit_events_have_no_actor(good_file):
    import_personnel(good_file)

    assert AuditEvent.objects.filter(action="person.created", actor__isnull=True).count() == 2
    assert not User.objects.exists()


def test_unknown_actor_exits_2(good_file):
    code, out, err = import_personnel(good_file, "--actor", "siapa@uji.test")

    assert code == 2
    assert "siapa@uji.test" in err
    assert not Person.objects.exists()


def test_missing_file_exits_2(tmp_path, db):
    code, out, err = import_personnel(tmp_path / "tidak-ada.csv")

    assert code == 2
    assert "tidak-ada.csv" in err
    assert "SUMMARY" not in out


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"%PDF-1.4\n", "PDF"),
        (b"", "empty"),
        (b"nama,jenis_pegawai\r\nBudi,PNS\r\n", "kode_unit"),
    ],
)
def test_unreadable_file_exits_2_with_the_reason(tmp_path, db, content, expected):
    path = tmp_path / "pegawai.csv"
    path.write_bytes(content)

    code, out, err = import_personnel(path)

    assert code == 2
    assert expected in err
    assert "SUMMARY" not in out


def test_xlsx_file_and_warnings(tmp_path, unit_a):
    path = tmp_path / "pegawai.xlsx"
    path.write_bytes(make_xlsx([[*row().values(), "catatan"]], header=[*row().keys(), "keterangan"]))

    code, out, err = import_personnel(path)

    assert code == 0
    assert "keterangan" in err
    assert last_line(out) == "SUMMARY created=1 updated=0 unchanged=0 invalid=0"


def test_verbose_run_reports_progress(good_file):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_personnel", str(good_file), verbosity=2, stdout=out, stderr=err)

    assert "2/2" in err.getvalue()
