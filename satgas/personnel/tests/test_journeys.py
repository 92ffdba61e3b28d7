"""User journeys of the registry in a real browser (Chromium via Playwright)."""

import io
import re

import openpyxl
import pytest

from satgas.accounts.tests.factories import PASSWORD
from satgas.core.tests.browser import PHONE, login
from satgas.personnel.models import Person
from satgas.personnel.tests.factories import make_nik, make_nip

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def _xlsx(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Nama", "Jenis Pegawai", "NIP", "NIK", "Kode Unit", "Jabatan"])
    ws.append(["Teguh Wibowo, S.H.", "PNS", make_nip(serial=501), None, "LAPAS-A", "Kepala Regu"])
    ws.append(["Wulan Sari", "PPNPN", None, make_nik(female=True, serial=502), "LAPAS-A", "Pramubakti"])
    ws.append(["Baris Rusak", "PNS", "12345", None, "LAPAS-A", None])
    path = tmp_path / "pegawai.xlsx"
    buffer = io.BytesIO()
    wb.save(buffer)
    path.write_bytes(buffer.getvalue())
    return path


def test_admin_imports_an_xlsx_with_preview_and_finds_the_people(open_page, live_server, admin_user, unit_a, tmp_path):
    page = open_page()
    login(page, live_server.url, admin_user.email, PASSWORD)
    page.get_by_role("navigation", name="Navigasi utama").get_by_role("link", name="Impor").click()
    page.get_by_label("Berkas", exact=False).set_input_files(str(_xlsx(tmp_path)))
    page.get_by_role("button", name=re.compile("Unggah")).click()

    page.locator("[data-count=created]").wait_for()
    assert page.locator("[data-count=created]").inner_text() == "2"
    assert page.locator("[data-count=invalid]").inner_text() == "1"
    assert page.get_by_role("cell", name="nip").count() >= 1
    assert not Person.objects.exists()

    page.get_by_role("button", name=re.compile("Konfirmasi")).click()
    page.get_by_text(re.compile("Diimpor pada")).wait_for()
    assert Person.objects.count() == 2

    page.get_by_role("link", name="Personel", exact=True).first.click()
    page.get_by_label("Cari").fill("teguh")
    page.get_by_role("button", name="Saring").click()
    page.get_by_role("link", name="Teguh Wibowo, S.H.").click()
    assert page.get_by_text("Kepala Regu", exact=True).is_visible()


def test_staff_on_a_phone_opens_their_own_record(open_page, live_server, staff_a):
    page = open_page(PHONE)
    login(page, live_server.url, staff_a.email, PASSWORD)
    page.get_by_role("button", name=re.compile("navigasi", re.I)).click()
    page.locator("#mainNav .dropdown-toggle").click()
    page.get_by_role("link", name="Data saya", exact=True).click()
    page.wait_for_url(f"**/personel/{staff_a.person_id}/")  # the menu animates; wait for the new page
    assert page.get_by_role("heading", level=1).inner_text() == staff_a.person.full_name
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
