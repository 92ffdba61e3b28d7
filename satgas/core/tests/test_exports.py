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
