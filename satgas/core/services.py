"""Shared write helpers: the audit trail; background work (the outbox) retried or dismissed by an admin."""

from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone

from .models import AuditEvent


def _plain(value):
    """JSON-safe representation of a field value for the audit trail."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, models.Model):
        return str(value)
    return str(value)


def diff_fields(before: dict, after: dict) -> dict:
    """``{field: [old, new]}`` for every field whose value changed."""
    return {
        key: [_plain(before.get(key)), _plain(after.get(key))] for key in after if before.get(key) != after.get(key)
    }


def audit_record(
    *, actor, action: str, target: models.Model, changes: dict | None = None, note: str = ""
) -> AuditEvent:
    """Record one audit event; call inside the transaction of the change."""
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        target_type=ContentType.objects.get_for_model(target),
        target_id=str(target.pk),
        target_repr=str(target)[:255],
        changes=changes or {},
        note=note,
    )


def audit_record_many(*, actor, action: str, items: Iterable[tuple[models.Model, dict]], note: str = "") -> int:
    """Record one event per ``(target, changes)`` pair with bulk inserts."""
    events = []
    content_types: dict[type, ContentType] = {}
    actor = actor if getattr(actor, "pk", None) else None
    for target, changes in items:
        model = type(target)
        if model not in content_types:
            content_types[model] = ContentType.objects.get_for_model(model)
        events.append(
            AuditEvent(
                actor=actor,
                action=action,
                target_type=content_types[model],
                target_id=str(target.pk),
                target_repr=str(target)[:255],
                changes=changes or {},
                note=note,
            )
        )
    AuditEvent.objects.bulk_create(events, batch_size=1000)
    return len(events)


# --- Background work (the outbox) -----------------------------------------------------------------------------------


@transaction.atomic
def outbox_retry(*, actor, message) -> bool:
    """Run a failed (or overdue) background task again from the start; ``False`` when it finished meanwhile."""
    from . import outbox
    from .models import OutboxMessage, OutboxStatus

    changed = OutboxMessage.objects.filter(
        pk=message.pk, status__in=[OutboxStatus.FAILED, OutboxStatus.PENDING, OutboxStatus.SENT, OutboxStatus.RUNNING]
    ).update(
        status=OutboxStatus.PENDING,
        available_at=timezone.now(),
        attempts=0,
        retries=0,
        run_token=None,
        lease_until=None,
        finished_at=None,
    )
    if changed:
        audit_record(actor=actor, action="outbox.retried", target=message, note=message.task_name)
        outbox._register_handover(message.pk)
    return bool(changed)


@transaction.atomic
def outbox_dismiss(*, actor, message) -> bool:
    """Give up a failed or overdue background task (it will not run); ``False`` when it finished meanwhile."""
    from .models import OutboxMessage, OutboxStatus

    changed = OutboxMessage.objects.filter(
        pk=message.pk, status__in=[OutboxStatus.FAILED, OutboxStatus.PENDING, OutboxStatus.SENT, OutboxStatus.RUNNING]
    ).update(status=OutboxStatus.CANCELLED, finished_at=timezone.now(), run_token=None, lease_until=None)
    if changed:
        audit_record(actor=actor, action="outbox.dismissed", target=message, note=message.task_name)
    return bool(changed)
