"""Every change to units and personnel goes through these functions."""

import datetime as dt
import logging

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from satgas.core import jobs
from satgas.core.email import email_enqueue
from satgas.core.outbox import enqueue
from satgas.core.services import audit_record, diff_fields
from satgas.core.text import strip_control

from . import tokens
from .models import (
    RUNNING_IMPORT_STATUSES,
    EmailChange,
    EmailChangeStatus,
    ImportStatus,
    Person,
    PersonnelImport,
    Placement,
    Unit,
)

logger = logging.getLogger(__name__)

UNIT_FIELDS = [
    "code",
    "name",
    "unit_type",
    "unit_class",
    "parent",
    "address",
    "phone",
    "email",
    "head",
    "head_title",
    "is_active",
]
PERSON_FIELDS = ["full_name", "employment_type", "nip", "nik", "position", "rank_grade", "email", "phone", "status"]


class PersonnelError(Exception):
    """A rule of the registry was broken; the message is shown to the user."""


def _snapshot(obj, fields) -> dict:
    return {f: getattr(obj, f) for f in fields}


@transaction.atomic
def unit_create(*, actor, **data) -> Unit:
    unit = Unit(**data)
    unit.full_clean()
    unit.save()
    audit_record(actor=actor, action="unit.created", target=unit, changes=diff_fields({}, _snapshot(unit, UNIT_FIELDS)))
    return unit


@transaction.atomic
def unit_update(*, actor, unit: Unit, **data) -> Unit:
    before = _snapshot(Unit.objects.get(pk=unit.pk), UNIT_FIELDS)
    for key, value in data.items():
        setattr(unit, key, value)
    unit.full_clean()
    unit.save()
    changes = diff_fields(before, _snapshot(unit, UNIT_FIELDS))
    if changes:
        audit_record(actor=actor, action="unit.updated", target=unit, changes=changes)
    return unit


@transaction.atomic
def person_create(*, actor, unit: Unit, started_on: dt.date | None = None, **data) -> Person:
    person = Person(unit=unit, **data)
    person.full_clean()
    person.save()
    Placement.objects.create(
        person=person, unit=unit, started_on=started_on or timezone.localdate(), reason="", created_by=_user(actor)
    )
    audit_record(
        actor=actor,
        action="person.created",
        target=person,
        changes=diff_fields({}, {**_snapshot(person, PERSON_FIELDS), "unit": unit}),
    )
    return person


@transaction.atomic
def person_update(*, actor, person: Person, **data) -> Person:
    """Change a person's details (not their unit: see ``person_move``).

    A new email address from anyone but a regional admin does not take effect: it becomes a pending change that
    the person confirms from the new address (``email_change_request``); a regional admin's takes effect at once
    and the previous address is told. Only a regional admin may remove an address."""
    if "unit" in data:
        raise PersonnelError("Use person_move to change a person's unit.")
    current = Person.objects.get(pk=person.pk)
    before = _snapshot(current, PERSON_FIELDS)
    new_email = None
    if "email" in data:
        new_email = normalize_email(data.pop("email"))
        if new_email == normalize_email(current.email):
            new_email = None
        elif not may_set_email_directly(actor):
            if not new_email:
                raise PersonnelError("email_clear_admin_only")
        else:
            data["email"] = new_email
    for key, value in data.items():
        setattr(person, key, value)
    if "email" not in data:
        person.email = current.email  # (a model form has already put the typed address on the instance)
    person.full_clean()
    person.save()
    changes = diff_fields(before, _snapshot(person, PERSON_FIELDS))
    if changes:
        audit_record(actor=actor, action="person.updated", target=person, changes=changes)
    if new_email is not None:
        if "email" in data:
            _email_took_effect(person=person, old_email=before["email"], actor=actor, by_admin=True)
        else:
            email_change_request(actor=actor, person=person, new_email=new_email)
    return person


