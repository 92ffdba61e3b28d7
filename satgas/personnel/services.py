"""Every change to units and personnel goes through these functions."""

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from satgas.core.email import email_enqueue
from satgas.core.services import audit_record, diff_fields
from satgas.core.text import strip_control

from . import tokens
from .models import EmailChange, EmailChangeStatus, ImportStatus, Person, PersonnelImport, Placement, Unit

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


@transaction.atomic
def personnel_import_start(
    *, actor, filename: str, content: bytes, strict: bool, create_accounts: bool
) -> PersonnelImport:
    """Store an uploaded file and queue its check (a dry run)."""
    from . import tasks

    record = PersonnelImport.objects.create(
        uploaded_by=actor,
        filename=strip_control(filename, multiline=False)[:255],
        content=content,
        size=len(content),
        strict=strict,
        create_accounts=create_accounts,
    )
    audit_record(actor=actor, action="import.uploaded", target=record, note=filename)
    transaction.on_commit(lambda: tasks.personnel_import_check.delay(record.pk))
    return record


@transaction.atomic
def personnel_import_confirm(*, actor, personnel_import: PersonnelImport) -> PersonnelImport:
    """Queue the import of a checked file; only a checked file can be confirmed."""
    claimed = PersonnelImport.objects.filter(pk=personnel_import.pk, status=ImportStatus.VALIDATED).update(
        status=ImportStatus.APPLYING, applied_by=actor, processed_rows=0
    )
    if not claimed:
        raise PersonnelError("not_confirmable")
    audit_record(actor=actor, action="import.confirmed", target=personnel_import)
    pk = personnel_import.pk
    from . import tasks

    transaction.on_commit(lambda: tasks.personnel_import_apply.delay(pk))
    personnel_import.refresh_from_db()
    return personnel_import


@transaction.atomic
def personnel_import_cancel(*, actor, personnel_import: PersonnelImport) -> PersonnelImport:
    claimed = PersonnelImport.objects.filter(pk=personnel_import.pk, status=ImportStatus.VALIDATED).update(
        status=ImportStatus.CANCELLED
    )
    if not claimed:
        raise PersonnelError("not_cancellable")
    audit_record(actor=actor, action="import.cancelled", target=personnel_import)
    personnel_import.refresh_from_db()
    return personnel_import


def personnel_import_run(*, import_id: int, apply: bool) -> PersonnelImport | None:
    """Check (``apply=False``) or apply a stored import; called by the tasks.

    Progress is written to the record as rows are processed so the UI can
    show it. Claims the record first, so a redelivered task does nothing.
    """
    from .importing import ImportFileError, import_personnel_file

    running, done = (
        (ImportStatus.APPLYING, ImportStatus.APPLIED) if apply else (ImportStatus.VALIDATING, ImportStatus.VALIDATED)
    )
    if not apply:
        claimed = PersonnelImport.objects.filter(pk=import_id, status=ImportStatus.PENDING).update(status=running)
    else:
        claimed = PersonnelImport.objects.filter(pk=import_id, status=running, applied_at__isnull=True).update(
            applied_at=timezone.now()
        )
    if not claimed:
        return None
    record = PersonnelImport.objects.get(pk=import_id)

    def progress(done_rows: int, total: int) -> None:
        PersonnelImport.objects.filter(pk=import_id).update(processed_rows=done_rows, total_rows=total)

    try:
        result = import_personnel_file(
            content=bytes(record.content),
            filename=record.filename,
            actor=record.applied_by if apply else record.uploaded_by,
            dry_run=not apply,
            strict=record.strict,
            create_accounts=record.create_accounts,
            progress=progress,
        )
    except ImportFileError as exc:
        PersonnelImport.objects.filter(pk=import_id).update(status=ImportStatus.FAILED, failure=str(exc))
        return PersonnelImport.objects.get(pk=import_id)
    except Exception:
        # Nothing was written (the import is one transaction); never leave the record "running".
        logger.exception("Personnel import %s failed", import_id)
        PersonnelImport.objects.filter(pk=import_id).update(
            status=ImportStatus.FAILED,
            failure=gettext(
                "The import stopped because of an unexpected error; nothing was changed. Try again, "
                "and contact the administrator if it happens again."
            ),
        )
        raise
    fields = {
        "status": done,
        "total_rows": result.total,
        "processed_rows": result.total,
        "counts": result.counts(),
        "issues": [issue.as_dict() for issue in result.issues],
        "warnings": list(result.warnings),
    }
    if not apply:
        fields["validated_at"] = timezone.now()
    PersonnelImport.objects.filter(pk=import_id).update(**fields)
    return PersonnelImport.objects.get(pk=import_id)
