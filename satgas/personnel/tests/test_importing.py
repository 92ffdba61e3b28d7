"""The personnel spreadsheet import (satgas.personnel.importing)."""

import csv
import datetime as dt
import io
import re
import time
import zipfile
import zoneinfo

import openpyxl
import pytest
from django.db import connection
from django.utils import translation

from satgas.accounts.models import User
from satgas.accounts.tests.factories import UserFactory
from satgas.core.models import AuditEvent
from satgas.personnel.importing import (
    COLUMNS,
    ImportFileError,
    ImportResult,
    RowIssue,
    import_personnel_file,
    template_csv,
    template_xlsx,
)
from satgas.personnel.models import (
    EmploymentType,
    ImportStatus,
    Person,
    PersonnelImport,
    PersonStatus,
    Placement,
    Sex,
)
from satgas.personnel.services import personnel_import_run

from .factories import PersonFactory, UnitFactory, make_nik, make_nip, make_pppk_number

TODAY = dt.date(2025, 3, 10)
NIP_BUDI = make_nip(birth=dt.date(1986, 9, 26), appointed=(2015, 5), sex=1, serial=1)  # 198609262015051001
PPPK_SITI = make_pppk_number(birth=dt.date(1990, 3, 12), year=2022, sex=2, serial=7)
NIK_SLAMET = make_nik(birth=dt.date(1992, 4, 5), serial=1)  # 3374120504920001
NIK_BUDI = make_nik(birth=dt.date(1986, 9, 26), serial=3)


