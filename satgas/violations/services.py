"""Every change to a violation case goes through here."""

import datetime as dt
import hashlib
import os

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from satgas.core.files import JPEG, PDF, PNG, check_upload, storage_name
from satgas.core.services import audit_record
from satgas.elections.selectors import stages_on
from satgas.personnel.models import ASN_TYPES, EmploymentType

from . import permissions, receipts, rules
from .models import (
    Assignment,
    Case,
    CaseCounter,
    CaseStatus,
    CaseTransition,
    Clarification,
    Evidence,
    EvidenceLink,
    Intake,
    Message,
    MessageDirection,
    Note,
    Sanction,
    SanctionKind,
)

# Evidence: screenshots and scanned documents, judged by their content.
EVIDENCE_KINDS = (JPEG, PNG, PDF)


class ViolationError(Exception):
    """A case rule was broken; ``code`` says which (see views.ERRORS)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


# --- Intake ----------------------------------------------------------------------


def _claim_seq(year: int) -> int:
    """The next number of ``year``: the counter row is locked until the case is saved,
    and rolled back with it, so numbers have no gaps and no duplicates."""
    try:
        with transaction.atomic():
            CaseCounter.objects.get_or_create(year=year)
    except IntegrityError:  # another transaction created the row first
        pass
    counter = CaseCounter.objects.select_for_update().get(year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


def stage_for(day: dt.date):
    """The election stage running on ``day`` (the most recently started one), or None."""
    return stages_on(day).order_by("-starts_on", "-order").first()


def _safe_display_name(name: str) -> str:
    base = os.path.basename((name or "").replace("\\", "/")).strip().lstrip(".")
    return base[:120] or "file"


def _check_files(files) -> list:
    files = list(files or [])
    if len(files) > settings.SATGAS_VIOLATION_EVIDENCE_MAX_FILES:
        raise ViolationError("too_many_files")
    return [
        (f, check_upload(f, kinds=EVIDENCE_KINDS, max_bytes=settings.SATGAS_VIOLATION_EVIDENCE_MAX_BYTES))
        for f in files
    ]


def _store_evidence(*, case: Case, checked, actor) -> list[Evidence]:
    """Save checked uploads under random names; the original name is kept for display only."""
    stored = []
    for upload, kind in checked:
        upload.seek(0)
        digest = hashlib.sha256()
        for chunk in upload.chunks():
            digest.update(chunk)
        upload.seek(0)
        evidence = Evidence(
            case=case,
            content_type=kind.content_type,
            original_name=_safe_display_name(upload.name),
            size=upload.size,
            sha256=digest.hexdigest(),
            uploaded_by=actor if getattr(actor, "pk", None) else None,
        )
        evidence.file.save(storage_name("violations", kind), upload, save=False)
        evidence.full_clean()
        evidence.save()
        stored.append(evidence)
    return stored


def _add_links(*, case: Case, links, actor) -> None:
    for url in links or []:
        link = EvidenceLink(case=case, url=url, added_by=actor if getattr(actor, "pk", None) else None)
        link.full_clean()
        link.save()


@transaction.atomic
def case_report(
    *,
    actor,
    intake: str,
    unit,
    incident_date: dt.date,
    description: str,
    channel: str,
    reported_person=None,
    reported_description: str = "",
    incident_place: str = "",
    categories=(),
    platform: str = "",
    channel_url: str = "",
    confidential: bool = False,
    reporter_name: str = "",
    reporter_contact: str = "",
    files=(),
    links=(),
    now=None,
) -> tuple[Case, str]:
    """File a report. Returns ``(case, receipt_code)``; the code is shown once and
    only its hash is stored. No IP address or browser data is kept."""
    now = now or timezone.now()
    if intake == Intake.ONLINE and not getattr(actor, "pk", None):
        raise ViolationError("online_needs_account")
    if intake in (Intake.PAPER, Intake.PHONE, Intake.IN_PERSON) and not permissions.can_enter_offline_report(actor):
        raise ViolationError("offline_forbidden")
    if reported_person is None and not reported_description.strip():
        raise ViolationError("reported_unknown")
    if incident_date > timezone.localdate(now):
        raise ViolationError("incident_in_future")
    if reported_person is not None:
        # The case belongs to the reported person's unit, whatever unit was typed: that decides who
        # sees and handles it, and keeps the head of that unit out of it.
        unit = reported_person.unit
    checked = _check_files(files)
    stage = stage_for(incident_date)
    year = timezone.localtime(now).year
    seq = _claim_seq(year)
    code = receipts.code_new()
    anonymous = intake == Intake.ANONYMOUS
    case = Case(
        number=rules.format_number(year=year, seq=seq),
        year=year,
        seq=seq,
        reported_person=reported_person,
        reported_description=reported_description.strip(),
        unit=unit,
        incident_date=incident_date,
        incident_place=incident_place.strip(),
        election=stage.election if stage else None,
        stage=stage,
        channel=channel,
        platform=platform,
        channel_url=channel_url,
        description=description.strip(),
        confidential=confidential,
        intake=intake,
        reporter=actor if intake == Intake.ONLINE else None,
        reporter_name="" if anonymous else reporter_name.strip(),
        reporter_contact="" if anonymous else reporter_contact.strip(),
        receipt_hash=receipts.code_hash(code),
        recorded_by=actor if intake not in (Intake.ONLINE, Intake.ANONYMOUS) else None,
        received_at=now,
        status_changed_at=now,
        due_on=rules.due_date(
            old_status=None, new_status=CaseStatus.RECEIVED, today=timezone.localdate(now), current=None
        ),
    )
    case.full_clean()
    case.save()
    case.categories.set(categories)
    _store_evidence(case=case, checked=checked, actor=None if anonymous else actor)
    _add_links(case=case, links=links, actor=None if anonymous else actor)
    # The reporter is never the audit actor: the trail must not reveal who reported.
    audit_record(actor=case.recorded_by, action="violation.reported", target=case, note=str(Intake(intake).label))
    return case, code


# --- Workflow --------------------------------------------------------------------


@transaction.atomic
def case_transition(*, actor, case: Case, to: str, reason: str, forwarded_to: str = "", now=None) -> Case:
    now = now or timezone.now()
    case = Case.objects.select_for_update().get(pk=case.pk)
    source = case.status
    if not rules.is_allowed(source, to):
        raise ViolationError("transition_forbidden")
    if not (reason or "").strip():
        raise ViolationError("reason_required")
    if to in rules.NEEDS_FORWARDED_TO and not (forwarded_to or "").strip():
        raise ViolationError("forwarded_to_required")
    if to == CaseStatus.SANCTIONED and not case.sanctions.exists():
        raise ViolationError("no_sanction")
    case.status = to
    case.status_changed_at = now
    case.due_on = rules.due_date(old_status=source, new_status=to, today=timezone.localdate(now), current=case.due_on)
    if to in rules.VERIFICATION_DONE and case.verified_at is None:
        case.verified_at = now
    if to in rules.TERMINAL_STATUSES:
        case.closed_at = now
    case.save(update_fields=["status", "status_changed_at", "due_on", "verified_at", "closed_at"])
    CaseTransition.objects.create(
        case=case,
        from_status=source,
        to_status=to,
        reason=reason.strip(),
        forwarded_to=forwarded_to.strip(),
        actor=actor,
        at=now,
    )
    audit_record(actor=actor, action="violation.status", target=case, changes={"status": [source, to]}, note=reason)
    return case


# --- Handlers, notes, messages ---------------------------------------------------------


@transaction.atomic
def case_assign(*, actor, case: Case, handler) -> Assignment:
    if not permissions.can_be_handler(handler, case):
        raise ViolationError("handler_not_eligible")
    if case.assignments.filter(handler=handler, ended_at__isnull=True).exists():
        raise ViolationError("already_assigned")
    assignment = Assignment(case=case, handler=handler, assigned_by=actor)
    assignment.full_clean()
    try:
        with transaction.atomic():
            assignment.save()
    except IntegrityError:
        raise ViolationError("already_assigned") from None
    audit_record(actor=actor, action="violation.assigned", target=case, note=str(handler))
    return assignment


@transaction.atomic
def case_unassign(*, actor, assignment: Assignment, now=None) -> Assignment:
    """End an assignment; the row stays as history (reassignment = unassign + assign)."""
    now = now or timezone.now()
    updated = Assignment.objects.filter(pk=assignment.pk, ended_at__isnull=True).update(ended_at=now, ended_by=actor)
    if not updated:
        raise ViolationError("not_assigned")
    assignment.refresh_from_db()
    audit_record(actor=actor, action="violation.unassigned", target=assignment.case, note=str(assignment.handler))
    return assignment


@transaction.atomic
def note_add(*, actor, case: Case, body: str) -> Note:
    note = Note(case=case, author=actor, body=(body or "").strip())
    note.full_clean()
    note.save()
    audit_record(actor=actor, action="violation.note", target=case)
    return note


@transaction.atomic
def message_to_reporter(*, actor, case: Case, body: str) -> Message:
    message = Message(case=case, direction=MessageDirection.TO_REPORTER, author=actor, body=(body or "").strip())
    message.full_clean()
    message.save()
    audit_record(actor=actor, action="violation.message", target=case)
    return message


@transaction.atomic
def message_from_reporter(*, case: Case, body: str) -> Message:
    if not case.is_open:
        raise ViolationError("case_closed")
    message = Message(case=case, direction=MessageDirection.FROM_REPORTER, body=(body or "").strip()[:5000])
    message.full_clean()
    message.save()
    audit_record(actor=None, action="violation.reporter_message", target=case)
    return message


# --- Clarification, sanctions, evidence ------------------------------------------------


@transaction.atomic
def clarification_record(
    *, actor, case: Case, held_on: dt.date, attendees: str, minutes: str, place: str = "", attachment=None
) -> Clarification:
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.status not in (CaseStatus.VERIFICATION, CaseStatus.CLARIFICATION, CaseStatus.DECISION):
        raise ViolationError("not_in_clarification")
    clarification = Clarification(
        case=case, held_on=held_on, place=place, attendees=attendees, minutes=minutes, recorded_by=actor
    )
    if attachment:
        kind = check_upload(attachment, kinds=EVIDENCE_KINDS, max_bytes=settings.SATGAS_VIOLATION_EVIDENCE_MAX_BYTES)
        clarification.attachment.save(storage_name("violations/clarifications", kind), attachment, save=False)
        clarification.attachment_type = kind.content_type
    clarification.full_clean()
    clarification.save()
    audit_record(actor=actor, action="violation.clarification", target=case, note=str(held_on))
    return clarification


SANCTION_STATUSES = (CaseStatus.PROVEN, CaseStatus.FOLLOW_UP)


@transaction.atomic
def sanction_record(
    *,
    actor,
    case: Case,
    kind: str,
    decree_number: str,
    decree_date: dt.date,
    imposed_by: str,
    ethics_form: str = "",
    discipline_level: str = "",
    discipline_form: str = "",
    contract_form: str = "",
) -> Sanction:
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.status not in SANCTION_STATUSES:
        raise ViolationError("not_proven_yet")
    person = case.reported_person
    if person is not None:
        if kind == SanctionKind.CONTRACT and person.employment_type != EmploymentType.PPNPN:
            raise ViolationError("contract_only_ppnpn")
        if kind == SanctionKind.DISCIPLINARY and person.employment_type not in ASN_TYPES:
            raise ViolationError("discipline_only_asn")
    sanction = Sanction(
        case=case,
        kind=kind,
        ethics_form=ethics_form if kind == SanctionKind.ETHICS else "",
        discipline_level=discipline_level if kind == SanctionKind.DISCIPLINARY else "",
        discipline_form=discipline_form if kind == SanctionKind.DISCIPLINARY else "",
        contract_form=contract_form if kind == SanctionKind.CONTRACT else "",
        decree_number=decree_number.strip(),
        decree_date=decree_date,
        imposed_by=imposed_by.strip(),
        recorded_by=actor,
    )
    try:
        sanction.full_clean()
    except ValidationError:
        raise ViolationError("sanction_invalid") from None
    sanction.save()
    audit_record(actor=actor, action="violation.sanction", target=case, note=sanction.label)
    return sanction


@transaction.atomic
def evidence_add(*, actor, case: Case, files=(), links=()) -> list[Evidence]:
    if len(files or []) + case.evidence.count() > settings.SATGAS_VIOLATION_EVIDENCE_MAX_FILES * 2:
        raise ViolationError("too_many_files")
    stored = _store_evidence(case=case, checked=_check_files(files), actor=actor)
    _add_links(case=case, links=links, actor=actor)
    audit_record(actor=actor, action="violation.evidence", target=case, note=f"{len(stored)} file(s)")
    return stored


# --- Reads that must leave a trace ------------------------------------------------------


@transaction.atomic
def evidence_viewed(*, actor, evidence: Evidence) -> None:
    audit_record(actor=actor, action="violation.evidence_viewed", target=evidence.case, note=evidence.original_name)


@transaction.atomic
def identity_viewed(*, actor, case: Case) -> None:
    audit_record(actor=actor, action="violation.identity_viewed", target=case)
