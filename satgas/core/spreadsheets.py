"""The one reader of uploaded spreadsheets (XLSX and CSV): every import reads its file through ``read_table``.

A small upload can describe a huge table: a 1 MB XLSX may hold 1 GB of sheet XML, a row may list a million
cells, a sheet may claim a million rows. Before anything is parsed, the reader checks what the file holds against
``SpreadsheetLimits`` (settings ``SATGAS_SPREADSHEET_*``) and refuses with a message the user can act on:

* XLSX: the archive's members and uncompressed size (declared in the zip directory, and counted again while
  unpacking, ``core.archives``); then one streaming pass over every XML part (expat, constant memory) counts
  the sheets, the shared strings and, per worksheet, the rows, columns and cells that hold a value, refuses
  DTDs (entity expansion) and bounds the parts openpyxl reads whole (styles, workbook, relations). Only then
  openpyxl reads the first sheet (read-only, streamed), up to the last row and column that hold a value.
* CSV: the size of the file, then rows, columns and cells while reading.

Memory while refusing a bomb stays flat (a test measures it). Large files are read by Celery workers, never in
a web request: the personnel and attendance imports store the upload and read it in a task.
"""

import csv
import datetime as dt
import io
import os
import re
import zipfile
from dataclasses import dataclass
from xml.parsers import expat

from django.conf import settings
from django.utils.translation import gettext as _

from .archives import ArchiveTooLarge, open_zip

_XLSX_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Excel 97-2003 .xls
# Parts openpyxl reads whole into a tree (styles, workbook, relations, properties): at most this many elements.
_WHOLE_PART_MAX_ELEMENTS = 200_000
# Excel's own widest sheet; a row listing more cells than this is no spreadsheet.
_EXCEL_MAX_COLUMNS = 16_384
_CELL_REF = re.compile(r"([A-Za-z]{1,3})(\d*)$")


class SpreadsheetError(Exception):
    """The file cannot be read at all; ``str(exc)`` is shown to the user."""


@dataclass(frozen=True)
class SpreadsheetLimits:
    max_bytes: int  # the uploaded file
    max_uncompressed_bytes: int  # XLSX: all members unpacked
    max_members: int  # XLSX: files in the archive
    max_sheets: int
    max_rows: int
    max_columns: int
    max_cells: int

    @classmethod
    def from_settings(cls) -> "SpreadsheetLimits":
        return cls(
            max_bytes=settings.SATGAS_IMPORT_MAX_BYTES,
            max_uncompressed_bytes=settings.SATGAS_SPREADSHEET_MAX_UNCOMPRESSED_BYTES,
            max_members=settings.SATGAS_SPREADSHEET_MAX_MEMBERS,
            max_sheets=settings.SATGAS_SPREADSHEET_MAX_SHEETS,
            max_rows=settings.SATGAS_SPREADSHEET_MAX_ROWS,
            max_columns=settings.SATGAS_SPREADSHEET_MAX_COLUMNS,
            max_cells=settings.SATGAS_SPREADSHEET_MAX_CELLS,
        )


def _mb(value: int) -> str:
    return f"{value / 1_048_576:.0f}" if value >= 1_048_576 else f"{value / 1_048_576:.1f}"


def _too_large(reason: str) -> SpreadsheetError:
    return SpreadsheetError(
        _(
            "The file is too large to import: %(reason)s. Split it into smaller files (for example one per unit) "
            "and upload them one at a time."
        )
        % {"reason": reason}
    )


def _too_many_rows(limits: SpreadsheetLimits) -> SpreadsheetError:
    return _too_large(_("more than %(count)s rows") % {"count": f"{limits.max_rows:,}".replace(",", ".")})


def _too_many_columns(limits: SpreadsheetLimits) -> SpreadsheetError:
    return _too_large(_("more than %(count)s columns") % {"count": limits.max_columns})


def _too_many_cells(limits: SpreadsheetLimits) -> SpreadsheetError:
    return _too_large(_("more than %(count)s filled cells") % {"count": f"{limits.max_cells:,}".replace(",", ".")})


def _not_a_spreadsheet() -> SpreadsheetError:
    return SpreadsheetError(
        _(
            "The file could not be read as a spreadsheet. Save it from Excel as “Excel Workbook (.xlsx)” or "
            "“CSV UTF-8”, and upload it again."
        )
    )


def _empty() -> SpreadsheetError:
    return SpreadsheetError(_("The file is empty. Fill in the template and upload it again."))


# --- Entry point -------------------------------------------------------------------------------


