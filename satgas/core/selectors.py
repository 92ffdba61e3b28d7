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
