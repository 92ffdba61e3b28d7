"""Every change to units and personnel goes through these functions."""

import datetime as dt
import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from satgas.core.outbox import enqueue
from satgas.core.services import audit_record, diff_fields

from .models import ImportStatus, Person, PersonnelImport, Placement, Unit

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
    """Change a person's details (not their unit: see ``person_move``)."""
    if "unit" in data:
        raise PersonnelError("Use person_move to change a person's unit.")
    before = _snapshot(Person.objects.get(pk=person.pk), PERSON_FIELDS)
    for key, value in data.items():
        setattr(person, key, value)
    person.full_clean()
    person.save()
    changes = diff_fields(before, _snapshot(person, PERSON_FIELDS))
    if changes:
        audit_record(actor=actor, action="person.updated", target=person, changes=changes)
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


# --- Imports ----------------------------------------------------------------


@transaction.atomic
def personnel_import_start(
    *, actor, filename: str, content: bytes, strict: bool, create_accounts: bool
) -> PersonnelImport:
    """Store an uploaded file and queue its check (a dry run)."""
    record = PersonnelImport.objects.create(
        uploaded_by=actor,
        filename=filename[:255],
        content=content,
        size=len(content),
        strict=strict,
        create_accounts=create_accounts,
    )
    audit_record(actor=actor, action="import.uploaded", target=record, note=filename)
    enqueue("satgas.personnel.tasks.personnel_import_check", args=[record.pk])
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
    enqueue("satgas.personnel.tasks.personnel_import_apply", args=[personnel_import.pk])
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
