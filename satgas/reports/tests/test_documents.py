"""The letter PDF and the XLSX, read back; the PDF renderer fetches nothing but static files.

One real generation (WeasyPrint) of the hand-counted region is made for the module, inside a
transaction that is rolled back; the tests read its documents and re-render from its snapshot.
"""

import io
from unittest import mock

import openpyxl
import pytest
import time_machine
from django.db import transaction
from pypdf import PdfReader

from satgas.core import pdf as core_pdf
from satgas.personnel.tests.factories import UnitFactory
from satgas.reports import documents, figures, wording
from satgas.reports.documents import render_letter_pdf as real_render_letter_pdf  # bound before fast_pdf patches
from satgas.reports.tests.factories import AFTER_2024_1, S2024_1, generate, hand_counted_region

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def made(django_db_setup, django_db_blocker):
    """The generated version as plain data: documents, snapshot, text, letter number and date."""
    with django_db_blocker.unblock(), transaction.atomic():
        region = UnitFactory(code="KWJATENG", name="Kanwil Jawa Tengah", unit_type="KANWIL", unit_class="")
        unit_a = UnitFactory(code="LAPAS-A", name="Lapas A", parent=region)
        unit_b = UnitFactory(code="LAPAS-B", name="Lapas B", parent=region)
        hand_counted_region(region, unit_a, unit_b)
        version = generate(office=region)
        data = {
            "pdf": bytes(version.pdf),
            "xlsx": bytes(version.xlsx),
            "snapshot": version.snapshot,
            "text": version.text,
            "letter_number": version.letter_number,
            "letter_date": version.letter_date,
            "number": version.number,
        }
        assert version.letter_number == version.report.letter_number
        transaction.set_rollback(True)
    return data


def render_kwargs(made, **changes) -> dict:
    return {
        "snapshot": made["snapshot"],
        "text": made["text"],
        "letter_number": made["letter_number"],
        "letter_date": made["letter_date"],
        "version": made["number"],
        **changes,
    }


def pdf_text(content) -> tuple[list[str], str]:
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(bytes(content))).pages]
    return pages, "\n".join(pages)


def flat(text: str) -> str:
    return " ".join(text.split())


def test_the_letter_pdf_read_back(made):
    """One generation, read back: the parts of an official letter, then the snapshot's numbers."""
    pages, text = pdf_text(made["pdf"])
    letter = flat(pages[0] + pages[1])
    number = made["letter_number"]
    assert f"Nomor : {number}" in letter and "Semarang, 1 Juli 2024" in letter
    assert "Sifat : Biasa" in letter and "Lampiran : Satu berkas" in letter
    assert "Hal : Laporan Hasil Monitoring dan Evaluasi Satgas Netralitas ASN dan PPNPN Semester I Tahun 2024" in letter
    assert "Yth. Sekretaris Jenderal Kementerian Hukum dan Hak Asasi Manusia" in letter
    assert "u.p. Kepala Biro Sumber Daya Manusia" in letter and "di Jakarta" in letter
    assert "Demikian laporan ini kami sampaikan" in letter
    assert "Kepala Kantor Wilayah," in letter
    assert "Dr. Tejo Harwanto, S.H., M.H." in letter and f"NIP {made['snapshot']['office']['head_nip']}" in letter
    assert "Ditandatangani secara elektronik" in letter
    assert (
        "Tembusan: 1. Menteri Hukum dan Hak Asasi Manusia Republik Indonesia (sebagai laporan) 2. Inspektur Jenderal"
        in letter
    )
    # The shared letterhead: ministry, office, address, phone, website, email.
    assert "KEMENTERIAN HUKUM DAN HAK ASASI MANUSIA" in letter and "KANWIL JAWA TENGAH" in letter
    assert "Jl. Dr. Cipto No. 64, Semarang" in letter
    assert "Telepon (024) 123456 · Laman jateng.kemenkumham.go.id · Pos-el kanwil@uji.test" in letter
    # The public verification page, absolute (the URL may wrap at a line end).
    assert "http://127.0.0.1:8000/verifikasi/laporan/" in letter.replace(" ", "")
    # Page numbers on every page.
    assert all(f"Halaman {n} dari {len(pages)}" in flat(page) for n, page in enumerate(pages, start=1))

    # The numbers are the snapshot's.
    text = flat(text)
    assert "Pegawai aktif (PNS / PPPK / PPNPN) 10 (7 / 1 / 2)" in text
    assert "Cakupan sosialisasi 50,0%" in text and "Cakupan penandatanganan 66,7%" in text
    assert "Laporan monitoring disampaikan / jatuh tempo 3 / 15" in text
    assert "Dugaan pelanggaran diterima 6" in text
    # Annex: its header, the tables with their totals, Indonesian numbers.
    assert f"LAMPIRAN SURAT KEPALA KANTOR WILAYAH NOMOR {number} TANGGAL 1 JULI 2024" in text
    assert "Unit lain (sudah nonaktif) 1 0 0 1" in text  # the row of the unit deactivated since
    assert "Jumlah 7 1 2 10" in text  # personnel totals
    assert "Jumlah 2 10 4 5 50,0%" in text  # socialization totals
    assert "Jumlah 15 3 5 4 1 1 12 3 63,3 55 1" in text  # monitoring totals
    assert "Sejak diterima sampai verifikasi selesai 3,0" in text
    assert "Sanksi moral: pernyataan secara tertutup 1" in text
    assert "Draf (belum ditetapkan)" in text  # Lapas B's task force is only a draft

    # Rendered again from the stored snapshot and text: the same words.
    assert pdf_text(real_render_letter_pdf(**render_kwargs(made)))[1] == pdf_text(made["pdf"])[1]


