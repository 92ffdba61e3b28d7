"""Delivery of an approved report by email, exactly once (called by the Celery task).

1. Build the whole message first (PDF and XLSX of the approved version, headers,
   the bytes that will go on the wire): a failure there sends nothing and is a
   definite failure (FAILED with the real error, admins alerted).
2. Claim: ``UPDATE … SET status=SENDING, claim_token=<new uuid> WHERE id=… AND
   status IN rules.sources_of("claim")``, committed before any SMTP traffic.
   Only one task can turn QUEUED into SENDING; a duplicate or retried task that
   changes no row does not send.
3. Send, watching how far the SMTP conversation got (``smtplib.SMTP.data`` is
   wrapped to note that DATA started):

   * a failure *before* DATA (connect, EHLO/STARTTLS/AUTH, MAIL FROM or RCPT
     refused) or an explicit refusal of the message (``SMTPDataError``) is
     safe to retry: the claim is released (SENDING → QUEUED, conditional on the
     token) and the task retries with exponential backoff; once the attempts
     (counted in the database at each claim, reset when an admin resends) are
     used up the report becomes FAILED and the admins are emailed;
   * anything raised *once DATA started* (the connection dropped or timed out
     while waiting for the reply to the final ".") is ambiguous: the server may
     have accepted the message. It is treated like an expired lease: FAILED
     with the reason "delivery interrupted; check the mailbox before sending
     again", admins alerted, never resent automatically. Email backends other
     than SMTP (files, memory, console) cannot say how far they got: any of
     their failures counts as ambiguous.
4. Record DELIVERED (message id, time, recipients the server refused) with an
   update conditional on the claim token.

A worker that dies after claiming leaves SENDING behind. Whoever finds that
claim later — the task redelivered thanks to ``acks_late`` and
``reject_on_worker_lost``, a duplicate, or the sweep — must not send blindly:
the SMTP conversation may have completed. While the claim is younger than the
lease (``SATGAS_REPORT_SEND_LEASE_SECONDS``, to be kept longer than the task's
hard time limit) the finder retries after the lease; once it is older, the
report becomes FAILED (interrupted) and the admins are emailed. An admin may
then resend (FAILED → QUEUED) after checking. So a retried, duplicated or
crashed task never sends a second copy on its own, and a delivery is never
dropped silently: it ends DELIVERED or FAILED with an alert.

Every status change here is a move of ``rules.MOVES`` (claim, release, deliver,
confirm_late, fail, interrupt), applied by a conditional update whose allowed
sources come from ``rules``; the audit records the source the row really had.
"""

import datetime as dt
import logging
import smtplib
import uuid
from dataclasses import dataclass
from urllib.parse import urlsplit

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone, translation

from satgas.core.exports import XLSX_MIME
from satgas.core.services import audit_record
from satgas.core.smtp import Outgoing, Progress, outgoing
from satgas.core.smtp import transmit as smtp_transmit

from . import documents, notify, rules
from .models import ReportStatus, SemesterReport

logger = logging.getLogger(__name__)
S = ReportStatus

INTERRUPTED = "delivery interrupted; check the mailbox before sending again"
RETRY_BASE_SECONDS = 60
RETRY_MAX_SECONDS = 3600
# The delivery task's time limits; the lease must be longer than the hard one (a system check warns).
DELIVERY_TIME_LIMIT = 180
DELIVERY_SOFT_TIME_LIMIT = 150


@dataclass(frozen=True)
class Delivery:
    """What one delivery attempt did: ``code`` and, when the task should run again, after how long."""

    code: str
    retry_in: float | None = None


def lease_seconds() -> int:
    return settings.SATGAS_REPORT_SEND_LEASE_SECONDS


def max_attempts() -> int:
    return settings.SATGAS_REPORT_SEND_MAX_RETRIES + 1


def backoff_seconds(attempts: int) -> int:
    return min(RETRY_MAX_SECONDS, RETRY_BASE_SECONDS * 2 ** max(0, attempts - 1))


# --- The message ---------------------------------------------------------------------------------


