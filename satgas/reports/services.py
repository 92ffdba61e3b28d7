"""Every change to a six-monthly report goes through here (delivery: ``delivery.py``).

Generation
    ``semester_report_generate`` creates the office's report for a semester (one
    per office and period: a database constraint; concurrent generations meet
    at that constraint and the loser carries on with the winner's row) or
    regenerates it, computing the numbers from live data. ``semester_report_text_update``
    renders a new version from the latest version's *snapshot* with new text, so
    editing the letter never changes a number. Both are refused once the report
    has been queued for sending.

Letter number and date
    A version's letter is dated the day the version is generated. The number is
    assigned at the first generation from a gap-free counter per office and
    year; a version generated in a later calendar year than its number's year
    gets a new number of that year (the earlier versions keep theirs).

Approval and sending
    ``semester_report_approve`` approves the latest version (a person with the
    permission, or the system under ``SATGAS_REPORT_AUTO_SEND``), refused while
    the letter has no signer; ``semester_report_send`` queues the approved
    version for the delivery task (``delivery.semester_report_deliver``).

The schedule
    ``semester_reports_dispatch`` handles each office in its own transaction and
    isolates failures (see its docstring).

Every status change is a move declared in ``rules.MOVES``.
"""

import datetime as dt
import json
import logging

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from satgas.core.outbox import enqueue
from satgas.core.services import audit_record, diff_fields
from satgas.personnel.models import Unit

from . import delivery, documents, figures, narrative, notify, permissions, rules, selectors
from .errors import ReportError, message
from .models import (
    LETTER_FIELDS,
    NARRATIVE_FIELDS,
    LetterCounter,
    ReportStatus,
    SemesterReport,
    SemesterReportVersion,
    VersionReason,
)
from .periods import Semester

logger = logging.getLogger(__name__)
S = ReportStatus

__all__ = [
    "ReportError",
    "latest_version",
    "semester_report_approve",
    "semester_report_generate",
    "semester_report_recipients_update",
    "semester_report_send",
    "semester_report_text_update",
    "semester_reports_dispatch",
]


def _require(allowed: bool) -> None:
    if not allowed:
        raise ReportError("forbidden")


def _lock(report: SemesterReport) -> SemesterReport:
    return SemesterReport.objects.select_for_update().select_related("office").get(pk=report.pk)


def _move(report: SemesterReport, move: str, *, refusal: str) -> str:
    """The target of ``move`` from the report's status, or ``ReportError(refusal)``."""
    try:
        return rules.check_move(move, report.status)
    except rules.TransitionError:
        raise ReportError(refusal) from None


# --- Letter numbers --------------------------------------------------------------------


def _claim_letter_number(*, office: Unit, on: dt.date, semester: Semester) -> tuple[str, int]:
    """The office's next number of ``on.year``, under a row lock and rolled back with the report: gap-free."""
    try:
        with transaction.atomic():
            LetterCounter.objects.get_or_create(office=office, year=on.year)
    except IntegrityError:  # another transaction created the row first
        pass
    counter = LetterCounter.objects.select_for_update().get(office=office, year=on.year)
    while True:
        counter.last += 1
        number = rules.format_letter_number(
            seq=counter.last, year=on.year, half=semester.half, office_code=office.code, period_year=semester.year
        )
        # A pattern without {office_code} may collide with another office's number: skip it.
        taken = SemesterReport.objects.filter(letter_number=number).exists()
        if not taken and not SemesterReportVersion.objects.filter(letter_number=number).exists():
            break
    counter.save(update_fields=["last"])
    return number, counter.last


def _number_for_year(report: SemesterReport, letter_date: dt.date) -> dict:
    """A version dated in a later year than the report's number gets a number of that year."""
    if letter_date.year == report.letter_year:
        return {}
    old = report.letter_number
    number, seq = _claim_letter_number(office=report.office, on=letter_date, semester=report.period)
    report.letter_number, report.letter_seq, report.letter_year = number, seq, letter_date.year
    return {"letter_number": [old, number]}


# --- Generation --------------------------------------------------------------------------


