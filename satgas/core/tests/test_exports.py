import io

import openpyxl
import pytest

from satgas.core.exports import csv_response, safe_cell, xlsx_bytes


@pytest.mark.parametrize(
    "value,expected",
    [
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("+62 812 3456", "'+62 812 3456"),
        ("-1+1", "'-1+1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("Budi Santoso, S.H.", "Budi Santoso, S.H."),
        ("198609262015051001", "198609262015051001"),
        (None, ""),
        (42, 42),
    ],
)
def test_safe_cell_neutralises_formulas(value, expected):
    assert safe_cell(value) == expected


def test_csv_has_bom_semicolons_and_neutralised_cells():
    response = csv_response(filename="x.csv", headers=["nama", "nip"], rows=[["=1+1", "198609262015051001"]])
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    assert text.splitlines()[1] == "'=1+1;198609262015051001"


def test_xlsx_keeps_numbers_as_text_and_formulas_inert():
    data = xlsx_bytes(
        sheet_title="T", headers=["nama", "nip"], rows=[["=cmd|' /C calc'!A0", "198609262015051001"]], text_columns=(1,)
    )
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    assert ws["A2"].value == "'=cmd|' /C calc'!A0"
    assert ws["A2"].data_type == "s"
    assert ws["B2"].value == "198609262015051001"
    assert ws["B2"].number_format == "@"


def test_date_inputs_show_their_value_in_iso_format_in_indonesian(client, admin_user, unit_a):
    """A type=date input only accepts yyyy-mm-dd; a localised 22/11/2026 would show an empty field."""
    from django.urls import reverse

    from satgas.personnel.tests.factories import PersonFactory

    person = PersonFactory(unit=unit_a)
    client.force_login(admin_user)
    html = client.get(reverse("personnel:person_move", args=[person.pk])).content.decode()
    import re

    value = re.search(r'name="moved_on"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="moved_on"', html)
    assert value and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.group(1) or value.group(2))


# --- Control characters never break an export ----------------------------------------------------------

BAD = "Budi\x07 Santoso\x1b[31m\x08"


@pytest.mark.parametrize(
    "value, expected",
    [(BAD, "Budi Santoso[31m"), ("\x07=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"), ("baris\nbaru", "baris\nbaru")],
)
def test_safe_cell_strips_control_characters_before_neutralising_formulas(value, expected):
    assert safe_cell(value) == expected


def test_every_writer_survives_control_characters():
    rows = [[BAD, "a\x00b", 3]]
    data = xlsx_bytes(sheet_title="Nama\x07", headers=["nama\x1b", "x", "n"], rows=rows)
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert list(sheet.iter_rows(values_only=True)) == [("nama", "x", "n"), ("Budi Santoso[31m", "ab", 3)]
    text = csv_response(filename="x.csv", headers=["nama"], rows=rows).content.decode("utf-8")
    assert "\x00" not in text and "\x07" not in text and "Budi Santoso[31m" in text


def test_personnel_export_with_a_bell_in_a_name_answers(client, admin_user, unit_a):
    from django.urls import reverse

    from satgas.personnel.tests.factories import PersonFactory

    PersonFactory(unit=unit_a, full_name=BAD, position="Staf\x1b", phone="0812\x07")
    client.force_login(admin_user)
    for fmt in ("xlsx", "csv"):
        response = client.get(reverse("personnel:person_export", args=[fmt]))
        assert response.status_code == 200
        assert b"Budi Santoso" in (response.content if fmt == "csv" else b"".join(_xlsx_texts(response.content)))


def _xlsx_texts(content: bytes):
    for row in openpyxl.load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True):
        yield from (str(v).encode() for v in row if v is not None)


def test_non_signers_and_case_exports_with_control_characters_answer(client, admin_user, unit_a):
    from django.urls import reverse

    from satgas.oaths.tests.factories import open_campaign
    from satgas.personnel.tests.factories import PersonFactory
    from satgas.violations.tests.factories import report

    PersonFactory(unit=unit_a, full_name=BAD)
    campaign = open_campaign(units=[unit_a], actor=admin_user)
    report(unit=unit_a, description="Foto\x1b[2J\x07 kampanye", reported_description="Pegawai\x0b umum")
    client.force_login(admin_user)
    non_signers = client.get(reverse("oaths:campaign_non_signers_xlsx", args=[campaign.pk]))
    assert non_signers.status_code == 200 and b"Budi Santoso" in b"".join(_xlsx_texts(non_signers.content))
    cases = client.get(reverse("violations:case_export"))
    assert cases.status_code == 200 and b"Pegawai umum" in b"".join(_xlsx_texts(cases.content))