def message_id(report: SemesterReport, version) -> str:
    """Stable per report and version: a second copy, should one ever leave, carries the same id."""
    domain = urlsplit(settings.SATGAS_SITE_URL).hostname or "satgas.localhost"
    slug = documents.office_slug(report.office)
    return f"<laporan-semester.{slug}.{report.period}.v{version.number}.{report.pk}@{domain}>"


def delivery_email(report: SemesterReport) -> EmailMultiAlternatives:
    """The cover email to Biro SDM with the approved version's PDF and XLSX attached (Indonesian)."""
    version = report.approved_version
    context = {
        "report": report,
        "version": version,
        "office": report.office,
        "period_title": report.period.title_id,
        "hal": version.text.get("hal", ""),
        "letter_number": version.letter_number or report.letter_number,
        "addressee": settings.SATGAS_REPORT_ADDRESSEE,
        "addressee_via": settings.SATGAS_REPORT_ADDRESSEE_VIA,
        "pdf_sha256": version.pdf_sha256,
        "verify_url": documents.verify_url(),
    }
    with translation.override("id"):
        subject = " ".join(render_to_string("emails/semester_report_delivery_subject.txt", context).split())
        text = render_to_string("emails/semester_report_delivery.txt", context)
        html = render_to_string("emails/semester_report_delivery.html", context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=list(report.recipients_to),
        cc=list(report.recipients_cc),
        headers={"Message-ID": message_id(report, version)},
    )
    message.attach_alternative(html, "text/html")
    pdf_name, xlsx_name = documents.attachment_names(report, version)
    message.attach(pdf_name, bytes(version.pdf), "application/pdf")
    message.attach(xlsx_name, bytes(version.xlsx), XLSX_MIME)
    return message


def outgoing_for(report: SemesterReport) -> Outgoing:
    return outgoing(delivery_email(report))


def transmit(item: Outgoing, progress: Progress) -> dict[str, str]:
    """Send ``item`` with the configured backend (``satgas.core.smtp``); returns the recipients the server refused
    (``{address: "550 reason"}``) while accepting the message for the others."""
    return smtp_transmit(item, progress)


def _describe(exc: BaseException, prefix: str = "") -> str:
    text = f"{exc.__class__.__name__}: {exc}"
    return (f"{prefix}: {text}" if prefix else text)[:1000]


# --- The moves (conditional updates; sources and targets from rules.MOVES) -------------------------


def claim(*, report_id: int, now: dt.datetime):
    """QUEUED → SENDING with a fresh token, committed before any SMTP traffic; ``None`` when another
    task has it (or it is not queued)."""
    token = uuid.uuid4()
    changed = SemesterReport.objects.filter(pk=report_id, status__in=rules.sources_of("claim")).update(
        status=rules.target_of("claim"),
        claim_token=token,
        claimed_at=now,
        attempts=F("attempts") + 1,
        updated_at=now,
    )
    return token if changed else None


def _apply(*moves: str, report_id: int, token, now: dt.datetime, **fields) -> str | None:
    """Apply the first of ``moves`` (all with the same target) whose sources hold the row, if the
    report still carries ``token``; returns the status it really had (for the audit), or ``None``."""
    targets = {rules.target_of(move) for move in moves}
    if len(targets) != 1:
        raise ValueError(f"moves with different targets: {moves}")
    sources = frozenset().union(*(rules.sources_of(move) for move in moves))
    with transaction.atomic():
        source = (
            SemesterReport.objects.select_for_update()
            .filter(pk=report_id, claim_token=token, status__in=sources)
            .values_list("status", flat=True)
            .first()
        )
        if source is None:
            return None
        SemesterReport.objects.filter(pk=report_id).update(status=targets.pop(), updated_at=now, **fields)
    return source


def _report(report_id: int) -> SemesterReport:
    return SemesterReport.objects.select_related("office").get(pk=report_id)


def release(*, report_id: int, token, error: str, attempt: int, now: dt.datetime) -> bool:
    """SENDING → QUEUED: the attempt failed before the server could have the message; a retry may claim it."""
    with transaction.atomic():
        source = _apply("release", report_id=report_id, token=token, now=now, last_error=error)
        if source:
            audit_record(
                actor=None,
                action="report.delivery_retry",
                target=_report(report_id),
                changes={"status": [source, rules.target_of("release")]},
                note=f"attempt {attempt}: {error}",
            )
    return bool(source)


