import datetime as dt
import itertools

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError
from django.urls import reverse

from satgas.core.models import AuditEvent
from satgas.monitoring import services
from satgas.monitoring.models import MonitoringReport, ReportStatus
from satgas.monitoring.tests.factories import ReportFactory
from satgas.violations.models import Case, Channel

S = ReportStatus
NOW = dt.datetime(2024, 2, 5, 3, 0, tzinfo=dt.UTC)
pytestmark = pytest.mark.django_db


@pytest.fixture
def report(taskforce_a, unit_a):
    return services.report_start(actor=taskforce_a, unit=unit_a, period_start=dt.date(2024, 1, 17))


def test_start_is_idempotent_and_normalises_the_period(report, taskforce_a, unit_a):
    assert (report.period_start, report.period_end, report.due_on) == (
        dt.date(2024, 1, 1),
        dt.date(2024, 1, 31),
        dt.date(2024, 2, 10),
    )
    assert services.report_start(actor=taskforce_a, unit=unit_a, period_start=dt.date(2024, 1, 31)) == report
    assert report.status == S.DRAFT


def test_one_report_per_unit_and_period_in_the_database(report, unit_a, taskforce_a):
    with pytest.raises(IntegrityError):
        ReportFactory(unit=unit_a, period_start=report.period_start, created_by=taskforce_a)


def test_other_unit_cannot_file(taskforce_b, unit_a):
    with pytest.raises(services.MonitoringError, match="forbidden"):
        services.report_start(actor=taskforce_b, unit=unit_a, period_start=dt.date(2024, 1, 1))


@time_machine.travel(NOW, tick=False)
def test_lifecycle_with_versions_return_and_resubmit(report, taskforce_a, admin_user):
    services.report_update(actor=taskforce_a, report=report, findings="First draft")
    services.watch_add(actor=taskforce_a, report=report, platform="Facebook", accounts="Grup A", posts_reviewed=12)
    report = services.report_submit(actor=taskforce_a, report=report)
    assert report.status == S.SUBMITTED

    # Locked: every editing service refuses, and the edit page too.
    with pytest.raises(services.MonitoringError, match="locked"):
        services.report_update(actor=taskforce_a, report=report, findings="sneaky")
    with pytest.raises(services.MonitoringError, match="locked"):
        services.watch_add(actor=taskforce_a, report=report, platform="X", accounts="a", posts_reviewed=1)
    with pytest.raises(services.MonitoringError, match="locked"):
        services.flagged_post_add(
            actor=taskforce_a,
            report=report,
            platform="X",
            url="https://x.com/a",
            posted_on=dt.date(2024, 1, 5),
            description="d",
        )
    report.refresh_from_db()
    assert report.findings == "First draft"

    # The unit cannot review its own report; returning needs a comment.
    with pytest.raises(services.MonitoringError, match="forbidden"):
        services.report_review(actor=taskforce_a, report=report, to=S.ACCEPTED)
    with pytest.raises(services.MonitoringError, match="comment_required"):
        services.report_review(actor=admin_user, report=report, to=S.RETURNED, comment=" ")
    report = services.report_review(actor=admin_user, report=report, to=S.RETURNED, comment="Add numbers")
    assert report.status == S.RETURNED and report.review_comment == "Add numbers"

    services.report_update(actor=taskforce_a, report=report, findings="Revised")
    report = services.report_submit(actor=taskforce_a, report=report)
    report = services.report_review(actor=admin_user, report=report, to=S.ACCEPTED)
    assert report.status == S.ACCEPTED

    v1, v2 = report.versions.order_by("number")
    assert (v1.number, v1.snapshot["findings"], v1.outcome, v1.outcome_comment) == (
        1,
        "First draft",
        S.RETURNED,
        "Add numbers",
    )
    assert (v2.number, v2.snapshot["findings"], v2.outcome) == (2, "Revised", S.ACCEPTED)
    assert v1.snapshot["watches"] == [{"platform": "Facebook", "accounts": "Grup A", "posts_reviewed": 12}]
    assert "oath_coverage" in v1.snapshot and "sessions" in v1.snapshot
    actions = set(AuditEvent.objects.filter(target_id=str(report.pk)).values_list("action", flat=True))
    assert {"monitoring.report_submitted", "monitoring.report_reviewed", "monitoring.report_updated"} <= actions


