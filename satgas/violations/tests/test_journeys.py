"""Violation journey in a real browser: an anonymous person reports on a phone
and later follows the case with the receipt code; a handler takes it through
verification and clarification to a decision and writes to the reporter."""

import datetime as dt
import re

import pytest

from satgas.accounts.tests.factories import PASSWORD
from satgas.core.tests.browser import PHONE, login
from satgas.violations.models import Case, ViolationCategory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def _move(page, case, to, reason):
    form = page.locator(f"form[action$='/{case.pk}/status/']")
    form.locator("select[name=to]").select_option(to)
    form.locator("textarea[name=reason]").fill(reason)
    with page.expect_navigation():
        form.locator("button[type=submit]").click()


def test_anonymous_report_followed_with_the_receipt_code(open_page, live_server, admin_user, unit_a):
    # Seeded by a data migration, but transactional tests before this one may have flushed the table.
    ViolationCategory.objects.get_or_create(
        code="etik-media-sosial", defaults={"kind": "ETHICS", "name": "Mempromosikan bakal calon di media sosial"}
    )
    phone = open_page(PHONE)
    phone.goto(f"{live_server.url}/lapor/")
    phone.locator("select[name=unit]").select_option(str(unit_a.pk))
    phone.fill("#id_incident_date", (dt.date.today() - dt.timedelta(days=2)).isoformat())
    phone.locator("input[name=categories]").first.check()
    phone.locator("select[name=channel]").select_option("SOCIAL_MEDIA")
    phone.locator("select[name=platform]").select_option("FACEBOOK")
    phone.fill("#id_reported_description", "Seorang petugas regu pengamanan")
    phone.fill("#id_description", "Membagikan unggahan kampanye salah satu calon di grup WhatsApp kantor.")
    phone.locator("main form button[type=submit]").first.click()
    code = phone.locator("[data-receipt-code]").inner_text().strip()
    assert re.fullmatch(r"[0-9 ]{16,}", code)
    case = Case.objects.get()
    assert case.unit == unit_a and case.status == "RECEIVED"

    handler = open_page()
    login(handler, live_server.url, admin_user.email, PASSWORD)
    handler.goto(f"{live_server.url}/pelanggaran/")
    handler.get_by_role("link", name=case.number).click()
    for status, reason in [
        ("VERIFICATION", "Laporan lengkap, diverifikasi."),
        ("CLARIFICATION", "Undang terlapor dan atasan."),
        ("DECISION", "Klarifikasi selesai."),
        ("PROVEN", "Terbukti membagikan materi kampanye."),
    ]:
        _move(handler, case, status, reason)
    message = handler.locator(f"form[action$='/{case.pk}/pesan/']")
    message.locator("textarea").fill("Terima kasih, laporan Anda terbukti dan ditindaklanjuti.")
    with handler.expect_navigation():
        message.locator("button[type=submit]").click()
    case.refresh_from_db()
    assert case.status == "PROVEN"
    # Flash messages (not the reporter's messages) appear at the top of the page.
    assert "ditindaklanjuti" not in handler.locator("main > div[aria-live]").inner_text()

    phone.goto(f"{live_server.url}/lapor/status/")
    phone.fill("#id_code", code)
    phone.locator("main form button[type=submit]").first.click()
    assert phone.locator("[data-status]").get_attribute("data-status") == "PROVEN"
    assert "ditindaklanjuti" in phone.locator("main").inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