@transaction.atomic
def person_move(*, actor, person: Person, unit: Unit, moved_on: dt.date, reason: str = "") -> Person:
    """Move a person to another unit, closing the current placement."""
    person = Person.objects.select_for_update().select_related("unit").get(pk=person.pk)
    if unit.pk == person.unit_id:
        raise PersonnelError("already_in_unit")
    current = person.placements.filter(ended_on__isnull=True).first()
    if current and moved_on < current.started_on:
        raise PersonnelError("before_current_placement")
    if current:
        current.ended_on = moved_on
        current.save(update_fields=["ended_on"])
    Placement.objects.create(person=person, unit=unit, started_on=moved_on, reason=reason, created_by=_user(actor))
    old_unit = person.unit
    person.unit = unit
    person.full_clean()
    person.save(update_fields=["unit", "updated_at"])
    audit_record(
        actor=actor,
        action="person.moved",
        target=person,
        changes={"unit": [str(old_unit), str(unit)], "moved_on": [None, moved_on.isoformat()]},
        note=reason,
    )
    return person


def _user(actor):
    return actor if getattr(actor, "pk", None) else None


# --- Contact address (issue 13.1) --------------------------------------------
#
# ``Person.email`` only ever holds an address the person confirmed from that very address, or one a regional admin
# set (the personnel form, the import, account creation: regional admins only). Invitations, reminders, signature
# confirmations and sign-in codes go to it and nowhere else. Anyone else's new address waits in an ``EmailChange``
# until confirmed; the previous address is told at once and can stop it. Addresses recorded before this rule
# count as confirmed (they were set by the same people, and nobody could be asked again).


def normalize_email(value) -> str:
    return (value or "").strip().lower()


def may_set_email_directly(actor) -> bool:
    """Regional admins, and the system itself (commands run by the operator); everyone else asks."""
    from satgas.accounts.roles import roles_for

    return actor is None or roles_for(actor).is_regional_admin


def _link(name: str, token: str) -> str:
    return settings.SATGAS_SITE_URL + reverse(name, args=[token])


def _email_took_effect(*, person: Person, old_email: str, actor, by_admin: bool) -> None:
    """The address changed: the login follows it, a pending change is superseded, the old address is told."""
    emails_took_effect(actor=actor, changes=[(person, old_email)], by_admin=by_admin)


def emails_took_effect(*, actor, changes: list[tuple[Person, str]], by_admin: bool = True) -> None:
    """Addresses that changed (``(person, previous address)``, already saved; a regional admin's import passes
    thousands): pending requests are superseded, logins follow, every previous address is told."""
    from satgas.accounts.models import User
    from satgas.accounts.services import account_email_follow

    ids = [person.pk for person, _ in changes]
    with_login: set[int] = set()
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        EmailChange.objects.filter(person_id__in=chunk, status=EmailChangeStatus.PENDING).update(
            status=EmailChangeStatus.CANCELLED,
            decided_at=timezone.now(),
            decided_by=_user(actor),
            decision_note="superseded",
        )
        with_login.update(User.objects.filter(person_id__in=chunk).values_list("person_id", flat=True))
    for person, old_email in changes:
        if person.pk in with_login:
            account_email_follow(person=person, old_email=old_email, new_email=person.email, actor=actor)
        if old_email and normalize_email(old_email) != normalize_email(person.email):
            email_enqueue(
                to=[old_email],
                template="email_changed",
                context={"name": person.full_name, "new_email": person.email, "by_admin": by_admin},
            )


