"""CSV and XLSX downloads, safe to open in a spreadsheet.

Cells that start with ``=``, ``+``, ``-``, ``@`` (or a tab / carriage return)
would be run as formulas by Excel or LibreOffice; they are prefixed with an
apostrophe so they are shown as text.

Control characters (NUL, BEL, ESC...) cannot be written to XLSX at all (openpyxl
refuses them, and one bad name would make the whole download fail): every cell
and header passes through ``safe_cell``, which strips them first. Every XLSX and
CSV the application writes goes through it (reports' annex workbook included).
"""

import csv
import io
from collections.abc import Iterable, Sequence

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from .text import strip_control

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def safe_cell(value):
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    text = strip_control(str(value))
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def csv_response(*, filename: str, headers: Sequence[str], rows: Iterable[Sequence]) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")  # BOM: Excel then reads the file as UTF-8
    writer = csv.writer(response, delimiter=";")
    writer.writerow([safe_cell(h) for h in headers])
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    return response


def xlsx_bytes(*, sheet_title: str, headers: Sequence[str], rows: Iterable[Sequence], text_columns=()) -> bytes:
    """A one-sheet workbook; ``text_columns`` (indexes) are stored as text."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=strip_control(sheet_title, multiline=False)[:31])
    header_cells = []
    for h in headers:
        cell = WriteOnlyCell(ws, value=safe_cell(h))
        cell.font = Font(bold=True)
        header_cells.append(cell)
    ws.append(header_cells)
    for row in rows:
        out = []
        for i, value in enumerate(row):
            cell = WriteOnlyCell(ws, value=safe_cell(value))
            if i in text_columns:
                cell.number_format = "@"
            out.append(cell)
        ws.append(out)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def xlsx_response(*, filename: str, **kwargs) -> HttpResponse:
    response = HttpResponse(xlsx_bytes(**kwargs), content_type=XLSX_MIME)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
