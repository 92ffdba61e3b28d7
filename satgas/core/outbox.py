"""The one way a write asks for background work: ``enqueue`` a Celery task by name (a transactional outbox).

Call :func:`enqueue` inside the transaction of the write that wants the work done. It stores the request as an
:class:`~satgas.core.models.OutboxMessage` row in that same transaction, so the write and its background work
are committed together or not at all; nothing is sent for a write that rolled back, and nothing is lost when
the broker (Redis) is down, restarted or flushed.

**Relay.** After the transaction commits, the rows it added are handed to the broker at once (``relay(ids=…)``);
the periodic task ``satgas.core.tasks.outbox_relay`` (beat, every 10 seconds) hands over whatever is left: rows
whose hand-over failed because the broker was down, rows whose ``countdown`` has come (the delay is kept here,
in the database, never as a broker ETA message held in a worker's memory), and rows whose **lease** ran out
without their task finishing (the message was lost in a Redis restart or flush, or the worker died while running
it). Rows are claimed with ``SELECT … FOR UPDATE SKIP LOCKED``, so several relays never hand over the same row
at the same time. When Redis restarted (its ``run_id`` changed), every row handed over before the restart is
handed over again at once instead of after its lease.

**Exactly once per row.** A row is finished when its task has finished, not when it was handed over. Every
Celery task of the project has :class:`OutboxTask` as its base (``satgas/celery.py``): before the task body runs
it claims its row (``pending``/``sent`` → ``running`` with a fresh token, conditional UPDATE); a duplicate
message — the relay's re-send, kombu's redelivery after the visibility timeout — finds the row ``running`` or
``done`` and does nothing. When the body returns, the row becomes ``done``; when it raises, ``failed`` (shown on
the admins' *Background work* page and in ``/healthz`` until someone retries or dismisses it). A run that never
finishes (the worker killed, the hard time limit) leaves the row ``running`` until its lease (the task's time
limit plus a margin) runs out; the relay then hands it over again, and after ``SATGAS_OUTBOX_MAX_RUNS`` runs
that never finished the row fails instead of looping. Task bodies must therefore be idempotent for the case of
a run cut short, as they are (claims in the database).

**Retries** (``self.retry``, ``autoretry_for``) are rescheduled here too: the row goes back to ``pending`` with
its new due time, instead of a broker ETA message.

**Eager mode** (no Redis: ``make run``, the tests): after commit the rows of the transaction run in-process, as
``task.apply`` did before; a failure is recorded on the row and, with ``CELERY_TASK_EAGER_PROPAGATES``, raised.
"""

import datetime as dt
import json
import logging
import re
import time
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from celery import Task, current_app
from celery.exceptions import Ignore, Retry
from celery.utils.serialization import raise_with_context
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

logger = logging.getLogger(__name__)

_TASK_ID = re.compile(r"^outbox-(\d+)-\d+$")
# After a failed hand-over, this process leaves hand-overs to the periodic relay for a while: a dead broker costs
# one fast failure per interval, not one per request.
BROKER_PAUSE_SECONDS = 10
_broker_paused_until = 0.0
RUN_LEASE_MARGIN = 60
BATCH = 200


def handover_lease_seconds() -> int:
    return settings.SATGAS_OUTBOX_LEASE_SECONDS


def max_runs() -> int:
    return settings.SATGAS_OUTBOX_MAX_RUNS


def _eager() -> bool:
    return bool(current_app.conf.task_always_eager)


def _task(task_name: str):
    tasks = current_app.tasks
    if task_name not in tasks:
        # The apps' tasks modules are imported lazily (autodiscovery): the worker does it at start, a web process
        # the first time it enqueues.
        current_app.loader.import_default_modules()
    try:
        return tasks[task_name]
    except KeyError:
        raise KeyError(f"No Celery task named {task_name!r}") from None


def _task_or_none(task_name: str):
    try:
        return _task(task_name)
    except KeyError:
        return None


def run_lease_seconds(task) -> int:
    """How long a started run may take before the relay presumes it dead: its hard time limit and a margin."""
    limit = task.time_limit or current_app.conf.task_time_limit or 300
    return int(limit) + getattr(settings, "SATGAS_OUTBOX_RUN_MARGIN_SECONDS", RUN_LEASE_MARGIN)


# --- Enqueue -----------------------------------------------------------------------------------------------------


