"""Jobs a person waits for — a personnel import, an attendance import — never stay "running" forever.

A job is a row with a status (its own ``TextChoices``) and the fields of :class:`satgas.core.models.LeasedJob`
(``run_token``, ``lease_until``, ``rescues``). The pieces:

- :func:`claim` — the task starts a run: waiting → running (or a running job whose lease ran out is taken over),
  with a fresh token and a lease of the task's time limit plus a margin. A duplicate or late task finds the job
  held or finished and does nothing.
- :func:`still_holds` — the run checks, while it works and once more inside its final transaction, that the job is
  still its own (not cancelled by the person, not taken over after its lease): if not, it stops and rolls back.
- :func:`waiting_lease` — a job that waits for its task (queued) gets a lease too, so a task that never starts
  (the broker lost it) is noticed.
- :func:`register` + :func:`sweep` (beat ``jobs-sweep``, every 5 minutes) — every registered kind's jobs in a
  leased status whose lease ran out are **resumed** (``resume(job)``: the app enqueues its task again, through the
  outbox, idempotently) up to ``max_rescues`` times, then **failed** (``fail(job, message)``) with a message the
  person can act on. The app's own pages offer *Cancel* (any unfinished job) and *Try again* (a failed or stalled
  one) through its services.

To adopt it (e.g. ``socialization``'s attendance import): add ``LeasedJob`` to the model's bases (a migration),
claim in the task with :func:`claim`, guard the final write with :func:`still_holds`, and in ``AppConfig.ready()``::

    jobs.register("attendance-import", jobs.JobKind(
        model=AttendanceImport, leased={"PENDING", "RUNNING"}, resume=services.attendance_import_resume,
        fail=services.attendance_import_fail))
"""

import datetime as dt
import logging
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone

logger = logging.getLogger(__name__)

LEASE_MARGIN_SECONDS = 60


def waiting_lease(now=None) -> dt.datetime:
    """When a queued job whose task has not started counts as lost (``SATGAS_JOB_START_SECONDS``)."""
    return (now or timezone.now()) + dt.timedelta(seconds=settings.SATGAS_JOB_START_SECONDS)


def claim(
    model: type[models.Model],
    pk: int,
    *,
    waiting: Iterable[str],
    running: str,
    lease_seconds: int,
    held: Q | None = None,
    now=None,
    **fields,
) -> uuid.UUID | None:
    """Start a run of job ``pk``: from a ``waiting`` status, or ``running`` whose lease ran out (taken over), or
    ``held`` (an extra condition under which the job may be claimed, e.g. ``running`` without a token). Sets
    ``status=running``, a fresh token and a lease; returns the token, or ``None`` when the job is not claimable."""
    now = now or timezone.now()
    token = uuid.uuid4()
    claimable = Q(status__in=list(waiting)) | Q(status=running, lease_until__lte=now)
    if held is not None:
        claimable |= held
    changed = (
        model.objects.filter(pk=pk)
        .filter(claimable)
        .update(
            status=running,
            run_token=token,
            lease_until=now + dt.timedelta(seconds=lease_seconds + LEASE_MARGIN_SECONDS),
            **fields,
        )
    )
    return token if changed else None


def still_holds(model: type[models.Model], pk: int, token, *, lock: bool = False) -> bool:
    """The run ``token`` still holds job ``pk`` (``lock``: and the row stays locked until the transaction ends)."""
    queryset = model.objects.filter(pk=pk, run_token=token)
    if lock:
        queryset = queryset.select_for_update()
    return queryset.exists()


@dataclass(frozen=True)
class JobKind:
    model: type[models.Model]
    leased: frozenset[str] | set[str]  # statuses that hold a lease (waiting for the task, or running)
    resume: Callable[[models.Model], None]  # enqueue the work again (inside the sweep's transaction)
    fail: Callable[[models.Model, str], None]  # end the job with a message a person can act on
    max_rescues: int = 2
    message: str = ""  # the failure message; default: generic (see sweep)


KINDS: dict[str, JobKind] = {}


def register(name: str, kind: JobKind) -> None:
    KINDS[name] = kind


def stalled(model: type[models.Model], leased: Iterable[str], now=None) -> Q:
    """The jobs of ``leased`` statuses whose lease ran out."""
    return Q(status__in=list(leased), lease_until__lt=now or timezone.now())


def sweep(now=None) -> dict:
    """Resume or fail every registered job whose lease ran out; returns counts per kind."""
    now = now or timezone.now()
    counts = {}
    for name, kind in KINDS.items():
        resumed = failed = 0
        for pk in kind.model.objects.filter(stalled(kind.model, kind.leased, now)).values_list("pk", flat=True):
            try:
                with transaction.atomic():
                    job = (
                        kind.model.objects.select_for_update(skip_locked=True)
                        .filter(stalled(kind.model, kind.leased, now), pk=pk)
                        .first()
                    )
                    if job is None:
                        continue
                    if job.rescues >= kind.max_rescues:
                        kind.fail(job, kind.message)
                        failed += 1
                        continue
                    # The resumed task gets a fresh wait; the run it takes over is presumed dead.
                    kind.model.objects.filter(pk=pk).update(
                        rescues=F("rescues") + 1, run_token=None, lease_until=waiting_lease(now)
                    )
                    job.refresh_from_db()
                    kind.resume(job)
                    resumed += 1
            except Exception:  # noqa: BLE001 - one broken job must not stop the sweep
                logger.exception("Job sweep: %s %s could not be resumed or failed", name, pk)
        if resumed or failed:
            logger.warning("Job sweep: %s: %s resumed, %s failed", name, resumed, failed)
        counts[name] = {"resumed": resumed, "failed": failed}
    return counts


def stalled_count(now=None) -> int:
    """Registered jobs whose lease ran out (the sweep has not resumed or failed them yet)."""
    now = now or timezone.now()
    return sum(kind.model.objects.filter(stalled(kind.model, kind.leased, now)).count() for kind in KINDS.values())
