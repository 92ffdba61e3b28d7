"""The personnel spreadsheet's columns and header, and the downloadable templates.

Files are read by ``satgas.core.spreadsheets.read_table`` (limits included); the row rules are in ``importing``.
"""

import csv
import io
import re

from django.utils.translation import gettext as _

from satgas.core.spreadsheets import SpreadsheetError, read_table, text  # noqa: F401 (read_table: the one reader)
from satgas.core.text import strip_control

from .models import EmploymentType

COLUMNS = ["nama", "jenis_pegawai", "nip", "nik", "kode_unit", "jabatan", "pangkat_golongan", "email", "telepon"]
REQUIRED_COLUMNS = ["nama", "jenis_pegawai", "kode_unit"]
# Header spellings people use for the template's columns.
COLUMN_ALIASES = {
    "e_mail": "email",
    "no_hp": "telepon",
    "no_telepon": "telepon",
    "hp": "telepon",
    "pangkat": "pangkat_golongan",
    "golongan": "pangkat_golongan",
}
EXCEL_DIGITS = 15  # Excel keeps 15 significant digits of a number; the rest become zeros

# The one reader of uploaded spreadsheets, with its limits, lives in core (the attendance import reads through it
# too); a file that cannot be imported at all raises ``ImportFileError``, shown to the user.
ImportFileError = SpreadsheetError


def squash(value) -> str:
    return " ".join(text(value).split())


def number_text(value) -> str:
    """A NIP/NIK cell as text.

    A number cell that went through Excel has lost every digit after the 15th:
    a float, or an integer longer than 15 digits ending in zeros. It is shown
    as Excel shows it ("1.98609E+17") so that the identity validators explain
    the scientific-notation problem. Other integers kept every digit.
    """
    if isinstance(value, int | float) and not isinstance(value, bool) and abs(value) >= 1e11:
        digits = str(abs(value))
        if isinstance(value, float) or (len(digits) > EXCEL_DIGITS and not digits[EXCEL_DIGITS:].strip("0")):
            mantissa, exponent = f"{value:.5E}".split("E")
            return f"{mantissa.rstrip('0').rstrip('.')}E{exponent}"
    cell = text(value)
    return cell[1:] if cell.startswith("'") else cell  # a typed "'" forces text in Excel


def _column_key(value) -> str:
    key = re.sub(r"[\s\-_]+", "_", strip_control(text(value)).lower()).strip("_")
    return COLUMN_ALIASES.get(key, key)


def parse_header(table: list[list]) -> tuple[int, dict[str, int], list[str]]:
    """(header row index, {column: position}, warnings)."""
    header_at = next((i for i, row in enumerate(table) if any(text(v) for v in row)), None)
    if header_at is None:
        raise ImportFileError(_("The file is empty. Fill in the template and upload it again."))
    positions: dict[str, int] = {}
    unknown = []
    for position, cell in enumerate(table[header_at]):
        key = _column_key(cell)
        if not key:
            continue
        if key not in COLUMNS:
            unknown.append(strip_control(text(cell)))
        elif key in positions:
            raise ImportFileError(
                _("Column “%(column)s” appears more than once in the header row. Keep only one of them.")
                % {"column": key}
            )
        else:
            positions[key] = position
    missing = [c for c in REQUIRED_COLUMNS if c not in positions]
    if "nip" not in positions and "nik" not in positions:
        missing.append("nip / nik")
    if missing:
        raise ImportFileError(
            _(
                "Required columns are missing from the header row: %(missing)s. The first row must be the "
                "template's header row: %(columns)s."
            )
            % {"missing": ", ".join(missing), "columns": ", ".join(COLUMNS)}
        )
    warnings = []
    if unknown:
        warnings.append(
            _("These columns are not part of the template and were ignored: %(columns)s.")
            % {"columns": ", ".join(unknown)}
        )
    return header_at, positions, warnings


# --- Templates -------------------------------------------------------------------

_EXAMPLES = [
    [
        "Dr. Budi Santoso, S.H., M.H.",
        "PNS",
        "198609262015051001",
        "3374122609860003",
        "LAPAS-SMG",
        "Kepala Seksi Pembinaan",
        "Penata (III/c)",
        "budi.santoso@contoh.go.id",
        "0812-2345-6789",
    ],
    [
        "Siti Rahmawati, S.Kom.",
        "PPPK",
        "199003122022212007",
        "",
        "LAPAS-SMG",
        "Pranata Komputer Ahli Pertama",
        "IX",
        "siti.rahmawati@contoh.go.id",
        "0813 9876 5432",
    ],
    ["Slamet Riyadi", "PPNPN", "", "3374120504920001", "LAPAS-SMG", "Pengemudi", "", "", "+62 857-1234-5678"],
]


def template_xlsx() -> bytes:
    """The downloadable template: header, one example per employment type, NIP/NIK formatted as text."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Pegawai"
    sheet.append(COLUMNS)
    for example in _EXAMPLES:
        sheet.append(example)
    text_columns = [COLUMNS.index(name) + 1 for name in ("nip", "nik", "telepon")]
    for position, name in enumerate(COLUMNS, start=1):
        letter = get_column_letter(position)
        sheet[f"{letter}1"].font = Font(bold=True)
        widest = max(len(text) for text in [name, *(example[position - 1] for example in _EXAMPLES)])
        sheet.column_dimensions[letter].width = max(14, widest + 2)
        if position in text_columns:
            # Text format keeps all 18/16 digits (a number column would show 1.98609E+17 and drop digits).
            sheet.column_dimensions[letter].number_format = "@"
            for row in range(2, 2 + len(_EXAMPLES)):
                sheet[f"{letter}{row}"].number_format = "@"
    kinds = DataValidation(type="list", formula1='"' + ",".join(EmploymentType.values) + '"', allow_blank=False)
    sheet.add_data_validation(kinds)
    kinds.add(f"B2:B{20000 + 1}")
    sheet.freeze_panes = "A2"

    notes = workbook.create_sheet("Petunjuk")
    for line in (
        _("Fill in one employee per row on the first sheet; keep the header row as it is."),
        _("jenis_pegawai: PNS, PPPK or PPNPN."),
        _("nip: 18-digit NIP (PNS) or NI PPPK (PPPK); leave it empty for PPNPN."),
        _("nik: 16-digit NIK, required for PPNPN, optional for PNS and PPPK."),
        _("kode_unit: the unit code from the list of units."),
        _("Keep the nip and nik columns formatted as Text so that Excel keeps every digit."),
        _("Empty optional cells never erase data already in the registry."),
        _("Replace the example rows with your own data."),
    ):
        notes.append([line])
    notes.column_dimensions["A"].width = 100
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def template_csv() -> bytes:
    """The template as CSV: UTF-8 with BOM and semicolons, as Indonesian-locale Excel expects."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows(_EXAMPLES)
    return buffer.getvalue().encode("utf-8-sig")