# No service moves a report back to DRAFT (rules.REPORT_TRANSITIONS has no such target: test_rules covers it).
@pytest.mark.parametrize("source,target", list(itertools.product(S.values, [S.SUBMITTED, S.ACCEPTED, S.RETURNED])))
def test_every_move_through_the_services(source, target, taskforce_a, admin_user, unit_a):
    report = ReportFactory(unit=unit_a, created_by=taskforce_a, status=source)
    allowed = (source, target) in {
        (S.DRAFT, S.SUBMITTED),
        (S.RETURNED, S.SUBMITTED),
        (S.SUBMITTED, S.ACCEPTED),
        (S.SUBMITTED, S.RETURNED),
    }
    if target == S.SUBMITTED:
        call = lambda: services.report_submit(actor=taskforce_a, report=report)  # noqa: E731
    else:
        call = lambda: services.report_review(actor=admin_user, report=report, to=target, comment="c")  # noqa: E731
    if allowed:
        assert call().status == target
    else:
        with pytest.raises(services.MonitoringError, match="transition_forbidden"):
            call()
        report.refresh_from_db()
        assert report.status == source


@time_machine.travel(NOW, tick=False)
def test_flagged_post_becomes_a_violation_case(report, taskforce_a):
    post = services.flagged_post_add(
        actor=taskforce_a,
        report=report,
        platform="Instagram",
        url="https://instagram.com/p/abc",
        posted_on=dt.date(2024, 1, 20),
        description="Pegawai mengunggah dukungan calon",
    )
    case = services.flagged_post_to_case(actor=taskforce_a, post=post)
    post.refresh_from_db()
    assert post.case == case
    assert (case.unit_id, case.channel, case.platform, case.channel_url) == (
        report.unit_id,
        Channel.SOCIAL_MEDIA,
        "INSTAGRAM",
        "https://instagram.com/p/abc",
    )
    assert case.incident_date == dt.date(2024, 1, 20)
    with pytest.raises(services.MonitoringError, match="already_reported"):
        services.flagged_post_to_case(actor=taskforce_a, post=post)
    assert Case.objects.count() == 1


def test_flagged_post_to_case_refused_for_other_unit(report, taskforce_a, taskforce_b):
    post = services.flagged_post_add(
        actor=taskforce_a,
        report=report,
        platform="X",
        url="https://x.com/a",
        posted_on=dt.date(2024, 1, 20),
        description="d",
    )
    with pytest.raises(services.MonitoringError, match="forbidden"):
        services.flagged_post_to_case(actor=taskforce_b, post=post)
    assert not Case.objects.exists()