@transaction.atomic
def email_change_request(*, actor, person: Person, new_email: str) -> EmailChange | None:
    """Ask for ``new_email`` to become the person's address; it takes effect when confirmed from it. Replaces a
    pending request. ``None`` when the address is already the person's."""
    new_email = normalize_email(new_email)
    person = Person.objects.select_for_update().get(pk=person.pk)
    if not new_email:
        raise PersonnelError("email_clear_admin_only")
    if new_email == normalize_email(person.email):
        return None
    probe = EmailChange(person=person, old_email=person.email, new_email=new_email)
    probe.full_clean(exclude=["person", "requested_by", "decided_by"])
    EmailChange.objects.filter(person=person, status=EmailChangeStatus.PENDING).update(
        status=EmailChangeStatus.CANCELLED, decided_at=timezone.now(), decided_by=_user(actor), decision_note="replaced"
    )
    change = EmailChange.objects.create(
        person=person, old_email=person.email, new_email=new_email, requested_by=_user(actor)
    )
    audit_record(
        actor=actor, action="person.email_change_requested", target=person, changes={"email": [person.email, new_email]}
    )
    requester = str(_user(actor) or "")
    days = settings.SATGAS_EMAIL_CHANGE_MAX_AGE_DAYS
    email_enqueue(
        to=[new_email],
        template="email_change_confirm",
        context={
            "name": person.full_name,
            "new_email": new_email,
            "requested_by": requester,
            "days": days,
            "url": _link("personnel:email_confirm", tokens.make(change.pk, salt=tokens.CONFIRM_SALT)),
        },
    )
    current = person.email or _login_address(person)  # the address in use: told, and able to stop the change
    if current and normalize_email(current) != new_email:
        email_enqueue(
            to=[current],
            template="email_change_notice",
            context={
                "name": person.full_name,
                "new_email": new_email,
                "requested_by": requester,
                "days": days,
                "url": _link("personnel:email_stop", tokens.make(change.pk, salt=tokens.STOP_SALT)),
            },
        )
    return change


def _login_address(person: Person) -> str:
    from satgas.accounts.models import User

    return User.objects.filter(person=person).values_list("email", flat=True).first() or ""


def _pending_locked(change_id: int) -> EmailChange:
    change = EmailChange.objects.select_for_update().select_related("person").filter(pk=change_id).first()
    if change is None or change.status != EmailChangeStatus.PENDING:
        raise PersonnelError("email_change_not_pending")
    return change


@transaction.atomic
def email_change_confirm(*, change_id: int, actor=None) -> Person:
    """Confirmed from the new address (its link): the address takes effect."""
    change = _pending_locked(change_id)
    age = (timezone.now() - change.requested_at).total_seconds()
    if age > settings.SATGAS_EMAIL_CHANGE_MAX_AGE_DAYS * 86400:
        raise PersonnelError("email_change_not_pending")
    person = Person.objects.select_for_update().get(pk=change.person_id)
    old_email = person.email
    change.status, change.decided_at, change.decided_by = EmailChangeStatus.CONFIRMED, timezone.now(), _user(actor)
    change.decision_note = "confirmed from the new address"
    change.save()
    person.email = change.new_email
    person.save(update_fields=["email", "updated_at"])
    audit_record(
        actor=actor,
        action="person.email_confirmed",
        target=person,
        changes={"email": [old_email, person.email]},
        note=f"requested by {change.requested_by or '-'}",
    )
    _email_took_effect(person=person, old_email=old_email, actor=actor, by_admin=False)
    return person


@transaction.atomic
def email_change_cancel(*, change_id: int, actor=None, note: str = "") -> EmailChange:
    """Stop a pending change: from the person page, or from the link sent to the previous address."""
    change = _pending_locked(change_id)
    change.status, change.decided_at, change.decided_by = EmailChangeStatus.CANCELLED, timezone.now(), _user(actor)
    change.decision_note = note[:200]
    change.save()
    audit_record(
        actor=actor,
        action="person.email_change_cancelled",
        target=change.person,
        note=f"{change.new_email} {note}".strip(),
    )
    return change


# --- Imports ----------------------------------------------------------------
# A check or an import runs in a Celery task holding a lease on the record (``satgas.core.jobs``): the task's
# time limit plus a margin. A record whose lease ran out (the worker was killed, the time limit struck) is
# resumed by the sweep (beat ``jobs-sweep``) up to ``jobs.JobKind.max_rescues`` times, then failed with a message;
# the person can cancel any unfinished import and try a failed or stalled one again.

CHECK_TASK = "satgas.personnel.tasks.personnel_import_check"
APPLY_TASK = "satgas.personnel.tasks.personnel_import_apply"
# Below the broker's visibility timeout (a system check says so): 20,000 rows take seconds.
IMPORT_TIME_LIMIT = 6 * 60
IMPORT_SOFT_TIME_LIMIT = 5 * 60 + 30


