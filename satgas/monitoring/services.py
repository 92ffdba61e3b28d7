"""Every change to monitoring data goes through here."""

import datetime as dt
import hashlib
import os

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from satgas.core.email import email_enqueue
from satgas.core.files import DOCX, JPEG, PDF, PNG, XLSX, check_upload, storage_name
from satgas.core.services import audit_record, diff_fields
from satgas.elections.models import Election, ElectionStage

from . import permissions, rules
from .models import (
    Attachment,
    Evaluation,
    FlaggedPost,
    MonitoringReport,
    Reminder,
    ReportStatus,
    ReportVersion,
    SocialMediaWatch,
    VulnerablePoint,
)

ATTACHMENT_KINDS = (PDF, JPEG, PNG, DOCX, XLSX)
REPORT_TEXT_FIELDS = ("activities", "other_media", "findings", "obstacles", "recommendations")
POINT_FIELDS = ("stage", "description", "likelihood", "impact", "mitigation", "owner", "status", "review_on")


class MonitoringError(Exception):
    """A monitoring rule was broken; ``code`` says which (see views.ERRORS)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def _require(allowed: bool) -> None:
    if not allowed:
        raise MonitoringError("forbidden")


def _values(obj, fields) -> dict:
    return {f: getattr(obj, f"{f}_id" if f == "stage" else f) for f in fields}


# --- Vulnerable points -------------------------------------------------------------


@transaction.atomic
def point_save(*, actor, unit, point: VulnerablePoint | None = None, **fields) -> VulnerablePoint:
    """Create or update a vulnerable point; the risk level follows likelihood and impact."""
    _require(permissions.can_write_unit(actor, unit.pk))
    if point is not None and point.unit_id != unit.pk:
        raise MonitoringError("forbidden")
    before = _values(point, POINT_FIELDS) if point else {}
    point = point or VulnerablePoint(unit=unit)
    for name, value in fields.items():
        if name not in POINT_FIELDS:
            raise TypeError(name)
        setattr(point, name, value)
    point.risk_level = rules.risk_level(likelihood=point.likelihood, impact=point.impact)
    point.full_clean()
    point.save()
    audit_record(
        actor=actor,
        action="monitoring.point_updated" if before else "monitoring.point_created",
        target=point,
        changes=diff_fields(before, _values(point, POINT_FIELDS)),
    )
    return point


# --- Reports -------------------------------------------------------------------------


@transaction.atomic
def report_start(*, actor, unit, period_start: dt.date) -> MonitoringReport:
    """The unit's report for the period containing ``period_start``, created as a draft if missing."""
    _require(permissions.can_file_report(actor, unit.pk))
    start, end = rules.period_containing(period_start)
    report, created = MonitoringReport.objects.get_or_create(
        unit=unit,
        period_start=start,
        defaults={"period_end": end, "due_on": rules.due_date(end), "created_by": actor},
    )
    if created:
        audit_record(actor=actor, action="monitoring.report_started", target=report)
    return report


def _lock_editable(actor, report: MonitoringReport) -> MonitoringReport:
    report = MonitoringReport.objects.select_for_update().get(pk=report.pk)
    _require(permissions.can_file_report(actor, report.unit_id))
    if not rules.is_editable(report.status):
        raise MonitoringError("locked")
    return report


@transaction.atomic
def report_update(*, actor, report: MonitoringReport, **fields) -> MonitoringReport:
    report = _lock_editable(actor, report)
    before = {f: getattr(report, f) for f in REPORT_TEXT_FIELDS}
    for name, value in fields.items():
        if name not in REPORT_TEXT_FIELDS:
            raise TypeError(name)
        setattr(report, name, value)
    report.full_clean()
    report.save()
    audit_record(
        actor=actor,
        action="monitoring.report_updated",
        target=report,
        changes=diff_fields(before, {f: getattr(report, f) for f in REPORT_TEXT_FIELDS}),
    )
    return report


@transaction.atomic
def watch_add(*, actor, report: MonitoringReport, platform: str, accounts: str, posts_reviewed: int):
    report = _lock_editable(actor, report)
    watch = SocialMediaWatch(report=report, platform=platform, accounts=accounts, posts_reviewed=posts_reviewed)
    watch.full_clean()
    watch.save()
    audit_record(actor=actor, action="monitoring.watch_added", target=report, note=platform)
    return watch