def test_attachments_are_checked_by_content(report, taskforce_a):
    fake = SimpleUploadedFile("laporan.pdf", b"MZ not a pdf at all", content_type="application/pdf")
    with pytest.raises(ValidationError):
        services.attachment_add(actor=taskforce_a, report=report, upload=fake)
    pdf = SimpleUploadedFile("../laporan.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    attachment = services.attachment_add(actor=taskforce_a, report=report, upload=pdf)
    assert attachment.display_name == "laporan.pdf" and "laporan" not in attachment.file.name


@time_machine.travel(NOW, tick=False)
def test_submitted_report_edit_page_and_posts_refuse(client, report, taskforce_a):
    services.report_submit(actor=taskforce_a, report=report)
    client.force_login(taskforce_a)
    assert client.get(reverse("monitoring:report_edit", args=[report.pk])).status_code == 403
    response = client.post(reverse("monitoring:report_edit", args=[report.pk]), {"findings": "changed"})
    assert response.status_code == 403
    data = {"platform": "X", "accounts": "a", "posts_reviewed": 1}
    assert client.post(reverse("monitoring:watch_add", args=[report.pk]), data).status_code == 403
    report.refresh_from_db()
    assert report.findings == "" and not report.watches.exists()


@time_machine.travel(NOW, tick=False)
def test_journey_through_the_pages(client, report, taskforce_a, admin_user):
    client.force_login(taskforce_a)
    url = reverse("monitoring:report_edit", args=[report.pk])
    assert client.post(url, {"findings": "Nothing found", "activities": "Patrol"}).status_code == 302
    client.post(
        reverse("monitoring:post_add", args=[report.pk]),
        {"platform": "TikTok", "url": "https://tiktok.com/v/1", "posted_on": "2024-01-09", "description": "d"},
    )
    post = report.flagged_posts.get()
    assert client.post(reverse("monitoring:post_to_case", args=[post.pk])).status_code == 302
    assert client.post(reverse("monitoring:report_submit", args=[report.pk])).status_code == 302
    client.force_login(admin_user)
    review = reverse("monitoring:report_review", args=[report.pk])
    assert client.post(review, {"decision": "RETURNED", "comment": ""}).status_code == 400
    assert client.post(review, {"decision": "RETURNED", "comment": "More detail"}).status_code == 302
    client.force_login(taskforce_a)
    client.post(url, {"findings": "More detail given"})
    client.post(reverse("monitoring:report_submit", args=[report.pk]))
    client.force_login(admin_user)
    client.post(review, {"decision": "ACCEPTED"})
    evaluation = reverse("monitoring:evaluation_edit", args=[report.pk])
    assert client.post(evaluation, {"score": "101"}).status_code == 400
    assert client.post(evaluation, {"score": "82", "notes": "Good"}).status_code == 302
    report.refresh_from_db()
    assert report.status == S.ACCEPTED and report.versions.count() == 2
    assert report.flagged_posts.get().case is not None
    client.force_login(taskforce_a)
    page = client.get(reverse("monitoring:report_detail", args=[report.pk])).content.decode()
    assert "82/100" in page and report.flagged_posts.get().case.number in page
    version = client.get(reverse("monitoring:version_detail", args=[report.pk, 1])).content.decode()
    assert "Nothing found" in version and "More detail given" not in version
    assert MonitoringReport.objects.get().findings == "More detail given"


@time_machine.travel(NOW, tick=False)
def test_flagged_post_cannot_be_dated_in_the_future(report, taskforce_a):
    with pytest.raises(services.MonitoringError, match="post_in_future"):
        services.flagged_post_add(
            actor=taskforce_a,
            report=report,
            platform="X",
            url="https://x.com/a",
            posted_on=dt.date(2024, 2, 6),
            description="d",
        )


def test_units_see_only_their_own_evaluations(client, admin_user, taskforce_a, taskforce_b, unit_a, unit_b):
    services.evaluation_record(
        actor=admin_user, unit=unit_a, period_start=dt.date(2024, 1, 9), score=91, notes="A-notes"
    )
    services.evaluation_record(
        actor=admin_user, unit=unit_b, period_start=dt.date(2024, 1, 9), score=42, notes="B-notes"
    )
    with pytest.raises(services.MonitoringError, match="forbidden"):
        services.evaluation_record(actor=taskforce_a, unit=unit_a, period_start=dt.date(2024, 1, 1), score=100)
    client.force_login(taskforce_a)
    page = client.get(reverse("monitoring:evaluation_list")).content.decode()
    assert "A-notes" in page and "B-notes" not in page
    client.force_login(admin_user)
    page = client.get(reverse("monitoring:evaluation_list")).content.decode()
    assert "A-notes" in page and "B-notes" in page


def test_only_admins_edit_elections(taskforce_a, admin_user):
    with pytest.raises(services.MonitoringError, match="forbidden"):
        services.election_save(
            actor=taskforce_a,
            name="X",
            kind="GENERAL",
            voting_day=dt.date(2029, 2, 14),
            starts_on=dt.date(2028, 1, 1),
            ends_on=dt.date(2029, 12, 31),
        )