@pytest.fixture(autouse=True)
def _english_and_frozen_time(time_machine):
    # Messages are English msgids (the Indonesian .po is filled in separately).
    time_machine.move_to(dt.datetime(2025, 3, 10, 9, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Jakarta")), tick=False)
    with translation.override("en"):
        yield


def row(**values) -> dict:
    base = {
        "nama": "Dr. Budi Santoso, S.H., M.H.",
        "jenis_pegawai": "PNS",
        "nip": NIP_BUDI,
        "nik": "",
        "kode_unit": "LAPAS-A",
        "jabatan": "Kepala Seksi Pembinaan",
        "pangkat_golongan": "Penata (III/c)",
        "email": "budi@contoh.go.id",
        "telepon": "0812-2345-6789",
    }
    base.update(values)
    return base


def three_kinds() -> list[dict]:
    return [
        row(nik=NIK_BUDI),
        row(
            nama="Siti Rahmawati, S.Kom.",
            jenis_pegawai="PPPK",
            nip=PPPK_SITI,
            kode_unit="LAPAS-B",
            jabatan="Pranata Komputer",
            pangkat_golongan="IX",
            email="siti@contoh.go.id",
            telepon="",
        ),
        row(
            nama="Slamet Riyadi",
            jenis_pegawai="PPNPN",
            nip="",
            nik=NIK_SLAMET,
            jabatan="Pengemudi",
            pangkat_golongan="",
            email="",
            telepon="+62 857-1234-5678",
        ),
    ]


def make_csv(rows, *, header=None, delimiter=",", encoding="utf-8") -> bytes:
    header = header or COLUMNS
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    for values in rows:
        writer.writerow([values.get(name, "") for name in COLUMNS] if isinstance(values, dict) else values)
    return buffer.getvalue().encode(encoding)


def make_xlsx(rows, header=None) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(header or COLUMNS)
    for values in rows:
        sheet.append([values.get(name) or None for name in COLUMNS] if isinstance(values, dict) else values)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def run(content, *, filename="pegawai.csv", actor=None, dry_run=False, strict=False, **kwargs) -> ImportResult:
    return import_personnel_file(
        content=content, filename=filename, actor=actor, dry_run=dry_run, strict=strict, **kwargs
    )


def issue_map(result) -> dict[tuple[int, str], str]:
    return {(issue.row, issue.column): issue.message for issue in result.issues}


def db_state():
    """Everything an import may write, to prove that nothing changed."""
    return (
        list(Person.objects.order_by("pk").values()),
        list(Placement.objects.order_by("pk").values()),
        AuditEvent.objects.count(),
        User.objects.count(),
    )


# --- Reading files ------------------------------------------------------------


def test_csv_creates_all_three_kinds_with_placement_and_audit(unit_a, unit_b, admin_user):
    result = run(make_csv(three_kinds()), actor=admin_user)

    assert result.counts() == {"created": 3, "updated": 0, "unchanged": 0, "invalid": 0}
    assert (result.total, result.applied, result.issues, result.warnings) == (3, True, [], [])
    budi = Person.objects.get(nip=NIP_BUDI)
    assert (budi.full_name, budi.employment_type, budi.nik, budi.unit) == (
        "Dr. Budi Santoso, S.H., M.H.",
        EmploymentType.PNS,
        NIK_BUDI,
        unit_a,
    )
    assert (budi.birth_date, budi.sex, budi.status) == (dt.date(1986, 9, 26), Sex.MALE, PersonStatus.ACTIVE)
    assert (budi.position, budi.rank_grade, budi.email, budi.phone) == (
        "Kepala Seksi Pembinaan",
        "Penata (III/c)",
        "budi@contoh.go.id",
        "0812-2345-6789",
    )
    siti = Person.objects.get(nip=PPPK_SITI)
    assert (siti.employment_type, siti.unit, siti.sex, siti.birth_date) == (
        "PPPK",
        unit_b,
        Sex.FEMALE,
        dt.date(1990, 3, 12),
    )
    slamet = Person.objects.get(nik=NIK_SLAMET)
    assert (slamet.employment_type, slamet.nip, slamet.birth_date) == ("PPNPN", None, dt.date(1992, 4, 5))

    placement = budi.placements.get()
    assert (placement.unit, placement.started_on, placement.ended_on) == (unit_a, TODAY, None)
    assert (placement.reason, placement.created_by) == ("Impor: pegawai.csv", admin_user)
    event = AuditEvent.objects.get(action="person.created", target_id=str(budi.pk))
    assert event.actor == admin_user
    assert event.note == "Impor: pegawai.csv"
    assert event.changes["full_name"] == [None, "Dr. Budi Santoso, S.H., M.H."]
    assert event.changes["unit"] == [None, "Lapas A"]
    assert AuditEvent.objects.filter(action="person.created").count() == 3


def test_semicolon_csv_as_saved_by_indonesian_excel(unit_a):
    result = run(make_csv([row(nama="Budi; Santoso")], delimiter=";"))

    assert result.created == 1
    assert Person.objects.get().full_name == "Budi; Santoso"


def test_utf8_bom_is_not_part_of_the_first_column_name(unit_a):
    result = run(make_csv([row(nama="Ayu Ningsih")], encoding="utf-8-sig", delimiter=";"))

    assert result.created == 1, result.issues
    assert result.warnings == []
    assert Person.objects.get().full_name == "Ayu Ningsih"


def test_windows_1252_csv_is_decoded(unit_a):
    rows = [
        row(nama="Sugiyanto Hadiprajitno"),
        row(nama="André O’Neil", nip=make_nip(serial=2), email="andre@contoh.go.id"),
    ]
    content = make_csv(rows, encoding="cp1252", delimiter=";")
    with pytest.raises(UnicodeDecodeError):
        content.decode("utf-8")

    result = run(content)

    assert result.created == 2
    assert set(Person.objects.values_list("full_name", flat=True)) == {"Sugiyanto Hadiprajitno", "André O’Neil"}


def with_exact_integer_cell(content: bytes, marker: str, number: str) -> bytes:
    """Replace a text cell by a numeric cell holding every digit, as some tools write
    (openpyxl and Excel themselves write 15 significant digits, e.g. 1.99003122022212e+17)."""
    source, target = zipfile.ZipFile(io.BytesIO(content)), io.BytesIO()
    with zipfile.ZipFile(target, "w") as archive:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(
                    rb'<c r="([A-Z]+\d+)" t="inlineStr"><is><t>' + marker.encode() + rb"</t></is></c>",
                    rb'<c r="\1" t="n"><v>' + number.encode() + rb"</v></c>",
                    data,
                )
                assert number.encode() in data
            archive.writestr(item, data)
    return target.getvalue()


def test_xlsx_with_numbers_as_text_and_as_integer(unit_a, unit_b):
    rows = three_kinds()
    rows[1]["nip"] = "NUMBER-CELL"
    content = with_exact_integer_cell(make_xlsx(rows), "NUMBER-CELL", PPPK_SITI)
    assert openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]["C3"].value == int(PPPK_SITI)

    result = run(content, filename="pegawai.xlsx")

    assert result.counts() == {"created": 3, "updated": 0, "unchanged": 0, "invalid": 0}, result.issues
    assert Person.objects.get(nip=PPPK_SITI).employment_type == EmploymentType.PPPK
    assert Placement.objects.get(person__nip=PPPK_SITI).reason == "Impor: pegawai.xlsx"


def test_xlsx_float_number_is_rejected_because_excel_lost_digits(unit_a):
    # Excel keeps 15 significant digits: 198609262015051001 is stored as 1.98609262015051E+17 (a float),
    # and 3374122609860003 as 3374122609860000 (an integer whose last digit is gone).
    content = make_xlsx([row(nip=float(NIP_BUDI)), row(nip=make_nip(serial=2), nik=3374122609860000)])
    sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
    assert (type(sheet["C2"].value), type(sheet["D3"].value)) == (float, int)

    result = run(content, filename="pegawai.xlsx")

    assert result.invalid == 2
    issues = issue_map(result)
    assert "scientific notation" in issues[(2, "nip")]
    assert "1.98609E+17" in issues[(2, "nip")]
    assert "Text" in issues[(2, "nip")]
    assert "scientific notation" in issues[(3, "nik")]
    assert not Person.objects.exists()


def test_xlsx_is_recognised_by_content_not_name(unit_a):
    result = run(make_xlsx([row()]), filename="export.csv")

    assert result.created == 1


def test_xlsx_rows_are_numbered_as_in_the_sheet_and_blank_rows_skipped(unit_a):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(COLUMNS)
    sheet.append([row()[c] for c in COLUMNS])
    sheet.append([None] * len(COLUMNS))  # row 3 blank
    sheet.append([row(nip=make_nip(serial=2), kode_unit="NOPE")[c] for c in COLUMNS])  # row 4
    sheet["A10"] = "   "  # whitespace only: blank too
    buffer = io.BytesIO()
    workbook.save(buffer)

    result = run(buffer.getvalue(), filename="x.xlsx")

    assert result.total == 2
    assert [(i.row, i.column) for i in result.issues] == [(4, "kode_unit")]


def test_header_variants_are_matched(unit_a):
    header = ["Nama", "Jenis Pegawai", " NIP ", "NIK", "Kode-Unit", "JABATAN", "Pangkat Golongan", "EMAIL", "telepon"]
    result = run(make_csv([row()], header=header))

    assert result.created == 1, result.issues
    person = Person.objects.get()
    assert (person.rank_grade, person.email) == ("Penata (III/c)", "budi@contoh.go.id")


def test_unknown_columns_are_ignored_with_a_warning(unit_a):
    header = ["No", *COLUMNS, "Keterangan"]
    content = make_csv([["1", *[row()[c] for c in COLUMNS], "pindahan"]], header=header)

    result = run(content)

    assert result.created == 1
    assert len(result.warnings) == 1
    assert "No" in result.warnings[0] and "Keterangan" in result.warnings[0]


def test_optional_columns_may_be_left_out(unit_a):
    content = make_csv([["Budi", "PNS", NIP_BUDI, "lapas-a"]], header=["nama", "jenis_pegawai", "nip", "kode_unit"])

    result = run(content)

    assert result.created == 1
    assert Person.objects.get().position == ""


def test_rows_with_only_unknown_columns_filled_are_blank(unit_a):
    content = make_csv([["1", *[row()[c] for c in COLUMNS]], ["2"] + [""] * len(COLUMNS)], header=["No", *COLUMNS])

    result = run(content)

    assert (result.total, result.created, result.invalid) == (1, 1, 0)


@pytest.mark.parametrize(
    ("header", "missing"),
    [
        (["nama", "jenis_pegawai", "nip", "nik"], ["kode_unit"]),
        (["nama", "jenis_pegawai", "kode_unit", "email"], ["nip / nik"]),
        (["name", "type", "number", "unit"], ["nama", "jenis_pegawai", "kode_unit", "nip / nik"]),
    ],
)
def test_missing_required_columns_stop_the_import(db, header, missing):
    with pytest.raises(ImportFileError) as caught:
        run(make_csv([["x"] * len(header)], header=header))

    message = str(caught.value)
    assert f"missing from the header row: {', '.join(missing)}." in message
    assert ", ".join(COLUMNS) in message  # tells what the header should be


def test_duplicate_column_stops_the_import(db):
    with pytest.raises(ImportFileError, match="“nip” appears more than once"):
        run(make_csv([], header=[*COLUMNS, "NIP"]) + b"x,PNS,1,,A,,,,,2\r\n")


@pytest.mark.parametrize(
    ("content", "filename", "expected"),
    [
        (b"", "pegawai.csv", "file is empty"),
        (b"\r\n  \r\n", "pegawai.csv", "file is empty"),
        (b"PK\x03\x04" + b"\x00" * 100, "pegawai.xlsx", "could not be read as a spreadsheet"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n", "pegawai.pdf", "PDF"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "pegawai.xls", ".xls"),
        (b"nama,jenis_pegawai", "pegawai.xlsx", "not a valid Excel workbook"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "foto.png", "could not be read as a spreadsheet"),
        ("nama;jenis_pegawai;nip;kode_unit".encode("utf-16"), "pegawai.csv", "UTF-16"),
        (b"nama,jenis_pegawai,nip,kode_unit\r\n,,,\r\n", "pegawai.csv", "no employee rows"),
    ],
    ids=["empty", "blank-lines", "corrupt-zip", "pdf", "xls", "fake-xlsx", "png", "utf16", "header-only"],
)
def test_unreadable_files_raise_a_clear_error(db, content, filename, expected):
    with pytest.raises(ImportFileError) as caught:
        run(content, filename=filename)

    assert expected in str(caught.value)
    assert not Person.objects.exists()


def test_a_zip_that_is_not_a_workbook_is_rejected(db):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("content.xml", "<office:document/>")  # e.g. an .ods file
    with pytest.raises(ImportFileError, match="xlsx"):
        run(buffer.getvalue(), filename="pegawai.ods")


# --- Checking rows --------------------------------------------------------------


def test_all_problems_of_every_row_are_reported_with_row_and_column(unit_a):
    rows = [
        row(),  # 2: valid
        row(nama="  ", jenis_pegawai="Honorer", nip=make_nip(serial=3)),  # 3
        row(nip="19860926201505100", kode_unit="LAPAS-X", email="budi@", telepon="0812 ext. 5"),  # 4
        row(nip=make_nip(serial=4), nik="9974120504920001", jabatan="J" * 201),  # 5
        row(jenis_pegawai="ppnpn", nip=make_nip(serial=5), nik=""),  # 6
        row(jenis_pegawai="", nip=""),  # 7
        row(jenis_pegawai="PNS", nip="", kode_unit=""),  # 8
        row(jenis_pegawai="PPPK", nip="198609262015051A01"),  # 9
    ]
    result = run(make_csv(rows))

    issues = issue_map(result)
    assert sorted(issues) == [
        (3, "jenis_pegawai"),
        (3, "nama"),
        (4, "email"),
        (4, "kode_unit"),
        (4, "nip"),
        (4, "telepon"),
        (5, "jabatan"),
        (5, "nik"),
        (6, "nik"),
        (6, "nip"),
        (7, "jenis_pegawai"),
        (8, "kode_unit"),
        (8, "nip"),
        (9, "nip"),
    ]
    assert "Name is required" in issues[(3, "nama")]
    assert "“Honorer” is not valid. Use one of: PNS, PPPK, PPNPN." in issues[(3, "jenis_pegawai")]
    assert "must have 18 digits" in issues[(4, "nip")]
    assert "Unit code “LAPAS-X” does not exist. Did you mean “LAPAS-A”?" == issues[(4, "kode_unit")]
    assert "“budi@” is not valid" in issues[(4, "email")]
    assert "may contain only digits" in issues[(4, "telepon")]
    assert "at most 200" in issues[(5, "jabatan")]
    assert "not an Indonesian province code" in issues[(5, "nik")]
    assert "PPNPN staff have no NIP" in issues[(6, "nip")]
    assert "NIK is required for PPNPN" in issues[(6, "nik")]
    assert "Employment type is required" in issues[(7, "jenis_pegawai")]
    assert "NIP is required for PNS" in issues[(8, "nip")]
    assert "NI PPPK may contain only digits" in issues[(9, "nip")]
    assert result.counts() == {"created": 1, "updated": 0, "unchanged": 0, "invalid": 7}
    assert [i.row for i in result.issues] == sorted(i.row for i in result.issues)
    assert Person.objects.get().nip == NIP_BUDI
    assert RowIssue(9, "nip", issues[(9, "nip")]).as_dict() == {
        "row": 9,
        "column": "nip",
        "message": issues[(9, "nip")],
    }


def test_unit_code_without_close_match_says_where_to_find_codes(unit_a):
    result = run(make_csv([row(kode_unit="KANIM-JKT-UTARA")]))

    assert issue_map(result)[(2, "kode_unit")] == (
        "Unit code “KANIM-JKT-UTARA” does not exist. Use the code shown in the list of units."
    )


def test_values_are_normalised(unit_a):
    result = run(
        make_csv(
            [
                row(
                    nama="  Budi \t  Santoso ",
                    jenis_pegawai=" pns ",
                    nip="19860926 201505 1 001",
                    kode_unit=" lapas-a ",
                    email=" Budi.Santoso@Contoh.GO.ID ",
                    telepon=" (024) 761.2345 ",
                    jabatan=" Kepala   Seksi ",
                )
            ]
        )
    )

    assert result.created == 1, result.issues
    person = Person.objects.get()
    assert (person.full_name, person.employment_type, person.nip, person.unit) == (
        "Budi Santoso",
        "PNS",
        NIP_BUDI,
        unit_a,
    )
    assert (person.email, person.phone, person.position) == (
        "budi.santoso@contoh.go.id",
        "(024) 7612345",
        "Kepala Seksi",
    )


def test_excel_scientific_text_in_csv_is_explained(unit_a):
    result = run(make_csv([row(nip="1,98609E+17")]))

    message = issue_map(result)[(2, "nip")]
    assert "scientific notation" in message and "18-digit" in message


def test_duplicates_in_the_file_name_the_first_row(unit_a):
    rows = [
        row(),  # 2
        row(jenis_pegawai="PPNPN", nip="", nik=NIK_SLAMET),  # 3
        row(nama="Budi lagi", nip="19860926 201505 1 001"),  # 4: same NIP as row 2
        row(nama="Slamet lagi", jenis_pegawai="PPNPN", nip="", nik=NIK_SLAMET),  # 5: same NIK as row 3
        row(nip=make_nip(serial=9), nik=NIK_SLAMET),  # 6: an ASN with row 3's NIK
    ]
    result = run(make_csv(rows))

    issues = issue_map(result)
    assert sorted(issues) == [(4, "nip"), (5, "nik"), (6, "nik")]
    assert "already appears in row 2" in issues[(4, "nip")]
    assert "already appears in row 3" in issues[(5, "nik")]
    assert "already appears in row 3" in issues[(6, "nik")]
    assert result.counts() == {"created": 2, "updated": 0, "unchanged": 0, "invalid": 3}
    assert Person.objects.get(nip=NIP_BUDI).full_name == "Dr. Budi Santoso, S.H., M.H."


def test_asn_nik_of_another_registered_person_is_invalid(unit_a):
    other = PersonFactory(ppnpn=True, nik=NIK_SLAMET, full_name="Slamet Riyadi", unit=unit_a)

    result = run(make_csv([row(nik=NIK_SLAMET)]))

    message = issue_map(result)[(2, "nik")]
    assert "already belongs to Slamet Riyadi" in message
    assert result.invalid == 1
    assert list(Person.objects.all()) == [other]


def test_ppnpn_row_cannot_take_over_an_asn_record(unit_a):
    PersonFactory(nip=NIP_BUDI, nik=NIK_SLAMET, unit=unit_a)

    result = run(make_csv([row(jenis_pegawai="PPNPN", nip="", nik=NIK_SLAMET)]))

    assert "a PNS employee" in issue_map(result)[(2, "nik")]
    assert Person.objects.get().employment_type == "PNS"


# --- Upserts ----------------------------------------------------------------------


def test_importing_the_same_file_twice_changes_nothing(unit_a, unit_b):
    content = make_csv(three_kinds())
    run(content)
    before = db_state()

    result = run(content)

    assert result.counts() == {"created": 0, "updated": 0, "unchanged": 3, "invalid": 0}
    assert result.applied is True
    assert db_state() == before  # same updated_at, placements and audit events


def test_changed_fields_update_the_person_with_an_audit_diff(unit_a, admin_user, time_machine):
    person = PersonFactory(nip=NIP_BUDI, full_name="Budi Santoso", unit=unit_a, position="Staf", email="")
    stamp = person.updated_at
    time_machine.shift(dt.timedelta(minutes=5))

    result = run(
        make_csv(
            [
                row(
                    nama="Dr. Budi Santoso, S.H., M.H.",
                    jabatan="Kepala Seksi",
                    email="b@contoh.go.id",
                    pangkat_golongan=person.rank_grade,
                    nik=NIK_BUDI,
                    telepon="",
                )
            ]
        ),
        actor=admin_user,
    )

    assert result.counts() == {"created": 0, "updated": 1, "unchanged": 0, "invalid": 0}
    person.refresh_from_db()
    assert (person.full_name, person.position, person.email, person.nik) == (
        "Dr. Budi Santoso, S.H., M.H.",
        "Kepala Seksi",
        "b@contoh.go.id",
        NIK_BUDI,
    )
    assert person.updated_at > stamp
    event = AuditEvent.objects.get(action="person.updated")
    assert (event.actor, event.target_id, event.note) == (admin_user, str(person.pk), "Impor: pegawai.csv")
    assert event.changes == {
        "full_name": ["Budi Santoso", "Dr. Budi Santoso, S.H., M.H."],
        "nik": [None, NIK_BUDI],
        "position": ["Staf", "Kepala Seksi"],
        "email": ["", "b@contoh.go.id"],
    }
    assert not AuditEvent.objects.filter(action="person.moved").exists()
    assert Placement.objects.count() == 0  # no move, no placement


def test_wrong_employment_type_is_corrected_by_the_import(unit_a):
    # Recorded by mistake as PNS; the row, keyed on the same number, says PPPK.
    person = PersonFactory(nip=PPPK_SITI, employment_type="PPPK", unit=unit_a)
    Person.objects.filter(pk=person.pk).update(employment_type="PNS")

    result = run(
        make_csv(
            [
                row(
                    jenis_pegawai="PPPK",
                    nip=PPPK_SITI,
                    nama=person.full_name,
                    jabatan=person.position,
                    pangkat_golongan=person.rank_grade,
                )
            ]
        )
    )

    assert result.updated == 1
    assert AuditEvent.objects.get(action="person.updated").changes["employment_type"] == ["PNS", "PPPK"]


def test_new_unit_moves_the_person_and_keeps_history(unit_a, unit_b, admin_user, time_machine):
    time_machine.move_to(dt.datetime(2024, 1, 2, 9, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Jakarta")), tick=False)
    run(make_csv([row()]))
    first = Placement.objects.get()
    time_machine.move_to(dt.datetime(2025, 3, 10, 9, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Jakarta")), tick=False)

    result = run(make_csv([row(kode_unit="lapas-b")]), filename="mutasi.xlsx.csv", actor=admin_user)

    assert result.counts() == {"created": 0, "updated": 1, "unchanged": 0, "invalid": 0}
    person = Person.objects.get()
    assert person.unit == unit_b
    first.refresh_from_db()
    assert (first.unit, first.started_on, first.ended_on) == (unit_a, dt.date(2024, 1, 2), TODAY)
    current = person.placements.get(ended_on__isnull=True)
    assert (current.unit, current.started_on, current.reason, current.created_by) == (
        unit_b,
        TODAY,
        "Impor: mutasi.xlsx.csv",
        admin_user,
    )
    moved = AuditEvent.objects.get(action="person.moved")
    assert moved.changes == {"unit": ["Lapas A", "Lapas B"], "moved_on": [None, "2025-03-10"]}
    assert moved.actor == admin_user
    assert not AuditEvent.objects.filter(action="person.updated").exists()  # only the unit changed


def test_a_placement_starting_after_today_blocks_the_move(unit_a, unit_b):
    person = PersonFactory(nip=NIP_BUDI, unit=unit_a)
    Placement.objects.create(person=person, unit=unit_a, started_on=TODAY + dt.timedelta(days=1))
    before = db_state()

    result = run(make_csv([row(kode_unit="LAPAS-B")]))

    assert "starts on 2025-03-11, after today" in issue_map(result)[(2, "kode_unit")]
    assert result.counts() == {"created": 0, "updated": 0, "unchanged": 0, "invalid": 1}
    assert db_state() == before


def test_blank_optional_cells_do_not_clear_existing_values(unit_a):
    person = PersonFactory(
        nip=NIP_BUDI,
        nik=NIK_BUDI,
        unit=unit_a,
        position="Staf",
        rank_grade="Penata (III/c)",
        email="budi@contoh.go.id",
        phone="0812",
        full_name="Budi",
    )
    before = db_state()

    result = run(make_csv([row(nama="Budi", nik="", jabatan="", pangkat_golongan="", email="", telepon="")]))

    assert result.unchanged == 1
    assert db_state() == before
    person.refresh_from_db()
    assert (person.nik, person.position, person.rank_grade, person.email, person.phone) == (
        NIK_BUDI,
        "Staf",
        "Penata (III/c)",
        "budi@contoh.go.id",
        "0812",
    )


def test_status_of_existing_people_is_not_changed(unit_a):
    person = PersonFactory(nip=NIP_BUDI, unit=unit_a, status=PersonStatus.RETIRED, full_name="Budi")

    result = run(make_csv([row(nama="Budi Santoso")]))

    assert result.updated == 1
    person.refresh_from_db()
    assert (person.full_name, person.status) == ("Budi Santoso", PersonStatus.RETIRED)


def test_a_ppnpn_is_matched_by_nik(unit_a):
    person = PersonFactory(ppnpn=True, nik=NIK_SLAMET, unit=unit_a, full_name="Slamet")

    result = run(make_csv([row(nama="Slamet Riyadi", jenis_pegawai="PPNPN", nip="", nik=NIK_SLAMET)]))

    assert result.updated == 1
    person.refresh_from_db()
    assert person.full_name == "Slamet Riyadi"
    assert Person.objects.count() == 1


# --- Dry runs and strict runs --------------------------------------------------


def test_dry_run_counts_but_writes_nothing(unit_a, unit_b):
    PersonFactory(nip=NIP_BUDI, unit=unit_b, full_name="Budi")
    before = db_state()
    rows = [*three_kinds(), row(nip="123")]

    result = run(make_csv(rows), dry_run=True, create_accounts=True)

    assert result.counts() == {"created": 2, "updated": 1, "unchanged": 0, "invalid": 1}
    assert result.applied is False
    assert result.accounts_created == 2  # Budi and Siti have an email
    assert db_state() == before


def test_strict_with_one_bad_row_writes_nothing(unit_a, unit_b):
    before = db_state()

    result = run(make_csv([*three_kinds(), row(nip="123")]), strict=True)

    assert result.counts() == {"created": 3, "updated": 0, "unchanged": 0, "invalid": 1}
    assert result.applied is False
    assert [(i.row, i.column) for i in result.issues] == [(5, "nip")]
    assert db_state() == before


def test_strict_without_bad_rows_applies(unit_a, unit_b):
    result = run(make_csv(three_kinds()), strict=True)

    assert result.applied is True
    assert Person.objects.count() == 3


def test_non_strict_applies_the_valid_rows_only(unit_a, unit_b):
    result = run(make_csv([*three_kinds(), row(nip="123"), row(nip=make_nip(serial=2), kode_unit="X")]))

    assert result.counts() == {"created": 3, "updated": 0, "unchanged": 0, "invalid": 2}
    assert result.applied is True
    assert Person.objects.count() == 3


def test_an_unexpected_failure_rolls_back_everything(unit_a, unit_b, monkeypatch):
    from satgas.personnel import importing

    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(importing, "audit_record_many", broken)
    with pytest.raises(RuntimeError):
        run(make_csv(three_kinds()))

    assert not Person.objects.exists()
    assert not Placement.objects.exists()


# --- Accounts ---------------------------------------------------------------------


def test_create_accounts_for_people_with_email_and_skip_taken_emails(unit_a, unit_b):
    UserFactory(email="Siti@Contoh.go.id")
    linked = PersonFactory(nip=make_nip(serial=8), unit=unit_a, full_name="Lama", email="lama@contoh.go.id")
    UserFactory(email="akun-lama@contoh.go.id", person=linked)
    rows = [
        *three_kinds(),  # Budi: email; Siti: email taken (other case); Slamet: no email
        row(nama="Baru", nip=make_nip(serial=8), email="baru@contoh.go.id"),  # updated, already has an account
        row(nama="Dobel", nip=make_nip(serial=9), email="BUDI@contoh.go.id"),  # same email as row 2
    ]

    result = run(make_csv(rows), create_accounts=True)

    assert result.counts() == {"created": 4, "updated": 1, "unchanged": 0, "invalid": 0}
    assert result.accounts_created == 1
    budi = User.objects.get(email="budi@contoh.go.id")
    assert budi.person == Person.objects.get(nip=NIP_BUDI)
    assert budi.full_name == "Dr. Budi Santoso, S.H., M.H."
    assert not budi.has_usable_password()
    assert User.objects.count() == 3  # Siti's existing, the linked one, Budi's new one
    assert len(result.warnings) == 2
    assert "Row 3" in result.warnings[0] and "siti@contoh.go.id" in result.warnings[0]
    assert "Row 6" in result.warnings[1] and "budi@contoh.go.id" in result.warnings[1]


def test_without_create_accounts_no_user_is_created(unit_a, unit_b):
    run(make_csv(three_kinds()))

    assert not User.objects.exists()


# --- Templates -------------------------------------------------------------------


def test_xlsx_template_has_text_columns_and_imports_as_is(db):
    UnitFactory(code="LAPAS-SMG", name="Lapas Semarang")
    content = template_xlsx()

    sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
    assert [cell.value for cell in sheet[1]] == COLUMNS
    assert [sheet.cell(row=r, column=2).value for r in (2, 3, 4)] == ["PNS", "PPPK", "PPNPN"]
    for letter in ("C", "D"):
        assert sheet.column_dimensions[letter].number_format == "@"
        assert sheet[f"{letter}2"].number_format == "@"
        assert isinstance(sheet[f"{letter}2"].value, str)

    result = run(content, filename="template.xlsx")
    assert result.counts() == {"created": 3, "updated": 0, "unchanged": 0, "invalid": 0}, result.issues


def test_csv_template_is_bom_semicolon_and_imports_as_is(db):
    UnitFactory(code="LAPAS-SMG", name="Lapas Semarang")
    content = template_csv()

    assert content.startswith(b"\xef\xbb\xbf" + ";".join(COLUMNS).encode())
    assert len(content.decode("utf-8-sig").splitlines()) == 4
    result = run(content)
    assert result.counts() == {"created": 3, "updated": 0, "unchanged": 0, "invalid": 0}, result.issues


# --- Progress, the stored-import service and performance ---------------------------


def many_rows(count: int, *, start: int = 0) -> list[dict]:
    rows = []
    for n in range(start, start + count):
        birth = dt.date(1965 + n % 35, 1 + n % 12, 1 + n % 28)
        rows.append(
            row(
                nama=f"Pegawai {n}",
                nip=make_nip(birth=birth, appointed=(birth.year + 22, 1 + n % 12), sex=1 + n % 2, serial=1 + n // 420),
                nik=make_nik(regency=1 + n // 420, birth=birth, female=bool(n % 2), serial=1),
                email=f"pegawai{n}@contoh.go.id",
            )
        )
    return rows


def test_progress_is_reported_every_500_rows_and_at_the_end(unit_a):
    calls = []

    run(make_csv(many_rows(1200)), dry_run=True, progress=lambda done, total: calls.append((done, total)))

    assert calls == [(500, 1200), (1000, 1200), (1200, 1200)]


def test_stored_import_is_checked_then_applied(unit_a, unit_b, admin_user):
    record = PersonnelImport.objects.create(
        uploaded_by=admin_user, filename="pegawai.csv", content=make_csv([*three_kinds(), row(nip="1")])
    )

    checked = personnel_import_run(import_id=record.pk, apply=False)
    assert checked.status == ImportStatus.VALIDATED
    assert checked.counts == {"created": 3, "updated": 0, "unchanged": 0, "invalid": 1}
    assert checked.issues == [{"row": 5, "column": "nip", "message": checked.issues[0]["message"]}]
    assert not Person.objects.exists()

    PersonnelImport.objects.filter(pk=record.pk).update(status=ImportStatus.APPLYING, applied_by=admin_user)
    applied = personnel_import_run(import_id=record.pk, apply=True)
    assert applied.status == ImportStatus.APPLIED
    assert Person.objects.count() == 3
    assert AuditEvent.objects.filter(action="person.created", actor=admin_user).count() == 3


# SQLite allows 999 parameters per query, so Django splits bulk inserts into batches of
# ~70 rows there (1,000 on PostgreSQL); a query per row would mean 300+ queries here.
@pytest.mark.parametrize("create_accounts", [False, True])
def test_query_count_of_300_rows_is_bounded(unit_a, unit_b, django_assert_max_num_queries, create_accounts):
    with django_assert_max_num_queries(40):
        result = run(make_csv(many_rows(300)), create_accounts=create_accounts)
    assert result.created == 300

    # Re-importing with changes and moves: updates, closed placements and audit events, still bounded.
    changed = [{**r, "jabatan": "Baru", "kode_unit": "LAPAS-B"} for r in many_rows(300)]
    with django_assert_max_num_queries(40):
        result = run(make_csv(changed), create_accounts=create_accounts)
    assert result.updated == 300
    assert Placement.objects.filter(ended_on=TODAY).count() == 300

    with django_assert_max_num_queries(10):  # nothing to write: lookups only
        result = run(make_csv(changed), create_accounts=create_accounts)
    assert result.unchanged == 300


@pytest.mark.slow
def test_twenty_thousand_rows_import_in_seconds(unit_a, unit_b, django_assert_max_num_queries):
    content = make_csv(many_rows(20_000))

    started = time.perf_counter()
    # Chunked lookups and batched inserts: ~850 on SQLite (batches of ~70 rows), ~150 on PostgreSQL.
    with django_assert_max_num_queries(1000):
        result = run(content, create_accounts=True)
    created_in = time.perf_counter() - started
    assert result.counts() == {"created": 20_000, "updated": 0, "unchanged": 0, "invalid": 0}
    assert result.accounts_created == 20_000
    assert Placement.objects.count() == 20_000
    assert AuditEvent.objects.count() == 20_000

    started = time.perf_counter()
    with django_assert_max_num_queries(100):
        again = run(content)
    unchanged_in = time.perf_counter() - started
    assert again.unchanged == 20_000

    print(
        f"\n{connection.vendor}: 20,000 rows created in {created_in:.1f} s, "
        f"re-checked unchanged in {unchanged_in:.1f} s"
    )
    assert created_in < 30
    assert unchanged_in < 30


def test_common_header_spellings_are_understood(unit_a):
    from satgas.personnel.spreadsheets import parse_header

    _, positions, warnings = parse_header([["Nama", "Jenis Pegawai", "NIP", "Kode Unit", "E-mail", "No HP"]])
    assert positions == {"nama": 0, "jenis_pegawai": 1, "nip": 2, "kode_unit": 3, "email": 4, "telepon": 5}
    assert warnings == []