class ImportAbandoned(Exception):
    """The run no longer holds the import (cancelled by the person, or taken over after its lease ran out)."""


@transaction.atomic
def personnel_import_start(
    *, actor, filename: str, content: bytes, strict: bool, create_accounts: bool
) -> PersonnelImport:
    """Store an uploaded file and queue its check (a dry run)."""
    record = PersonnelImport.objects.create(
        uploaded_by=actor,
        filename=strip_control(filename, multiline=False)[:255],
        content=content,
        size=len(content),
        strict=strict,
        create_accounts=create_accounts,
        lease_until=jobs.waiting_lease(),
    )
    audit_record(actor=actor, action="import.uploaded", target=record, note=filename)
    enqueue(CHECK_TASK, args=[record.pk])
    return record


@transaction.atomic
def personnel_import_confirm(*, actor, personnel_import: PersonnelImport) -> PersonnelImport:
    """Queue the import of a checked file; only a checked file can be confirmed."""
    claimed = PersonnelImport.objects.filter(pk=personnel_import.pk, status=ImportStatus.VALIDATED).update(
        status=ImportStatus.APPLYING,
        applied_by=actor,
        processed_rows=0,
        run_token=None,
        lease_until=jobs.waiting_lease(),
        rescues=0,
    )
    if not claimed:
        raise PersonnelError("not_confirmable")
    audit_record(actor=actor, action="import.confirmed", target=personnel_import)
    enqueue(APPLY_TASK, args=[personnel_import.pk])
    personnel_import.refresh_from_db()
    return personnel_import


@transaction.atomic
def personnel_import_cancel(*, actor, personnel_import: PersonnelImport) -> PersonnelImport:
    """Cancel an import that has not finished: waiting, being checked, checked, or being imported (a run in
    progress notices and rolls back; nothing is changed)."""
    claimed = PersonnelImport.objects.filter(
        pk=personnel_import.pk, status__in=[*RUNNING_IMPORT_STATUSES, ImportStatus.VALIDATED]
    ).update(status=ImportStatus.CANCELLED, run_token=None, lease_until=None)
    if not claimed:
        raise PersonnelError("not_cancellable")
    audit_record(actor=actor, action="import.cancelled", target=personnel_import)
    personnel_import.refresh_from_db()
    return personnel_import


def _phase_task(record: PersonnelImport) -> tuple[str, str]:
    """``(status, task)`` to start ``record`` again: the import if it was confirmed, else the check."""
    if record.applied_by_id is not None:
        return ImportStatus.APPLYING, APPLY_TASK
    return ImportStatus.PENDING, CHECK_TASK


@transaction.atomic
def personnel_import_retry(*, actor, personnel_import: PersonnelImport) -> PersonnelImport:
    """Start a failed (or stalled) check or import again from the beginning."""
    record = PersonnelImport.objects.select_for_update().get(pk=personnel_import.pk)
    if not record.can_retry:
        raise PersonnelError("not_retryable")
    status, task = _phase_task(record)
    PersonnelImport.objects.filter(pk=record.pk).update(
        status=status,
        run_token=None,
        lease_until=jobs.waiting_lease(),
        rescues=0,
        failure="",
        processed_rows=0,
        applied_at=None,
    )
    audit_record(actor=actor, action="import.retried", target=record, note=record.failure[:200])
    enqueue(task, args=[record.pk])
    personnel_import.refresh_from_db()
    return personnel_import


def personnel_import_resume(record: PersonnelImport) -> None:
    """The sweep found ``record`` stalled (its lease ran out): queue its check or import again (idempotently)."""
    _status, task = _phase_task(record)
    enqueue(task, args=[record.pk], key=f"personnel-import:{record.pk}:resume-{record.rescues}")