def read_table(content: bytes, filename: str, *, limits: SpreadsheetLimits | None = None) -> list[list]:
    """The rows of the file's first sheet as lists of raw cell values (trailing empty cells dropped)."""
    limits = limits or SpreadsheetLimits.from_settings()
    if not content:
        raise _empty()
    if len(content) > limits.max_bytes:
        raise _too_large(
            _("%(size)s MB, at most %(limit)s MB") % {"size": _mb(len(content)), "limit": _mb(limits.max_bytes)}
        )
    extension = os.path.splitext(filename or "")[1].lower()
    if content.startswith(_XLSX_MAGIC):
        return _read_xlsx(content, limits)
    if content.startswith(_OLE_MAGIC) or extension == ".xls":
        raise SpreadsheetError(
            _(
                "This is an old Excel 97–2003 (.xls) file, which cannot be read. Open it in Excel, save it as "
                "“Excel Workbook (.xlsx)” or “CSV UTF-8”, and upload it again."
            )
        )
    if content.startswith(b"%PDF"):
        raise SpreadsheetError(
            _("This is a PDF file, not a spreadsheet. Fill in the template (.xlsx or CSV) and upload that instead.")
        )
    if extension in (".xlsx", ".xlsm"):
        raise SpreadsheetError(
            _(
                "The file is named .xlsx but is not a valid Excel workbook; it may be damaged. Open it in Excel, "
                "save it again as .xlsx and upload it again."
            )
        )
    return _read_csv(content, limits)


def _trimmed(row) -> list:
    row = list(row)
    while row and (row[-1] is None or row[-1] == ""):
        row.pop()
    return row


# --- XLSX ------------------------------------------------------------------------------------------


def _local(name: str) -> str:
    return name.rsplit(":", 1)[-1]


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - 64
    return number


class _PartScan:
    """One streaming pass over an XML part: what it is and how much it holds; refuses as soon as a limit passes."""

    def __init__(self, limits: SpreadsheetLimits):
        self.limits = limits
        self.root = ""
        self.elements = 0
        self.sheets = 0  # <sheet> entries of the workbook
        self.strings = 0  # <si> entries of the shared strings
        # Worksheets: the last row and column holding a value, and how many cells hold one.
        self.last_row = 0
        self.last_column = 0
        self.cells = 0
        self._row = 0
        self._column = 0
        self._row_cells = 0
        self._cell_has_value = False

    def start(self, name: str, attrs: dict) -> None:
        tag = _local(name)
        self.elements += 1
        if not self.root:
            self.root = tag
        if self.root == "worksheet":
            self._worksheet_start(tag, attrs)
            return
        if self.root == "sst":  # shared strings: streamed by openpyxl, but kept, one per <si>
            if tag == "si":
                self.strings += 1
                if self.strings > self.limits.max_cells:
                    raise _too_many_cells(self.limits)
            return
        if self.elements > _WHOLE_PART_MAX_ELEMENTS:
            raise _too_large(_("a part of the workbook is too large"))
        if self.root == "workbook" and tag == "sheet":
            self.sheets += 1
            if self.sheets > self.limits.max_sheets:
                raise _too_large(_("more than %(count)s sheets") % {"count": self.limits.max_sheets})

    def _worksheet_start(self, tag: str, attrs: dict) -> None:
        if tag == "row":
            reference = attrs.get("r", "")
            self._row = int(reference) if reference.isdigit() else self._row + 1
            self._column = 0
            self._row_cells = 0
        elif tag == "c":
            match = _CELL_REF.match(attrs.get("r", ""))
            self._column = _column_number(match.group(1)) if match else self._column + 1
            self._row_cells += 1
            if self._row_cells > _EXCEL_MAX_COLUMNS or self._column > _EXCEL_MAX_COLUMNS:
                raise _too_many_columns(self.limits)
            self._cell_has_value = attrs.get("t") == "inlineStr"
        elif tag in ("v", "f", "is"):
            self._cell_has_value = True

    def end(self, name: str) -> None:
        if self.root == "worksheet" and _local(name) == "c" and self._cell_has_value:
            self._cell_has_value = False
            self.cells += 1
            if self.cells > self.limits.max_cells:
                raise _too_many_cells(self.limits)
            if self._row > self.limits.max_rows:
                raise _too_many_rows(self.limits)
            if self._column > self.limits.max_columns:
                raise _too_many_columns(self.limits)
            self.last_row = max(self.last_row, self._row)
            self.last_column = max(self.last_column, self._column)