@transaction.atomic
def flagged_post_add(
    *, actor, report: MonitoringReport, platform: str, url: str, posted_on: dt.date, description: str
) -> FlaggedPost:
    report = _lock_editable(actor, report)
    if posted_on > timezone.localdate():
        raise MonitoringError("post_in_future")
    post = FlaggedPost(report=report, platform=platform, url=url, posted_on=posted_on, description=description)
    post.full_clean()
    post.save()
    audit_record(actor=actor, action="monitoring.post_flagged", target=report, note=url)
    return post


@transaction.atomic
def flagged_post_to_case(*, actor, post: FlaggedPost, now=None):
    """Turn a flagged post into a violation report (filed online by ``actor``) and link the case."""
    from satgas.violations.models import Channel, Intake, Platform
    from satgas.violations.services import case_report

    post = FlaggedPost.objects.select_for_update().select_related("report__unit").get(pk=post.pk)
    _require(permissions.can_flag_to_case(actor, post.report.unit_id))
    if post.case_id:
        raise MonitoringError("already_reported")
    platform = post.platform.upper() if post.platform.upper() in Platform.values else ""
    case, _code = case_report(
        actor=actor,
        intake=Intake.ONLINE,
        unit=post.report.unit,
        incident_date=post.posted_on,
        description=post.description,
        reported_description=post.description,
        channel=Channel.SOCIAL_MEDIA,
        platform=platform,
        channel_url=post.url,
        now=now,
    )
    post.case = case
    post.save(update_fields=["case"])
    audit_record(actor=actor, action="monitoring.post_reported", target=post.report, note=case.number)
    return case


def _safe_name(name: str) -> str:
    return os.path.basename((name or "").replace("\\", "/")).strip().lstrip(".")[:120] or "file"


@transaction.atomic
def attachment_add(*, actor, report: MonitoringReport, upload) -> Attachment:
    report = _lock_editable(actor, report)
    kind = check_upload(upload, kinds=ATTACHMENT_KINDS, max_bytes=settings.SATGAS_MONITORING_ATTACHMENT_MAX_BYTES)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    attachment = Attachment(
        report=report,
        display_name=_safe_name(upload.name),
        content_type=kind.content_type,
        size=upload.size,
        uploaded_by=actor,
    )
    attachment.file.save(storage_name("monitoring", kind), upload, save=False)
    attachment.full_clean()
    attachment.save()
    audit_record(actor=actor, action="monitoring.attachment_added", target=report, note=attachment.display_name)
    return attachment


def report_snapshot(report: MonitoringReport) -> dict:
    """What the regional office reviews, frozen as JSON (the computed coverage included)."""
    from . import selectors

    auto = selectors.report_auto_data(report)
    return {
        **{f: getattr(report, f) for f in REPORT_TEXT_FIELDS},
        "period_start": report.period_start.isoformat(),
        "period_end": report.period_end.isoformat(),
        "unit": str(report.unit),
        "sessions": [{"title": s.title, "date": s.starts_at.date().isoformat()} for s in auto["sessions"]],
        "oath_coverage": auto["oath_coverage"],
        "watches": [
            {"platform": w.platform, "accounts": w.accounts, "posts_reviewed": w.posts_reviewed}
            for w in report.watches.all()
        ],
        "flagged_posts": [
            {
                "platform": p.platform,
                "url": p.url,
                "date": p.posted_on.isoformat(),
                "description": p.description,
                "case": p.case.number if p.case_id else "",
            }
            for p in report.flagged_posts.select_related("case")
        ],
        "attachments": [a.display_name for a in report.attachments.all()],
    }


def _move(*, actor, report: MonitoringReport, to: str) -> tuple[MonitoringReport, str]:
    report = MonitoringReport.objects.select_for_update().select_related("unit").get(pk=report.pk)
    if not rules.is_allowed(report.status, to):
        raise MonitoringError("transition_forbidden")
    allowed = (
        permissions.can_review(actor)
        if to in rules.REVIEW_TARGETS
        else permissions.can_file_report(actor, report.unit_id)
    )
    _require(allowed)
    old = report.status
    report.status = to
    return report, old