def test_long_tables_repeat_their_header_on_each_page(region):
    for n in range(35):
        UnitFactory(code=f"UPT-{n:02d}", name=f"Unit Pelaksana {n:02d}", parent=region)
    with time_machine.travel(AFTER_2024_1, tick=False):
        snapshot = figures.snapshot(office=region, semester=S2024_1, now=AFTER_2024_1)
    content = real_render_letter_pdf(
        snapshot=snapshot, text={"hal": "Uji"}, letter_number="X", letter_date=AFTER_2024_1.date(), version=1
    )
    pages, _text = pdf_text(content)
    annex = [p for p in pages if "Unit Pelaksana" in p]
    assert len(annex) > 2
    headed = [p for p in annex if "No Unit PNS PPPK PPNPN Jumlah" in flat(p)]
    assert len(headed) >= 2  # the personnel table spans two pages, each with the column headings


def test_the_xlsx_has_the_same_tables(made):
    book = openpyxl.load_workbook(io.BytesIO(made["xlsx"]))
    assert book.sheetnames[:5] == ["Ringkasan", "Rekapitulasi per unit", "Pegawai", "Sosialisasi", "Daftar sosialisasi"]
    overview = list(book["Rekapitulasi per unit"].iter_rows(values_only=True))
    assert overview[2] == ("Lapas A", 5, 60.0, 75.0, "Aktif", "2/5", 3, 3, 2)
    assert overview[3] == ("Lapas B", 3, 33.3, 50.0, "Draf (belum ditetapkan)", "1/5", 1, 2, 0)
    assert overview[4] == ("Unit lain (sudah nonaktif)", 1, 0.0, None, None, None, 0, 1, 0)  # "" cells are empty
    assert "Pelanggaran per kategori" in book.sheetnames and "Sanksi" in book.sheetnames
    summary = {row[0]: row[1] for row in book["Ringkasan"].iter_rows(values_only=True) if row[0]}
    assert summary["Nomor surat"] == made["letter_number"]
    assert summary["Dugaan pelanggaran diterima"] == "6"
    personnel = list(book["Pegawai"].iter_rows(values_only=True))
    assert personnel[0] == ("Unit", "PNS", "PPPK", "PPNPN", "Jumlah")
    assert book["Pegawai"]["A1"].font.bold
    assert personnel[1:] == [
        ("Kanwil Jawa Tengah", 1, 0, 0, 1),
        ("Lapas A", 3, 1, 1, 5),
        ("Lapas B", 2, 0, 1, 3),
        ("Unit lain (sudah nonaktif)", 1, 0, 0, 1),
        ("Jumlah", 7, 1, 2, 10),
    ]
    social = list(book["Sosialisasi"].iter_rows(values_only=True))
    assert social[2] == ("Lapas A", 1, 5, 2, 3, 60.0)  # numbers stay numbers
    assert book["Sosialisasi"]["F2"].number_format == '0.0"%"'
    monitoring = list(book["Monitoring"].iter_rows(values_only=True))
    assert monitoring[0][:9] == (
        "Unit",
        "Jatuh tempo",
        "Belum jatuh tempo",
        "Disusun",
        "Disampaikan",
        "Diterima",
        "Dikembalikan",
        "Belum disampaikan",
        "Evaluasi",
    )


def test_spreadsheet_formulas_in_names_are_neutralised(made):
    snapshot = {**made["snapshot"], "office": {**made["snapshot"]["office"], "name": '=HYPERLINK("http://x")'}}
    snapshot["personnel"] = {
        **snapshot["personnel"],
        "rows": [{**snapshot["personnel"]["rows"][0], "unit_name": "=1+1"}, *snapshot["personnel"]["rows"][1:]],
    }
    book = openpyxl.load_workbook(io.BytesIO(documents.render_xlsx(**render_kwargs(made, snapshot=snapshot))))
    assert book["Pegawai"]["A2"].value == "'=1+1"
    assert book["Ringkasan"]["B2"].value.startswith("'=")


