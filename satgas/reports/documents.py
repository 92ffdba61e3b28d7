"""The report's documents: the official letter with its annex (PDF) and the same tables as XLSX.

Both are rendered from a version's snapshot and text only, so a document made
again from a snapshot shows exactly the numbers that were frozen. The PDF goes
through ``satgas.core.pdf.render_pdf`` (its fetcher serves only the project's
static files), under ``translation.override("id")``.
"""

import datetime as dt
import hashlib
import io

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.text import slugify
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from satgas.core.exports import safe_cell
from satgas.core.pdf import render_pdf

from . import charts, tables, wording

PDF_TEMPLATE = "reports/letter_pdf.html"


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def verify_url() -> str:
    """The public page where anyone checks a document's SHA-256 (printed in the letter, the cover email)."""
    return f"{settings.SATGAS_SITE_URL}{reverse('report_verify')}"


def office_slug(office) -> str:
    """The office code as it may appear in file names, headers and paths (``KW JATENG/2`` -> ``kw-jateng2``)."""
    return slugify(office.code) or f"kantor-{office.pk}"


def attachment_names(report, version) -> tuple[str, str]:
    base = f"laporan-semester-{office_slug(report.office)}-{report.period}-v{version.number}"
    return f"{base}.pdf", f"{base}.xlsx"


def letter_context(*, snapshot: dict, text: dict, letter_number: str, letter_date: dt.date, version: int) -> dict:
    office = snapshot["office"]
    return {
        "snapshot": snapshot,
        "office": office,
        "period": snapshot["period"],
        "text": text,
        "paragraphs": {
            key: [p.strip() for p in (text.get(key) or "").split("\n") if p.strip()]
            for key in ("summary", "obstacles", "recommendations", "follow_up_plan")
        },
        "letter_number": letter_number,
        "letter_date": wording.date_id(letter_date),
        "place": settings.SATGAS_REPORT_PLACE,
        "addressee": settings.SATGAS_REPORT_ADDRESSEE,
        "addressee_via": settings.SATGAS_REPORT_ADDRESSEE_VIA,
        "addressee_place": settings.SATGAS_REPORT_ADDRESSEE_PLACE,
        "summary_rows": tables.summary_rows(snapshot),
        "tables": [tables.formatted(t) for t in tables.pdf_tables(snapshot)],
        "charts": charts.report_charts(snapshot),
        "tembusan": text.get("tembusan") or [],
        "verify_url": verify_url(),
        "version": version,
        "period_range": f"{wording.date_id(snapshot['period']['first_day'])} sampai dengan "
        f"{wording.date_id(snapshot['period']['last_day'])}",
    }


def render_letter_pdf(**kwargs) -> bytes:
    with translation.override("id"):
        return render_pdf(PDF_TEMPLATE, letter_context(**kwargs))


def _width(values) -> int:
    return min(60, max(8, *(len(str(v)) + 2 for v in values)))


def render_xlsx(*, snapshot: dict, text: dict, letter_number: str, letter_date: dt.date, version: int) -> bytes:
    """One sheet per annex table (header bold, formulas neutralised), after a summary sheet."""
    wb = Workbook()
    bold = Font(bold=True)
    summary = wb.active
    summary.title = "Ringkasan"
    period = snapshot["period"]
    head = [
        ("Laporan", f"Laporan Hasil Monitoring dan Evaluasi {period['title']}"),
        ("Kantor", snapshot["office"]["name"]),
        ("Periode", f"{period['first_day']} s.d. {period['last_day']}"),
        ("Nomor surat", letter_number),
        ("Tanggal surat", letter_date.isoformat()),
        ("Versi", version),
        ("", ""),
    ]
    for label, value in head + tables.summary_rows(snapshot):
        summary.append([safe_cell(label), safe_cell(value)])
        summary.cell(row=summary.max_row, column=1).font = bold
    summary.column_dimensions["A"].width = 42
    summary.column_dimensions["B"].width = 70
    for table in [tables.unit_overview(snapshot), *tables.annex_tables(snapshot)]:
        ws = wb.create_sheet(title=table.sheet[:31])
        ws.append([safe_cell(h) for h in table.headings])
        for cell in ws[1]:
            cell.font = bold
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for row in table.rows:
            ws.append([safe_cell(v) for v in row])
        if table.total:
            ws.append([safe_cell(v) for v in table.total])
            for cell in ws[ws.max_row]:
                cell.font = bold
        for index, kind in enumerate(table.kinds, start=1):
            letter = get_column_letter(index)
            if kind == "pct":
                for (cell,) in ws.iter_rows(min_row=2, min_col=index, max_col=index):
                    cell.number_format = '0.0"%"'
            elif kind == "dec":
                for (cell,) in ws.iter_rows(min_row=2, min_col=index, max_col=index):
                    cell.number_format = "0.0"
            column = [table.headings[index - 1]] + [r[index - 1] for r in table.rows[:200]]
            ws.column_dimensions[letter].width = _width(column)
        ws.freeze_panes = "B2"
        if table.note:
            ws.append([])
            ws.append([safe_cell(table.note)])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