def _report_for(*, office: Unit, semester: Semester, now: dt.datetime) -> tuple[SemesterReport, bool]:
    """The locked report of the office and period, created (with its letter number) when missing."""
    found = (
        SemesterReport.objects.select_for_update()
        .select_related("office")
        .filter(office=office, year=semester.year, half=semester.half)
    )
    report = found.first()
    if report is not None:
        return report, False
    try:
        with transaction.atomic():
            number, seq = _claim_letter_number(office=office, on=timezone.localdate(now), semester=semester)
            report = SemesterReport(
                office=office,
                year=semester.year,
                half=semester.half,
                letter_number=number,
                letter_seq=seq,
                letter_year=timezone.localdate(now).year,
                hal=narrative.default_hal(semester),
                tembusan=list(settings.SATGAS_REPORT_TEMBUSAN),
                recipients_to=list(settings.SATGAS_REPORT_RECIPIENTS_TO),
                recipients_cc=list(settings.SATGAS_REPORT_RECIPIENTS_CC),
            )
            report.full_clean(exclude=["approved_version"], validate_unique=False, validate_constraints=False)
            report.save()
    except IntegrityError:  # a concurrent generation created it: carry on with that row
        return found.get(), False
    return report, True


def _plain(snapshot: dict) -> dict:
    """The snapshot exactly as the database will return it (JSON round trip)."""
    return json.loads(json.dumps(snapshot))


