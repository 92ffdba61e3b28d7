"""The task-force journey in a real browser: an admin imports 12 employees of
unit A from an XLSX file, creates a task force for unit A, adds them as
members, activates it, generates the decree, records the inauguration and
prints the badges; a new member can then use their unit's pages and nothing
of unit B."""

import io
import re

import openpyxl
import pytest
from pypdf import PdfReader

from satgas.accounts.tests.factories import PASSWORD, UserFactory
from satgas.core.tests.browser import PHONE, login
from satgas.oaths.tests.factories import ElectionFactory
from satgas.personnel.models import Person
from satgas.personnel.tests.factories import PersonFactory, make_nip
from satgas.taskforces.models import Inauguration, TaskForce

from .factories import ROLES_2_2_8

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]
WORDS = {"LEADER": "ketua", "SECRETARY": "Sekretaris", "MEMBER": "ANGGOTA"}


def _pdf_text(page, selector) -> str:
    with page.expect_download() as info:
        page.locator(selector).click()
    reader = PdfReader(io.BytesIO(info.value.path().read_bytes()))
    return " ".join(" ".join(p.extract_text() for p in reader.pages).split())


def _members_xlsx(tmp_path, nips, unit_code):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Nama", "Jenis Pegawai", "NIP", "Kode Unit", "Jabatan"])
    for i, nip in enumerate(nips):
        ws.append([f"Anggota Satgas {i + 1}, S.H.", "PNS", nip, unit_code, "Pengelola Umum"])
    path = tmp_path / "calon-anggota.xlsx"
    buffer = io.BytesIO()
    wb.save(buffer)
    path.write_bytes(buffer.getvalue())
    return path


def test_admin_imports_people_appoints_a_taskforce_and_a_new_member_uses_it(
    open_page, live_server, admin_user, unit_a, unit_b, tmp_path
):
    election = ElectionFactory()
    stranger = PersonFactory(unit=unit_b)
    colleague = PersonFactory(unit=unit_a)
    nips = [make_nip(serial=700 + i) for i in range(len(ROLES_2_2_8))]

    admin = open_page()
    login(admin, live_server.url, admin_user.email, PASSWORD)
    # The future members come into the registry from the unit's spreadsheet.
    admin.get_by_role("navigation", name="Navigasi utama").get_by_role("link", name="Impor").click()
    admin.get_by_label("Berkas", exact=False).set_input_files(str(_members_xlsx(tmp_path, nips, unit_a.code)))
    admin.get_by_role("button", name=re.compile("Unggah")).click()
    admin.locator("[data-count=created]").wait_for()
    assert admin.locator("[data-count=created]").inner_text() == "12"
    admin.get_by_role("button", name=re.compile("Konfirmasi")).click()
    admin.get_by_text(re.compile("Diimpor pada")).wait_for()
    people = [Person.objects.get(nip=nip) for nip in nips]
    newcomer = UserFactory(email="anggota-baru@uji.test", person=people[5])

    admin.goto(f"{live_server.url}/satgas/?election={election.pk}")
    admin.locator(f"tr[data-unit='{unit_a.code}'] a[href*='/satgas/baru/']").click()
    admin.locator("main form button[type=submit]").click()
    admin.wait_for_url("**/satgas/*/")
    task_force = TaskForce.objects.get(unit=unit_a, election=election)

    admin.locator("#import-link").click()
    lines = "\n".join(f"{p.nip}; {WORDS[role]}" for p, role in zip(people, ROLES_2_2_8, strict=True))
    admin.fill("#id_lines", lines)
    admin.locator("#import-submit").click()
    admin.wait_for_url(f"**/satgas/{task_force.pk}/")
    assert admin.locator("#roster tbody tr").count() == 12

    admin.locator("#activate-form button[type=submit]").click()
    admin.locator("#taskforce-status").wait_for()
    assert TaskForce.objects.get(pk=task_force.pk).status == "ACTIVE"

    admin.locator("#decree-edit").click()
    admin.fill("#id_signatory_name", "Dr. Tejo Harwanto, S.H., M.H.")
    admin.fill("#id_signatory_title", "Kepala Kantor Wilayah")
    admin.locator("main form button[type=submit]").click()
    admin.locator("#decree-number").wait_for()
    number = TaskForce.objects.get(pk=task_force.pk).decree_number
    assert admin.locator("#decree-number").inner_text() == number
    decree = _pdf_text(admin, "#decree-pdf")
    assert number in decree and all(p.nip in decree for p in people)

    admin.locator("#inauguration-edit").click()
    admin.fill("#id_held_on", "2024-01-29")
    admin.fill("#id_place", "Aula Kresna Basudewa")
    admin.select_option("#id_mode", "VIDEO")
    admin.fill("#id_led_by", "Kepala Kantor Wilayah")
    admin.locator("#inauguration-submit").click()
    admin.locator("#inauguration").wait_for()
    assert Inauguration.objects.get(task_force=task_force).mode == "VIDEO"
    assert task_force.memberships.filter(inaugurated=True, badge_issued=True).count() == 12
    badges = _pdf_text(admin, "#badges-pdf")
    assert all(m.badge_code in badges for m in task_force.memberships.all())

    member = open_page(PHONE)
    login(member, live_server.url, newcomer.email, PASSWORD)
    member.goto(f"{live_server.url}/personel/")
    assert colleague.full_name in member.locator("main").inner_text()
    assert stranger.full_name not in member.locator("main").inner_text()
    assert member.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    member.goto(f"{live_server.url}/satgas/{task_force.pk}/")
    assert member.locator("#roster tbody tr").count() == 12
    assert member.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert member.locator("#decree-pdf").is_visible() and not member.locator("#import-link").count()
    member.goto(f"{live_server.url}/satgas/")
    assert member.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert member.goto(f"{live_server.url}/personel/{stranger.pk}/").status == 404
