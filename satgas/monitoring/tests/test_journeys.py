"""Monitoring journey in a real browser: a task-force member files a monthly
report with a social-media log and a flagged post that becomes a violation
case, submits; the admin returns it; the member revises; the admin accepts and
evaluates."""

import pytest

from satgas.accounts.tests.factories import PASSWORD
from satgas.core.tests.browser import login
from satgas.monitoring.models import MonitoringReport
from satgas.violations.models import Case

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_report_filed_returned_revised_accepted(open_page, live_server, admin_user, taskforce_a, unit_a):
    member = open_page()
    login(member, live_server.url, taskforce_a.email, PASSWORD)
    member.goto(f"{live_server.url}/monitoring/")
    start = member.locator("form[action$='/monitoring/mulai/']")
    start.locator("select[name=unit]").select_option(str(unit_a.pk))
    start.locator("button[type=submit]").click()
    member.wait_for_url("**/ubah/")
    member.fill("#id_findings", "Satu unggahan kampanye di grup kantor.")
    with member.expect_navigation():
        member.locator("main form").first.locator("button[type=submit]").first.click()

    member.goto(member.url if member.url.endswith("/ubah/") else member.url.rstrip("/") + "/ubah/")
    watch = member.locator("form[action$='/medsos/']")
    watch.locator("[name=platform]").fill("Facebook")
    watch.locator("[name=accounts]").fill("Grup Pegawai Lapas A")
    watch.locator("[name=posts_reviewed]").fill("120")
    with member.expect_navigation():
        watch.locator("button[type=submit]").click()
    post = member.locator("form[action$='/temuan/']")
    post.locator("[name=platform]").fill("Facebook")
    post.locator("[name=url]").fill("https://facebook.com/groups/pegawai/posts/1")
    report = MonitoringReport.objects.get()
    post.locator("[name=posted_on]").fill(report.period_start.isoformat())
    post.locator("[name=description]").fill("Membagikan materi kampanye calon.")
    with member.expect_navigation():
        post.locator("button[type=submit]").click()

    member.goto(f"{live_server.url}/monitoring/laporan/{report.pk}/")
    with member.expect_navigation():
        member.locator("form[action$='/lapor/'] button[type=submit]").click()
    case = Case.objects.get()
    assert member.get_by_role("link", name=case.number).is_visible()
    with member.expect_navigation():
        member.locator("form[action$='/kirim/'] button[type=submit]").click()
    report.refresh_from_db()
    assert report.status == "SUBMITTED"

    admin = open_page()
    login(admin, live_server.url, admin_user.email, PASSWORD)
    admin.goto(f"{live_server.url}/monitoring/laporan/{report.pk}/")
    review = admin.locator("form[action$='/tinjau/']")
    review.locator("select[name=decision]").select_option("RETURNED")
    review.locator("textarea[name=comment]").fill("Lengkapi tindak lanjut atas unggahan tersebut.")
    with admin.expect_navigation():
        review.locator("button[type=submit]").click()
    report.refresh_from_db()
    assert report.status == "RETURNED"

    member.goto(f"{live_server.url}/monitoring/laporan/{report.pk}/ubah/")
    member.fill("#id_recommendations", "Unggahan dilaporkan sebagai dugaan pelanggaran.")
    with member.expect_navigation():
        member.locator("main form").first.locator("button[type=submit]").first.click()
    member.goto(f"{live_server.url}/monitoring/laporan/{report.pk}/")
    with member.expect_navigation():
        member.locator("form[action$='/kirim/'] button[type=submit]").click()

    admin.goto(f"{live_server.url}/monitoring/laporan/{report.pk}/")
    review = admin.locator("form[action$='/tinjau/']")
    review.locator("select[name=decision]").select_option("ACCEPTED")
    with admin.expect_navigation():
        review.locator("button[type=submit]").click()
    admin.goto(f"{live_server.url}/monitoring/laporan/{report.pk}/evaluasi/")
    admin.fill("#id_score", "82")
    with admin.expect_navigation():
        admin.locator("main form button[type=submit]").first.click()
    report.refresh_from_db()
    assert report.status == "ACCEPTED" and report.versions.count() == 2
    member.goto(f"{live_server.url}/monitoring/laporan/{report.pk}/")
    assert "82" in member.locator("main").inner_text()
