"""The one way a write asks for background work: ``enqueue`` a Celery task by name.

Call it inside the transaction of the write that wants the work done. The task is handed to the broker only once
that transaction commits (nothing runs for a write that rolled back).

This is the interface every app uses; issue #14 (transactional outbox) makes it durable: the request is stored in
the database in the same transaction and a relay hands it to the broker, re-sending it until the task finished.
"""

from collections.abc import Sequence
from typing import Any

from django.db import transaction


def enqueue(
    task_name: str,
    *,
    args: Sequence[Any] = (),
    kwargs: dict[str, Any] | None = None,
    countdown: int | float | None = None,
    key: str | None = None,
) -> None:
    """Run the Celery task ``task_name`` (its dotted name) with ``args``/``kwargs`` after the current transaction
    commits, ``countdown`` seconds later. ``key``: an idempotency key; a second request with the same key is the
    same request. Arguments must be JSON-serialisable."""
    from celery import current_app

    task = current_app.tasks[task_name]
    args = list(args)
    kwargs = dict(kwargs or {})

    def send():
        task.apply_async(args=args, kwargs=kwargs, countdown=countdown)

    transaction.on_commit(send)
