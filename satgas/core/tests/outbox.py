"""Test helpers for work enqueued through the outbox (``satgas.core.outbox``)."""

from satgas.core.models import OutboxMessage, OutboxStatus


def waiting(task_name: str) -> list[list]:
    """The ``args`` of the rows of ``task_name`` not run yet (their transaction's hand-over has not happened)."""
    rows = OutboxMessage.objects.filter(task_name=task_name, status__in=[OutboxStatus.PENDING, OutboxStatus.SENT])
    return [row.args for row in rows.order_by("pk")]
