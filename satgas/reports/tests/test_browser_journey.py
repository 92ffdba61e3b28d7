"""Six-monthly report journey in a real browser: an admin generates the 2024-1 report, edits the
narrative, approves and sends it; the email with both attachments reaches a real SMTP server on
loopback (Celery runs eagerly here); the archive shows it delivered with its hash."""

import pytest

from satgas.accounts.tests.factories import PASSWORD
from satgas.core.tests.browser import accessibility_problems, login
from satgas.core.tests.smtp import smtp_server, text_of
from satgas.reports.models import ReportStatus, SemesterReport
from satgas.reports.tests.factories import approver, hand_counted_region

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_generate_edit_approve_send_and_find_in_the_archive(
    open_page, live_server, settings, admin_user, region, unit_a, unit_b
):
    hand_counted_region(region, unit_a, unit_b)
    approver(admin_user)
    problems = []
    with smtp_server() as (inbox, port):
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        page = open_page()
        login(page, live_server.url, admin_user.email, PASSWORD)
        page.goto(f"{live_server.url}/")
        with page.expect_navigation():
            page.locator("#mainNav a[href='/laporan-semester/']").click()
        problems.append(accessibility_problems(page, "report archive (empty)"))
        with page.expect_navigation():
            page.locator("main nav a[href$='/buat/']").click()
        problems.append(accessibility_problems(page, "generate a report"))
        page.locator("select[name=office]").select_option(str(region.pk))
        page.locator("select[name=period]").select_option("2024-1")
        with page.expect_navigation(timeout=60_000):
            page.locator("main form button[type=submit]").click()
        report = SemesterReport.objects.get(office=region, year=2024, half=1)
        assert page.url.endswith(f"/laporan-semester/{report.pk}/")
        assert "Semester I Tahun 2024" in page.locator("h1").inner_text()
        problems.append(accessibility_problems(page, "report detail (draft)"))

        page.fill("#id_summary", "Ringkasan disunting oleh admin: seluruh unit telah melapor.")
        page.fill("#id_sifat", "Segera")
        with page.expect_navigation(timeout=60_000):
            page.locator("form[action*='/teks/'] button[type=submit]").click()
        assert page.locator("tr[data-version='2']").is_visible()
        report.refresh_from_db()
        assert report.summary.startswith("Ringkasan disunting") and report.versions.count() == 2

        with page.expect_navigation():
            page.locator("form[action$='/setujui/'] button[type=submit]").click()
        report.refresh_from_db()
        assert report.status == ReportStatus.APPROVED and report.approved_version.number == 2
        with page.expect_navigation(timeout=60_000):
            page.locator("form[action$='/kirim/'] button[type=submit]").click()
        report.refresh_from_db()
        assert report.status == ReportStatus.DELIVERED
        problems.append(accessibility_problems(page, "report detail (delivered)"))

        [message] = inbox.messages
        assert message["X-Envelope-To"] == "biro.sdm@kemenkumham.go.id"
        assert report.letter_number in message["Subject"] and "Dengan hormat" in text_of(message)
        attachments = {p.get_filename(): p.get_payload(decode=True) for p in message.walk() if p.get_filename()}
        assert set(attachments) == {
            "laporan-semester-kwjateng-2024-1-v2.pdf",
            "laporan-semester-kwjateng-2024-1-v2.xlsx",
        }
        version = report.approved_version
        assert attachments["laporan-semester-kwjateng-2024-1-v2.pdf"] == bytes(version.pdf)

        page.goto(f"{live_server.url}/laporan-semester/")
        row = page.locator(f"tr[data-report='{report.pk}']")
        assert row.locator("[data-status='DELIVERED']").is_visible()
        assert version.pdf_sha256 in row.inner_text()
        problems.append(accessibility_problems(page, "report archive (delivered)"))

        page.goto(f"{live_server.url}/laporan-semester/verifikasi/")
        page.fill("#id_sha256", version.pdf_sha256)
        with page.expect_navigation():
            page.locator("main form button[type=submit]").click()
        assert "biro.sdm@kemenkumham.go.id" in page.locator("#verification-result").inner_text()
        problems.append(accessibility_problems(page, "verify a document"))

        # The public page the letter and the cover email point to: only whether and when it was delivered.
        page.goto(f"{live_server.url}/verifikasi/laporan/")
        page.fill("#id_sha256", version.pdf_sha256)
        with page.expect_navigation():
            page.locator("main form button[type=submit]").click()
        result = page.locator("#verification-result")
        assert result.locator("[data-delivered='yes']").is_visible()
        assert "biro.sdm@kemenkumham.go.id" not in result.inner_text()
        problems.append(accessibility_problems(page, "public report verification"))
    problems = [p for p in problems if p]
    assert not problems, "\n".join(problems)