class _Handover:
    """The after-commit hand-over of one transaction's rows: registered once per transaction."""

    def __init__(self):
        self.ids: list[int] = []

    def __call__(self):
        handover(self.ids)


def _register_handover(pk: int) -> None:
    connection = transaction.get_connection()
    if connection.in_atomic_block:
        current = set(connection.savepoint_ids)
        for sids, callback, _robust in connection.run_on_commit:
            # Only one registered at this savepoint level: a rollback of it drops the callback with its rows.
            if isinstance(callback, _Handover) and sids == current:
                callback.ids.append(pk)
                return
    callback = _Handover()
    callback.ids.append(pk)
    transaction.on_commit(callback)


def enqueue(
    task_name: str,
    *,
    args: Sequence[Any] = (),
    kwargs: dict[str, Any] | None = None,
    countdown: int | float | None = None,
    key: str | None = None,
    retries: int = 0,
):
    """Run the Celery task ``task_name`` (its dotted name) with ``args``/``kwargs`` once the current transaction
    commits, ``countdown`` seconds later. ``key``: an idempotency key; a second request with the same key is the
    same request (the first row is returned, nothing is added). Arguments must be JSON-serialisable (checked here,
    so a mistake fails the caller, not the worker). Returns the :class:`OutboxMessage`."""
    from .models import OutboxMessage

    _task(task_name)
    args, kwargs = list(args), dict(kwargs or {})
    json.dumps([args, kwargs])
    row = OutboxMessage(
        task_name=task_name,
        args=args,
        kwargs=kwargs,
        key=key or None,
        available_at=timezone.now() + dt.timedelta(seconds=max(0, countdown or 0)),
        retries=retries,
    )
    if key:
        try:
            with transaction.atomic():
                row.save()
        except IntegrityError:
            return OutboxMessage.objects.get(key=key)
    else:
        row.save()
    if not countdown or (_eager() and not retries):  # eager mode runs at once, as task.apply did; not retries
        _register_handover(row.pk)
    return row


def handover(ids: Iterable[int]) -> int:
    """Hand the rows ``ids`` over now (after their transaction committed): to the broker, or run them in-process
    in eager mode."""
    ids = list(ids)
    if not ids:
        return 0
    if _eager():
        return sum(run_eager(pk) for pk in ids)
    return relay(ids=ids)


# --- The relay ---------------------------------------------------------------------------------------------------


def _due(now, run_id: str | None) -> Q:
    from .models import OutboxStatus as S

    due = Q(status=S.PENDING, available_at__lte=now) | Q(status__in=[S.SENT, S.RUNNING], lease_until__lte=now)
    if run_id:
        # Redis restarted since these were handed over: their messages are gone.
        due |= Q(status=S.SENT) & ~Q(broker_run_id=run_id)
    return due


def _broker_run_id(producer) -> str | None:
    """The broker's ``run_id`` (Redis changes it at every start), or ``None`` for another transport."""
    client = getattr(producer.channel, "client", None)
    if client is None or not hasattr(client, "info"):
        return None
    return str(client.info("server").get("run_id", "")) or None