@transaction.atomic
def report_submit(*, actor, report: MonitoringReport, now=None) -> MonitoringReport:
    now = now or timezone.now()
    report, old = _move(actor=actor, report=report, to=ReportStatus.SUBMITTED)
    report.submitted_at = now
    report.full_clean()
    report.save()
    number = report.versions.count() + 1
    ReportVersion.objects.create(
        report=report, number=number, snapshot=report_snapshot(report), submitted_at=now, submitted_by=actor
    )
    audit_record(
        actor=actor, action="monitoring.report_submitted", target=report, changes={"status": [old, report.status]}
    )
    return report


@transaction.atomic
def report_review(*, actor, report: MonitoringReport, to: str, comment: str = "") -> MonitoringReport:
    """Accept or return a submitted report; returning needs a comment."""
    if to not in rules.REVIEW_TARGETS:
        raise MonitoringError("transition_forbidden")
    if to == ReportStatus.RETURNED and not comment.strip():
        raise MonitoringError("comment_required")
    report, old = _move(actor=actor, report=report, to=to)
    report.review_comment = comment.strip()
    report.full_clean()
    report.save()
    report.versions.filter(number=report.versions.count()).update(outcome=to, outcome_comment=report.review_comment)
    audit_record(
        actor=actor, action="monitoring.report_reviewed", target=report, changes={"status": [old, to]}, note=comment
    )
    return report


# --- Evaluations ----------------------------------------------------------------------


@transaction.atomic
def evaluation_record(*, actor, unit, period_start: dt.date, score: int, notes: str = "") -> Evaluation:
    _require(permissions.can_evaluate(actor))
    start, _end = rules.period_containing(period_start)
    evaluation = Evaluation.objects.filter(unit=unit, period_start=start).first()
    before = {"score": evaluation.score, "notes": evaluation.notes} if evaluation else {}
    evaluation = evaluation or Evaluation(unit=unit, period_start=start)
    evaluation.score, evaluation.notes, evaluation.evaluated_by = score, notes, actor
    evaluation.full_clean()
    evaluation.save()
    audit_record(
        actor=actor,
        action="monitoring.evaluation_recorded",
        target=evaluation,
        changes=diff_fields(before, {"score": score, "notes": notes}),
    )
    return evaluation


# --- Reminders -------------------------------------------------------------------------


@transaction.atomic
def reminder_send(*, unit, period_start: dt.date, today: dt.date, overdue: bool, recipients: list[str]) -> bool:
    """Claim today's reminder for the unit and period (DB-unique) and email the task force; False if already sent."""
    _obj, created = Reminder.objects.get_or_create(
        unit=unit, period_start=period_start, sent_on=today, defaults={"overdue": overdue}
    )
    if not created or not recipients:
        return False
    _start, end = rules.period_containing(period_start)
    email_enqueue(
        to=recipients,
        template="monitoring_reminder",
        context={
            "unit": unit.name,
            "period_start": period_start.isoformat(),
            "period_end": end.isoformat(),
            "due_on": rules.due_date(end).isoformat(),
            "overdue": overdue,
        },
    )
    return True


# --- Elections and stages ----------------------------------------------------------------


@transaction.atomic
def election_save(*, actor, election: Election | None = None, **fields) -> Election:
    _require(permissions.can_manage_elections(actor))
    created = election is None
    election = election or Election()
    for name, value in fields.items():
        setattr(election, name, value)
    election.full_clean()
    election.save()
    audit_record(actor=actor, action="elections.created" if created else "elections.updated", target=election)
    return election


@transaction.atomic
def stage_save(*, actor, election: Election, stage: ElectionStage | None = None, **fields) -> ElectionStage:
    _require(permissions.can_manage_elections(actor))
    created = stage is None
    stage = stage or ElectionStage(election=election)
    for name, value in fields.items():
        setattr(stage, name, value)
    stage.full_clean()
    stage.save()
    audit_record(actor=actor, action="elections.stage_created" if created else "elections.stage_updated", target=stage)
    return stage