def test_the_report_renderer_refuses_file_and_network_urls(made, settings, tmp_path):
    """A report template that asks for file://, http(s):// or internal addresses gets nothing."""
    secret = tmp_path / "rahasia.txt"
    secret.write_text("TOP-SECRET")
    override = tmp_path / "templates" / "documents"
    override.mkdir(parents=True)
    metadata = "http://169.254.169.254/latest/meta-data/"
    (override / "_letterhead.html").write_text(
        f'<link rel="stylesheet" href="file://{secret}"><img src="file://{secret}">'
        '<img src="http://127.0.0.1:9/logo.png"><img src="https://example.com/logo.png">'
        f'<img src="{metadata}"><p>KOP SURAT UJI</p>'
    )
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path / "templates", *settings.TEMPLATES[0]["DIRS"]]}]
    asked, refused = [], []
    real_fetch = core_pdf.StaticFilesFetcher.fetch

    def spy(self, url, *args, **kwargs):
        asked.append(url)
        try:
            return real_fetch(self, url, *args, **kwargs)
        except core_pdf.FetchRefused:
            refused.append(url)
            raise

    with mock.patch.object(core_pdf.StaticFilesFetcher, "fetch", spy):
        content = real_render_letter_pdf(**render_kwargs(made))
    text = pdf_text(content)[1]
    assert "KOP SURAT UJI" in text and "TOP-SECRET" not in text
    # Each of them was asked for and refused by the fetcher.
    assert {f"file://{secret}", "http://127.0.0.1:9/logo.png", "https://example.com/logo.png", metadata} <= set(refused)
    # Only the project's own static files were served.
    assert all(url.startswith(core_pdf.PDF_BASE_URL + "static/") for url in set(asked) - set(refused))


def test_indonesian_number_and_date_formats():
    assert wording.number_id(1234567) == "1.234.567"
    assert wording.percent_id(87.5) == "87,5%" and wording.percent_id(None) == "–"
    # Official figures round half up: 3.25 -> 3,3 (Python's round() would give 3.2).
    assert wording.number_id(3.25, 1) == "3,3"
    assert wording.number_id(2.5) == "3" and wording.number_id(0.05, 1) == "0,1"
    assert wording.percent_id(12.25) == "12,3%"
    assert wording.date_id("2024-07-01") == "1 Juli 2024"
    assert wording.date_id("2024-12-31T10:00:00+07:00") == "31 Desember 2024"


def test_a_large_region_gets_a_compact_pdf_annex(made, monkeypatch):
    from satgas.reports import tables

    context = render_kwargs(made, letter_number="X", version=1)
    full = [t["key"] for t in documents.letter_context(**context)["tables"]]
    assert "personnel" in full and "unit_overview" not in full and "unit_categories" not in full
    monkeypatch.setattr(tables, "PDF_DETAIL_MAX_UNITS", 2)
    compact = documents.letter_context(**context)["tables"]
    assert [t["key"] for t in compact] == [
        "unit_overview",
        "sessions",
        "points_by_stage",
        "categories",
        "sanctions",
        "timings",
    ]
    assert [c["text"] for c in compact[0]["rows"][1]] == [
        "Lapas A",
        "5",
        "60,0%",
        "75,0%",
        "Aktif",
        "2/5",
        "3",
        "3",
        "2",
    ]


def test_one_letterhead_for_every_official_document(region, unit_a):
    from django.template import Context, Template, loader

    region.address, region.phone, region.email = "Jl. Dr. Cipto No. 64, Semarang", "(024) 8415", "kanwil@uji.test"
    region.save()
    html = Template(
        "{% load letterhead %}{% letterhead_office unit as office %}"
        '{% include "documents/_letterhead.html" with office=office %}'
    ).render(Context({"unit": unit_a}))
    text = " ".join(html.split())
    assert "KEMENTERIAN HUKUM DAN HAK ASASI MANUSIA REPUBLIK INDONESIA" in text
    assert "KANWIL JAWA TENGAH" in text and "Lapas A" not in text  # the regional office of the unit
    assert "Jl. Dr. Cipto No. 64, Semarang" in text
    assert "Telepon (024) 8415 · Laman jateng.kemenkumham.go.id · Pos-el kanwil@uji.test" in text
    for name in ("oaths/statement_pdf.html", "taskforces/decree_pdf.html", "reports/letter_pdf.html"):
        source = loader.get_template(name).template.source
        assert 'include "documents/_letterhead.html"' in source and "KEMENTERIAN" not in source, name