def fail(*, report_id: int, token, error: str, attempt: int, now: dt.datetime) -> bool:
    """SENDING → FAILED for good (retries used up, or a definite failure); the admins are emailed."""
    with transaction.atomic():
        source = _apply("fail", report_id=report_id, token=token, now=now, last_error=error)
        if source:
            report = _report(report_id)
            audit_record(
                actor=None,
                action="report.delivery_failed",
                target=report,
                changes={"status": [source, rules.target_of("fail")]},
                note=f"attempt {attempt}: {error}",
            )
            notify.notify_admins(report, "semester_report_failed", error=error, interrupted=False)
    return bool(source)


def interrupt(*, report_id: int, token, now: dt.datetime, cause: str = "") -> bool:
    """SENDING → FAILED, "interrupted": the message may or may not have left. Never resent blindly; the
    admins are told to check the mailbox."""
    error = f"{INTERRUPTED} ({cause})"[:1000] if cause else INTERRUPTED
    with transaction.atomic():
        source = _apply("interrupt", report_id=report_id, token=token, now=now, last_error=error)
        if source:
            report = _report(report_id)
            audit_record(
                actor=None,
                action="report.delivery_interrupted",
                target=report,
                changes={"status": [source, rules.target_of("interrupt")]},
                note=error,
            )
            notify.notify_admins(report, "semester_report_failed", error=error, interrupted=True)
    return bool(source)


def record_delivered(
    *, report_id: int, token, message_id: str, delivered_to: list[str], refused: dict, now: dt.datetime
) -> bool:
    """SENDING → DELIVERED, or FAILED → DELIVERED when the claim was declared interrupted before its own
    task finished (late confirmation); only the task holding the claim records it, and only once."""
    with transaction.atomic():
        source = _apply(
            "deliver",
            "confirm_late",
            report_id=report_id,
            token=token,
            now=now,
            delivered_at=now,
            delivered_to=delivered_to,
            refused_recipients=refused,
            message_id=message_id,
            last_error="",
        )
        if source:
            note = f"{message_id} → {', '.join(delivered_to)}"
            if refused:
                note += "; refused: " + ", ".join(f"{a} ({r})" for a, r in refused.items())
            if source == S.FAILED:
                note += " (late confirmation)"
            audit_record(
                actor=None,
                action="report.delivered",
                target=_report(report_id),
                changes={"status": [source, S.DELIVERED]},
                note=note,
            )
    return bool(source)


# --- One delivery attempt ------------------------------------------------------------------------


def _not_claimed(*, report_id: int, now: dt.datetime) -> Delivery:
    state = SemesterReport.objects.filter(pk=report_id).values("status", "claim_token", "claimed_at").first()
    if state is None:
        return Delivery("missing")
    if state["status"] != S.SENDING:
        return Delivery("nothing_to_send")  # delivered, failed, or not queued: another task finished it
    age = (now - state["claimed_at"]).total_seconds()
    if age >= lease_seconds():
        interrupt(report_id=report_id, token=state["claim_token"], now=now, cause="claim older than its lease")
        return Delivery("interrupted")
    return Delivery("busy", retry_in=lease_seconds() - age + 1)


def _retry_or_fail(*, report_id: int, token, attempt: int, error: str, now: dt.datetime) -> Delivery:
    if attempt >= max_attempts():
        return Delivery(
            "failed" if fail(report_id=report_id, token=token, error=error, attempt=attempt, now=now) else "lost_claim"
        )
    if not release(report_id=report_id, token=token, error=error, attempt=attempt, now=now):
        return Delivery("lost_claim")
    return Delivery("retry", retry_in=backoff_seconds(attempt))


