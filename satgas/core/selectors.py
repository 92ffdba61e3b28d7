from django.contrib.contenttypes.models import ContentType
from django.db import models

from .models import AuditEvent


def audit_events_for(target: models.Model, *, limit: int = 200):
    """Newest-first audit events of one object, with their actors."""
    return (
        AuditEvent.objects.filter(
            target_type=ContentType.objects.get_for_model(target), target_id=str(target.pk)
        )
        .select_related("actor")
        .order_by("-created_at", "-id")[:limit]
    )