def relay(*, ids: Iterable[int] | None = None, limit: int = BATCH) -> int:
    """Hand over due rows (only ``ids`` when given) to the broker; returns how many were handed over. Never
    raises because of the broker: rows that could not be handed over stay for the next relay."""
    global _broker_paused_until
    from .models import OutboxMessage
    from .models import OutboxStatus as S

    if ids is not None:
        ids = list(ids)
        if time.monotonic() < _broker_paused_until:
            return 0  # the broker failed a moment ago: the periodic relay takes these
    if _eager():
        rows = OutboxMessage.objects.filter(_due(timezone.now(), None))
        if ids is not None:
            rows = rows.filter(pk__in=ids)
        return sum(run_eager(pk) for pk in rows.values_list("pk", flat=True)[:limit])

    app = current_app
    sent, error = 0, None
    try:
        with app.producer_or_acquire() as producer:
            run_id = _broker_run_id(producer)
            now = timezone.now()
            with transaction.atomic():
                rows = OutboxMessage.objects.select_for_update(skip_locked=True).filter(_due(now, run_id))
                if ids is not None:
                    rows = rows.filter(pk__in=ids)
                for row in rows.order_by("available_at", "pk")[:limit]:
                    task = _task_or_none(row.task_name)
                    if task is None:
                        OutboxMessage.objects.filter(pk=row.pk).update(
                            status=S.FAILED, finished_at=now, last_error=f"No task named {row.task_name!r}"
                        )
                        continue
                    number = row.handovers + 1
                    try:
                        task.apply_async(
                            args=row.args,
                            kwargs=row.kwargs,
                            task_id=f"outbox-{row.pk}-{number}",
                            retries=row.retries,
                            producer=producer,
                            retry=False,
                        )
                    except Exception as exc:  # noqa: BLE001 - the broker refused: stop, keep what was handed over
                        error = exc
                        break
                    # A re-sent row waits longer each time (a long queue is not a lost message).
                    lease = handover_lease_seconds() * min(number, 6)
                    OutboxMessage.objects.filter(pk=row.pk).update(
                        status=S.SENT,
                        handed_over_at=now,
                        handovers=number,
                        lease_until=now + dt.timedelta(seconds=lease),
                        broker_run_id=run_id or "",
                    )
                    sent += 1
    except Exception as exc:  # noqa: BLE001 - the broker is unreachable
        error = exc
    if error is not None:
        _broker_paused_until = time.monotonic() + BROKER_PAUSE_SECONDS
        logger.warning("Outbox: broker unavailable, %s task(s) handed over, the rest wait: %s", sent, error)
    return sent


def run_eager(pk: int) -> int:
    """Run row ``pk`` in this process now (eager mode), whatever its due time, as ``task.apply`` did."""
    from .models import OutboxMessage
    from .models import OutboxStatus as S

    now = timezone.now()
    row = OutboxMessage.objects.filter(pk=pk, status__in=[S.PENDING, S.SENT, S.RUNNING]).first()
    if row is None:
        return 0
    task = _task_or_none(row.task_name)
    if task is None:
        OutboxMessage.objects.filter(pk=pk).update(status=S.FAILED, last_error=f"No task named {row.task_name!r}")
        return 0
    number = row.handovers + 1
    OutboxMessage.objects.filter(pk=pk).update(
        status=S.SENT if row.status != S.RUNNING else row.status,
        available_at=min(row.available_at, now),
        handed_over_at=now,
        handovers=number,
    )
    try:
        task.apply(args=row.args, kwargs=row.kwargs, task_id=f"outbox-{pk}-{number}", retries=row.retries)
    except Retry:
        pass  # rescheduled on the row (OutboxTask.retry)
    return 1


# --- The task side -----------------------------------------------------------------------------------------------


def row_id_of(request) -> int | None:
    match = _TASK_ID.match(str(getattr(request, "id", "") or ""))
    return int(match.group(1)) if match else None


def child_key(request, suffix: str) -> str | None:
    """An idempotency key for work a task enqueues, unique to the task's outbox row: the same run started again
    (after a crash) enqueues the same keys, so nothing twice. ``None`` outside the outbox."""
    pk = row_id_of(request)
    return f"outbox-{pk}:{suffix}" if pk is not None else None


def claim(pk: int, *, lease_seconds: int, now=None) -> uuid.UUID | None:
    """Start a run of row ``pk``: a fresh token when the row was waiting for it (or its last run's lease ran
    out), ``None`` when it is finished or another run holds it. After ``max_runs()`` runs that never finished,
    the row fails instead."""
    from .models import OutboxMessage
    from .models import OutboxStatus as S

    now = now or timezone.now()
    token = uuid.uuid4()
    claimable = Q(status__in=[S.PENDING, S.SENT], available_at__lte=now) | Q(status=S.RUNNING, lease_until__lte=now)
    claimed = (
        OutboxMessage.objects.filter(pk=pk)
        .filter(claimable)
        .update(
            status=S.RUNNING,
            run_token=token,
            started_at=now,
            lease_until=now + dt.timedelta(seconds=lease_seconds),
            attempts=F("attempts") + 1,
        )
    )
    if not claimed:
        return None
    attempts = OutboxMessage.objects.filter(pk=pk).values_list("attempts", flat=True).get()
    if attempts > max_runs():
        _close(pk, token, S.FAILED, f"gave up: {attempts - 1} runs started and none finished (killed or timed out)")
        return None
    return token