def semester_report_deliver(*, report_id: int, now: dt.datetime | None = None) -> Delivery:
    """Build, claim, send, record (see the module docstring). Not one transaction: the claim commits
    before the SMTP conversation, the outcome after it."""
    now = now or timezone.now()
    report = SemesterReport.objects.select_related("office", "approved_version").filter(pk=report_id).first()
    if report is None:
        return Delivery("missing")
    if not rules.can("claim", report.status):
        return _not_claimed(report_id=report_id, now=now)
    try:
        outgoing = outgoing_for(report)
        build_error = None
    except Exception as exc:  # noqa: BLE001 - a broken message is a definite failure, recorded below
        logger.exception("Six-monthly report %s: the delivery email could not be built", report_id)
        outgoing, build_error = None, _describe(exc, "the email could not be built")
    token = claim(report_id=report_id, now=now)
    if token is None:
        return _not_claimed(report_id=report_id, now=now)
    attempt = SemesterReport.objects.filter(pk=report_id).values_list("attempts", flat=True).get()
    if build_error:
        fail(report_id=report_id, token=token, error=build_error, attempt=attempt, now=now)
        return Delivery("failed")
    progress = Progress()
    try:
        refused = transmit(outgoing, progress)
    except SoftTimeLimitExceeded as exc:
        logger.warning("Six-monthly report %s: time limit during delivery attempt %s", report_id, attempt)
        if progress.data_started:
            interrupt(report_id=report_id, token=token, now=timezone.now(), cause=_describe(exc, "time limit"))
            return Delivery("interrupted")
        return _retry_or_fail(
            report_id=report_id, token=token, attempt=attempt, error=_describe(exc, "time limit"), now=timezone.now()
        )
    except smtplib.SMTPDataError as exc:  # the server refused the message outright: it does not have it
        logger.warning("Six-monthly report %s: attempt %s refused: %s", report_id, attempt, exc)
        return _retry_or_fail(report_id=report_id, token=token, attempt=attempt, error=_describe(exc), now=now)
    except Exception as exc:  # noqa: BLE001 - sorted below by how far the conversation got
        if progress.data_started:
            logger.error("Six-monthly report %s: attempt %s failed after DATA: %s", report_id, attempt, exc)
            interrupt(report_id=report_id, token=token, now=timezone.now(), cause=_describe(exc))
            return Delivery("interrupted")
        if isinstance(exc, smtplib.SMTPException | OSError):
            logger.warning("Six-monthly report %s: attempt %s failed: %s", report_id, attempt, exc)
            return _retry_or_fail(report_id=report_id, token=token, attempt=attempt, error=_describe(exc), now=now)
        logger.exception("Six-monthly report %s: attempt %s failed before DATA", report_id, attempt)
        fail(report_id=report_id, token=token, error=_describe(exc), attempt=attempt, now=now)
        return Delivery("failed")
    delivered_at = timezone.now()
    recorded = record_delivered(
        report_id=report_id,
        token=token,
        message_id=outgoing.message_id,
        delivered_to=[a for a in list(report.recipients_to) + list(report.recipients_cc) if a not in refused],
        refused=refused,
        now=delivered_at,
    )
    if not recorded:
        logger.error("Six-monthly report %s was sent but its claim was taken over; not recorded.", report_id)
        return Delivery("lost_claim")
    return Delivery("delivered")


def stale_claims_sweep(*, now: dt.datetime | None = None) -> dict:
    """Claims older than the lease become FAILED (interrupted); reports queued for longer than the
    lease without a task working on them (a lost message, or a retry left to the sweep when tasks
    run inline) get a new delivery task."""
    from satgas.core.outbox import enqueue

    now = now or timezone.now()
    limit = now - dt.timedelta(seconds=lease_seconds())
    interrupted = 0
    for report_id, token in SemesterReport.objects.filter(status=S.SENDING, claimed_at__lt=limit).values_list(
        "pk", "claim_token"
    ):
        interrupted += interrupt(report_id=report_id, token=token, now=now, cause="claim older than its lease")
    requeued = list(
        SemesterReport.objects.filter(status=S.QUEUED, updated_at__lt=limit).values_list("pk", "updated_at")
    )
    with transaction.atomic():
        for report_id, updated_at in requeued:
            # One new task per report and state: a sweep every 5 minutes does not pile them up while workers are away.
            key = f"report-requeue:{report_id}:{updated_at.timestamp():.6f}"
            enqueue("satgas.reports.tasks.semester_report_deliver", args=[report_id], key=key)
    return {"interrupted": interrupted, "requeued": len(requeued)}