def _new_version(*, report: SemesterReport, snapshot: dict, reason: str, actor, letter_date: dt.date, now):
    number = (report.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    text = {**report.narrative, **report.letter}
    render = {
        "snapshot": snapshot,
        "text": text,
        "letter_number": report.letter_number,
        "letter_date": letter_date,
        "version": number,
    }
    pdf = documents.render_letter_pdf(**render)
    xlsx = documents.render_xlsx(**render)
    version = SemesterReportVersion(
        report=report,
        number=number,
        reason=reason,
        snapshot=snapshot,
        text=text,
        letter_date=letter_date,
        letter_number=report.letter_number,
        pdf=pdf,
        xlsx=xlsx,
        pdf_sha256=documents.sha256(pdf),
        xlsx_sha256=documents.sha256(xlsx),
        pdf_size=len(pdf),
        xlsx_size=len(xlsx),
        generated_at=now,
        generated_by=actor if getattr(actor, "pk", None) else None,
    )
    version.full_clean(exclude=["pdf", "xlsx"])
    version.save()
    return version


def _back_to_draft(report: SemesterReport, move: str) -> str:
    old = report.status
    report.status = _move(report, move, refusal="sent")
    report.approved_version = None
    report.approved_by = None
    report.approved_at = None
    report.approved_automatically = False
    return old


@transaction.atomic
def semester_report_generate(
    *,
    actor,
    office: Unit,
    semester: Semester,
    now: dt.datetime | None = None,
    only_if_missing: bool = False,
    origin: str = "",
) -> SemesterReportVersion | None:
    """Generate (or regenerate) the office's report for ``semester`` from live data.

    ``actor=None`` is the system (the schedule, the command). With
    ``only_if_missing`` an existing report is left alone and ``None`` returned.
    """
    now = now or timezone.now()
    _require(actor is None or permissions.can_manage(actor))
    if office.parent_id is not None or not office.is_active:
        raise ReportError("not_an_office")
    if semester.end > now:
        raise ReportError("period_not_over")
    report, created = _report_for(office=office, semester=semester, now=now)
    if not created and only_if_missing:
        return None
    old_status = _back_to_draft(report, "regenerate")
    letter_date = timezone.localdate(now)
    changes = {} if created else _number_for_year(report, letter_date)
    snapshot = _plain(figures.snapshot(office=office, semester=semester, now=now))
    if created or not report.narrative_edited:
        for name, value in narrative.default_narrative(snapshot).items():
            setattr(report, name, value)
    reason = VersionReason.GENERATED if created else VersionReason.REGENERATED
    version = _new_version(
        report=report, snapshot=snapshot, reason=reason, actor=actor, letter_date=letter_date, now=now
    )
    report.save()
    if old_status != report.status:
        changes["status"] = [old_status, report.status]
    audit_record(
        actor=actor,
        action="report.generated" if created else "report.regenerated",
        target=report,
        changes=changes,
        note=f"v{version.number} {version.pdf_sha256}" + (f" ({origin})" if origin else ""),
    )
    return version


def latest_version(report: SemesterReport) -> SemesterReportVersion | None:
    return report.versions.defer("pdf", "xlsx").order_by("-number").first()


@transaction.atomic
def semester_report_text_update(*, actor, report: SemesterReport, now: dt.datetime | None = None, **fields):
    """New text for the letter (narrative, Sifat, Lampiran, Hal, Tembusan): a new version from the
    latest version's snapshot, so the numbers stay exactly as they were. Returns the new version,
    or the latest one when nothing changed."""
    now = now or timezone.now()
    _require(permissions.can_manage(actor))
    report = _lock(report)
    _move(report, "edit_text", refusal="sent")
    allowed = set(NARRATIVE_FIELDS) | set(LETTER_FIELDS)
    for name in fields:
        if name not in allowed:
            raise TypeError(name)
    if "tembusan" in fields:
        fields["tembusan"] = [line.strip() for line in fields["tembusan"] if line.strip()]
    for name in ("sifat", "lampiran", "hal"):
        if name in fields:
            fields[name] = " ".join((fields[name] or "").split())
            if not fields[name]:
                raise ReportError("letter_field_required")
    before = {**report.narrative, **report.letter}
    for name, value in fields.items():
        setattr(report, name, value.strip() if isinstance(value, str) else value)
    after = {**report.narrative, **report.letter}
    changes = diff_fields(before, after)
    latest = latest_version(report)
    if not changes:
        return latest
    if latest is None:
        raise ReportError("no_version")
    if any(name in changes for name in NARRATIVE_FIELDS):
        report.narrative_edited = True
    old_status = _back_to_draft(report, "edit_text")
    letter_date = timezone.localdate(now)
    changes.update(_number_for_year(report, letter_date))
    version = _new_version(
        report=report,
        snapshot=latest.snapshot,
        reason=VersionReason.NARRATIVE,
        actor=actor,
        letter_date=letter_date,
        now=now,
    )
    report.full_clean(exclude=["approved_version"], validate_unique=False, validate_constraints=False)
    report.save()
    if old_status != report.status:
        changes["status"] = [old_status, report.status]
    audit_record(actor=actor, action="report.text_updated", target=report, changes=changes, note=f"v{version.number}")
    return version


def _clean_addresses(values) -> list[str]:
    out = []
    for value in values or []:
        address = (value or "").strip().lower()
        if not address:
            continue
        try:
            validate_email(address)
        except ValidationError:
            raise ReportError("bad_address") from None
        if address not in out:
            out.append(address)
    return out


@transaction.atomic
def semester_report_recipients_update(*, actor, report: SemesterReport, to, cc=()) -> SemesterReport:
    """Who the report goes to; may still be corrected after a failed delivery (not part of the letter)."""
    _require(permissions.can_manage(actor))
    report = _lock(report)
    if report.status not in rules.RECIPIENTS_EDITABLE:
        raise ReportError("sent")
    to, cc = _clean_addresses(to), _clean_addresses(cc)
    if not to:
        raise ReportError("no_recipients")
    before = {"recipients_to": report.recipients_to, "recipients_cc": report.recipients_cc}
    report.recipients_to, report.recipients_cc = to, [a for a in cc if a not in to]
    report.save(update_fields=["recipients_to", "recipients_cc", "updated_at"])
    after = {"recipients_to": report.recipients_to, "recipients_cc": report.recipients_cc}
    audit_record(actor=actor, action="report.recipients", target=report, changes=diff_fields(before, after))
    return report


# --- Approval and sending ------------------------------------------------------------------


@transaction.atomic
def semester_report_approve(
    *, actor, report: SemesterReport, version_number: int | None = None, automatic: bool = False, now=None
) -> SemesterReport:
    """Approve the latest version for sending. A person needs the approval permission (and TOTP when
    required); ``automatic`` is the system's approval under ``SATGAS_REPORT_AUTO_SEND`` (actor None).
    ``version_number`` is the version the approver saw: approving anything else is refused. A letter
    without a signer (no head of the office with a NIP) is never approved."""
    now = now or timezone.now()
    if automatic:
        _require(actor is None)
    else:
        refusal = permissions.approval_refusal(actor)
        if refusal == "mfa":
            raise ReportError("mfa_required")
        _require(refusal is None)
    report = _lock(report)
    target = _move(report, "approve", refusal="transition_forbidden")
    latest = report.versions.order_by("-number").only("pk", "number", "snapshot").first()
    if latest is None:
        raise ReportError("no_version")
    if version_number is not None and version_number != latest.number:
        raise ReportError("stale_version")
    if not rules.letter_has_signer(latest.snapshot):
        raise ReportError("no_signer")
    old = report.status
    report.status = target
    report.approved_version = latest
    report.approved_by = actor if getattr(actor, "pk", None) else None
    report.approved_at = now
    report.approved_automatically = automatic
    report.save()
    audit_record(
        actor=actor,
        action="report.approved",
        target=report,
        changes={"status": [old, report.status]},
        note=f"v{latest.number}" + (" (automatic)" if automatic else ""),
    )
    return report


@transaction.atomic
def semester_report_send(*, actor, report: SemesterReport, now=None, origin: str = "") -> SemesterReport:
    """Queue the approved version for delivery (or again after a failure, with a fresh budget of
    attempts); the delivery task is enqueued after commit."""
    now = now or timezone.now()
    _require(actor is None or permissions.can_manage(actor))
    report = _lock(report)
    if report.status == S.DRAFT:
        raise ReportError("not_approved")
    target = _move(report, "send", refusal="transition_forbidden")
    if not report.recipients_to:
        raise ReportError("no_recipients")
    old = report.status
    report.status = target
    report.sent_by = actor if getattr(actor, "pk", None) else None
    report.sent_at = now
    # A resend starts afresh: a new budget of attempts, and no claim of an earlier attempt may record anything.
    report.attempts = 0
    report.claim_token = None
    report.claimed_at = None
    report.last_error = ""
    report.refused_recipients = {}
    report.save()
    audit_record(
        actor=actor,
        action="report.resend_requested" if old == S.FAILED else "report.send_requested",
        target=report,
        changes={"status": [old, report.status]},
        note=", ".join(report.recipients_to + report.recipients_cc) + (f" ({origin})" if origin else ""),
    )
    enqueue("satgas.reports.tasks.semester_report_deliver", args=[report.pk])
    return report


# --- The schedule --------------------------------------------------------------------------------


def _dispatch_office(*, office: Unit, semester: Semester, now: dt.datetime) -> SemesterReportVersion | None:
    """Generate, (auto-)approve, queue and notify: all or nothing (the caller's transaction); the
    emails and the delivery task leave after it commits."""
    version = semester_report_generate(
        actor=None, office=office, semester=semester, now=now, only_if_missing=True, origin="schedule"
    )
    if version is None:
        return None
    report = version.report
    auto_sent, auto_error = False, ""
    if settings.SATGAS_REPORT_AUTO_SEND:
        try:
            semester_report_approve(actor=None, report=report, automatic=True, now=now)
            semester_report_send(actor=None, report=report, now=now, origin="schedule")
            auto_sent = True
        except ReportError as exc:  # e.g. no signer: the draft stays for a person to fix and approve
            auto_error = message(exc.code)
    notify.notify_admins(
        report, "semester_report_generated", auto_sent=auto_sent, auto_error=auto_error, version=version.number
    )
    return version


def semester_reports_dispatch(*, now: dt.datetime | None = None) -> dict:
    """For the semester before ``now``: generate the report of every office that has none, tell the
    admins, and (``SATGAS_REPORT_AUTO_SEND``) approve and queue it.

    Each office is one transaction (generate + approve + queue + notify, the side effects on commit),
    so a run that crashes leaves each office with everything or nothing, and running again finishes
    the job without duplicates. An office that fails is logged with its code and reported to the
    admins; the next office is handled regardless."""
    now = now or timezone.now()
    semester = Semester.containing(now).previous()
    swept = delivery.stale_claims_sweep(now=now)
    generated, failed = [], []
    for office in selectors.root_offices():
        try:
            with transaction.atomic():
                version = _dispatch_office(office=office, semester=semester, now=now)
        except SoftTimeLimitExceeded:
            raise  # the task runs again and finishes the offices left (see tasks.semester_reports_dispatch)
        except Exception as exc:  # noqa: BLE001 - one office must not stop the others
            logger.exception("Six-monthly report %s for office %s: the schedule failed", semester, office.code)
            error = message(exc.code) if isinstance(exc, ReportError) else f"{exc.__class__.__name__}: {exc}"
            notify.dispatch_failed(office=office, semester=semester, error=error)
            failed.append(office.code)
            continue
        if version is not None:
            generated.append(office.code)
    return {"period": str(semester), "generated": generated, "failed": failed, **swept}