def _close(pk: int, token, status: str, error: str = "") -> bool:
    from .models import OutboxMessage

    return bool(
        OutboxMessage.objects.filter(pk=pk, run_token=token).update(
            status=status, finished_at=timezone.now(), lease_until=None, last_error=error[:2000]
        )
    )


def reschedule(pk: int, token, *, delay: float, retries: int, error: str = "") -> bool:
    """The run asked for a retry: the row waits again until ``delay`` seconds from now."""
    from .models import OutboxMessage
    from .models import OutboxStatus as S

    return bool(
        OutboxMessage.objects.filter(pk=pk, run_token=token).update(
            status=S.PENDING,
            available_at=timezone.now() + dt.timedelta(seconds=max(0, delay)),
            retries=retries,
            run_token=None,
            lease_until=None,
            last_error=error[:2000],
        )
    )


def _describe(exc: BaseException) -> str:
    return f"{exc.__class__.__name__}: {exc}"


class OutboxTask(Task):
    """Base of every Celery task of the project (``satgas/celery.py``): a task handed over from the outbox runs
    once per row (see the module docstring); a task started otherwise (beat, a test) runs as usual. Retries are
    kept in the outbox, not as broker ETA messages."""

    def __call__(self, *args, **kwargs):
        from .models import OutboxStatus as S

        pk = row_id_of(self.request)
        if pk is None:
            return super().__call__(*args, **kwargs)
        token = claim(pk, lease_seconds=run_lease_seconds(self))
        if token is None:
            logger.info("Outbox: %s (row %s) is finished or running elsewhere; this copy does nothing", self.name, pk)
            return None
        self.request.outbox_token = token
        try:
            result = super().__call__(*args, **kwargs)
        except Retry:
            raise  # the row was rescheduled by retry()
        except Ignore:
            _close(pk, token, S.DONE)
            raise
        except BaseException as exc:
            _close(pk, token, S.FAILED, _describe(exc))
            raise
        _close(pk, token, S.DONE)
        return result

    def retry(
        self, args=None, kwargs=None, exc=None, throw=True, eta=None, countdown=None, max_retries=None, **options
    ):
        request = self.request
        if request.called_directly:
            return super().retry(args, kwargs, exc, throw, eta, countdown, max_retries, **options)
        retries = request.retries + 1
        max_retries = self.max_retries if max_retries is None else max_retries
        if max_retries is not None and retries > max_retries:
            if exc:
                raise_with_context(exc)
            raise self.MaxRetriesExceededError(f"Can't retry {self.name}[{request.id}]")
        if eta is None and countdown is None:
            countdown = self.default_retry_delay
        if countdown is None:
            countdown = max(0.0, (eta - timezone.now()).total_seconds())
        args = request.args if args is None else args
        kwargs = request.kwargs if kwargs is None else kwargs
        pk, token = row_id_of(request), getattr(request, "outbox_token", None)
        error = _describe(exc) if exc else "retry"
        if pk is not None and token is not None:
            reschedule(pk, token, delay=countdown, retries=retries, error=error)
        else:  # started outside the outbox (beat): the retry goes into it
            enqueue(self.name, args=args or (), kwargs=kwargs or {}, countdown=countdown, retries=retries)
        ret = Retry(exc=exc, when=countdown, is_eager=request.is_eager)
        if throw:
            raise ret
        return ret


# --- Housekeeping and what the admins see ---------------------------------------------------------------------------


def purge(now=None) -> int:
    """Delete finished rows (done, dismissed) older than ``SATGAS_OUTBOX_KEEP_DAYS``; failed rows stay until a person
    retries or dismisses them."""
    from .models import OutboxMessage
    from .models import OutboxStatus as S

    limit = (now or timezone.now()) - dt.timedelta(days=settings.SATGAS_OUTBOX_KEEP_DAYS)
    deleted, _ = OutboxMessage.objects.filter(status__in=[S.DONE, S.CANCELLED], finished_at__lt=limit).delete()
    return deleted


def overdue_filter(now=None) -> Q:
    """Unfinished work due for longer than ``SATGAS_OUTBOX_OVERDUE_SECONDS``."""
    from .models import OutboxStatus as S

    limit = (now or timezone.now()) - dt.timedelta(seconds=settings.SATGAS_OUTBOX_OVERDUE_SECONDS)
    return Q(status__in=[S.PENDING, S.SENT, S.RUNNING], available_at__lt=limit)
