from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import models

from .models import AuditEvent


def _label(model, field_name: str) -> str:
    try:
        return str(model._meta.get_field(field_name).verbose_name)
    except FieldDoesNotExist:
        return field_name.replace("_", " ")


def audit_events_for(target: models.Model, *, limit: int = 200) -> list[AuditEvent]:
    """Newest-first audit events of one object, with their actors.

    Each event gets ``change_rows``: ``(field label, old, new)`` in the
    user's language, for display.
    """
    model = type(target)
    events = list(
        AuditEvent.objects.filter(target_type=ContentType.objects.get_for_model(target), target_id=str(target.pk))
        .select_related("actor")
        .order_by("-created_at", "-id")[:limit]
    )
    for event in events:
        event.change_rows = [(_label(model, name), change[0], change[1]) for name, change in event.changes.items()]
    return events


# --- Background work (the outbox) -----------------------------------------------------------------------------------


def background_work_summary(*, with_jobs: bool = True) -> dict:
    """``overdue`` and ``failed`` background tasks (one query) and, ``with_jobs``, ``stalled`` jobs (one query per
    kind of job; the dashboard panel leaves them to the Background work page)."""
    from django.db.models import Count, Q

    from . import jobs, outbox
    from .models import OutboxMessage, OutboxStatus

    counts = OutboxMessage.objects.filter(status__in=[*_UNFINISHED, OutboxStatus.FAILED]).aggregate(
        overdue=Count("id", filter=outbox.overdue_filter()),
        failed=Count("id", filter=Q(status=OutboxStatus.FAILED)),
    )
    counts["stalled"] = jobs.stalled_count() if with_jobs else 0
    return counts


def background_work_needing_attention(*, limit: int = 200) -> list:
    """Failed and overdue background tasks, oldest first, each with ``label`` (what it does) and ``overdue``."""
    from django.db.models import Q

    from . import outbox
    from .models import TASK_LABELS, OutboxMessage, OutboxStatus

    rows = list(
        OutboxMessage.objects.filter(Q(status=OutboxStatus.FAILED) | outbox.overdue_filter())
        .defer("args", "kwargs")
        .order_by("available_at", "pk")[:limit]
    )
    for row in rows:
        row.label = TASK_LABELS.get(row.task_name, row.task_name)
    return rows


_UNFINISHED = ["pending", "sent", "running"]