def _refuse_dtd(*_args) -> None:
    # Office files never carry a DTD; one could only serve entity expansion ("billion laughs") or external entities.
    raise _not_a_spreadsheet()


def _scan_part(archive, name: str, limits: SpreadsheetLimits) -> _PartScan:
    scan = _PartScan(limits)
    parser = expat.ParserCreate()
    parser.StartElementHandler = scan.start
    parser.EndElementHandler = scan.end
    parser.StartDoctypeDeclHandler = _refuse_dtd
    parser.EntityDeclHandler = _refuse_dtd
    with archive.open(name) as member:
        parser.ParseFile(member)
    return scan


def _read_xlsx(content: bytes, limits: SpreadsheetLimits) -> list[list]:
    try:
        with open_zip(
            io.BytesIO(content), max_members=limits.max_members, max_uncompressed=limits.max_uncompressed_bytes
        ) as archive:
            scans = {
                info.filename: _scan_part(archive, info.filename, limits)
                for info in archive.infolist()
                if info.filename.endswith((".xml", ".rels"))
            }
    except ArchiveTooLarge as exc:
        if exc.what == "members":
            raise _too_large(_("the workbook holds too many files")) from exc
        raise _too_large(
            _("it unpacks to more than %(limit)s MB") % {"limit": _mb(limits.max_uncompressed_bytes)}
        ) from exc
    except SpreadsheetError:
        raise
    except (zipfile.BadZipFile, expat.ExpatError, KeyError, ValueError, OSError, EOFError, RuntimeError) as exc:
        raise _not_a_spreadsheet() from exc
    return _read_first_sheet(content, scans)


def _read_first_sheet(content: bytes, scans: dict[str, _PartScan]) -> list[list]:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # BadZipFile, KeyError, InvalidFileException, XML errors: all mean "not readable"
        raise _not_a_spreadsheet() from exc
    try:
        if not workbook.worksheets:
            raise _not_a_spreadsheet()
        sheet = workbook.worksheets[0]
        scan = scans.get(getattr(sheet, "_worksheet_path", ""))
        if scan is None:
            raise _not_a_spreadsheet()
        if not scan.cells:
            return []
        # Only up to the last row and column holding a value: the stored dimensions may be wrong or inflated.
        rows = sheet.iter_rows(max_row=scan.last_row, max_col=scan.last_column, values_only=True)
        return [_trimmed(row) for row in rows]
    except SpreadsheetError:
        raise
    except Exception as exc:
        raise _not_a_spreadsheet() from exc
    finally:
        workbook.close()


# --- CSV -------------------------------------------------------------------------------------------


def _read_csv(content: bytes, limits: SpreadsheetLimits) -> list[list]:
    head = content[:4096]
    nul = head.count(b"\x00")
    if content.startswith((b"\xff\xfe", b"\xfe\xff")) or nul > len(head) // 4:
        raise SpreadsheetError(
            _(
                "The file is saved as “Unicode Text” (UTF-16). Save it as “CSV UTF-8 (comma delimited)” or as "
                ".xlsx, and upload it again."
            )
        )
    controls = sum(1 for byte in head if byte < 32 and byte not in b"\t\n\r")  # NUL included
    if controls * 10 > len(head):
        # An image or other binary file. (A stray NUL in a real CSV is reported on its row by the import.)
        raise _not_a_spreadsheet()
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = content.decode("cp1252")
        except UnicodeDecodeError:
            raise _not_a_spreadsheet() from None
    if not text.strip():
        raise _empty()
    first_line = text.lstrip("\r\n").split("\n", 1)[0]
    delimiter = max([",", ";", "\t"], key=first_line.count)  # ties keep the comma
    rows: list[list] = []
    filled = cells = 0
    try:
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            row = _trimmed(cell.strip() and cell for cell in row)
            if len(row) > limits.max_columns:
                raise _too_many_columns(limits)
            cells += sum(1 for cell in row if cell)
            filled += bool(row)
            if cells > limits.max_cells:
                raise _too_many_cells(limits)
            # Blank lines keep their place (row numbers), but a file of nothing else is refused too.
            if filled > limits.max_rows or len(rows) >= 2 * limits.max_rows:
                raise _too_many_rows(limits)
            rows.append(row)
    except csv.Error as exc:
        raise _not_a_spreadsheet() from exc
    return rows


# --- Cell values -------------------------------------------------------------------------------


def text(value) -> str:
    """A cell value as trimmed text (XLSX cells may be numbers or dates)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        return value.date().isoformat()
    return str(value).strip()