def personnel_import_fail_stalled(record: PersonnelImport, _message: str = "") -> None:
    """The sweep gave up on ``record``: it failed with a message the person can act on."""
    if record.applied_by_id is not None:
        failure = gettext(
            "The import was interrupted %(count)s times and did not finish; nothing was changed. The file may be "
            "too large to import at once: split it into smaller files (for example 20,000 rows each), or click "
            "“Try again”."
        ) % {"count": record.rescues + 1}
    else:
        failure = gettext(
            "The check of this file was interrupted %(count)s times and did not finish. Click “Try again”, or "
            "split the file into smaller files and upload them one by one."
        ) % {"count": record.rescues + 1}
    PersonnelImport.objects.filter(pk=record.pk, status__in=RUNNING_IMPORT_STATUSES).update(
        status=ImportStatus.FAILED, failure=failure, run_token=None, lease_until=None
    )
    audit_record(actor=None, action="import.stalled", target=record, note=failure[:200])


def personnel_import_run(*, import_id: int, apply: bool) -> PersonnelImport | None:
    """Check (``apply=False``) or apply a stored import; called by the tasks.

    Claims the record first (``satgas.core.jobs.claim``), so a duplicated task does nothing and a task resumed
    after a killed worker takes the record over. Progress is written to the record as rows are processed so the
    UI can show it; every progress write also checks the run still holds the record (a cancelled import stops).
    An import is one transaction whose last statement marks the record imported, under a lock and only if the
    run still holds it: a cancelled or taken-over run rolls back and changes nothing.
    """
    from .importing import ImportFileError, import_personnel_file

    running = ImportStatus.APPLYING if apply else ImportStatus.VALIDATING
    token = jobs.claim(
        PersonnelImport,
        import_id,
        waiting=[] if apply else [ImportStatus.PENDING],
        running=running,
        held=Q(status=running, run_token__isnull=True),
        lease_seconds=IMPORT_TIME_LIMIT,
        **({"applied_at": timezone.now()} if apply else {}),
    )
    if token is None:
        return None
    record = PersonnelImport.objects.get(pk=import_id)
    mine = PersonnelImport.objects.filter(pk=import_id, run_token=token)

    def progress(done_rows: int, total: int) -> None:
        if not mine.update(processed_rows=done_rows, total_rows=total):
            raise ImportAbandoned()

    def before_commit() -> None:
        if not jobs.still_holds(PersonnelImport, import_id, token, lock=True):
            raise ImportAbandoned()
        mine.update(status=ImportStatus.APPLIED)  # committed with the import, or not at all

    try:
        result = import_personnel_file(
            content=bytes(record.content),
            filename=record.filename,
            actor=record.applied_by if apply else record.uploaded_by,
            dry_run=not apply,
            strict=record.strict,
            create_accounts=record.create_accounts,
            progress=progress,
            before_commit=before_commit if apply else None,
        )
    except ImportAbandoned:
        logger.info("Personnel import %s: cancelled or taken over; this run stops without changes", import_id)
        return None
    except SoftTimeLimitExceeded:
        # Nothing was written. The lease ends now: the sweep resumes it (or fails it with advice to split the file).
        logger.warning("Personnel import %s hit its time limit; the sweep resumes or fails it", import_id)
        mine.update(lease_until=timezone.now())
        return None
    except ImportFileError as exc:
        mine.update(status=ImportStatus.FAILED, failure=str(exc), run_token=None, lease_until=None)
        return PersonnelImport.objects.get(pk=import_id)
    except Exception:
        # Nothing was written (the import is one transaction); never leave the record "running".
        logger.exception("Personnel import %s failed", import_id)
        mine.update(
            status=ImportStatus.FAILED,
            run_token=None,
            lease_until=None,
            failure=gettext(
                "The import stopped because of an unexpected error; nothing was changed. Try again, "
                "and contact the administrator if it happens again."
            ),
        )
        raise
    fields = {
        "total_rows": result.total,
        "processed_rows": result.total,
        "counts": result.counts(),
        "issues": [issue.as_dict() for issue in result.issues],
        "warnings": list(result.warnings),
    }
    if apply:
        mine.update(run_token=None, lease_until=None, **fields)
    else:
        mine.update(
            status=ImportStatus.VALIDATED, validated_at=timezone.now(), run_token=None, lease_until=None, **fields
        )
    return PersonnelImport.objects.get(pk=import_id)
