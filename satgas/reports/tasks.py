"""Celery tasks of the six-monthly report: thin; the rules live in ``delivery`` and ``services``."""

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded

from . import delivery, services


@shared_task(
    bind=True,
    # Acknowledged after it ran, and requeued when its worker process dies: a crash after the claim is
    # found by the redelivered task (see delivery.py), never lost.
    acks_late=True,
    reject_on_worker_lost=True,
    # Bounded by the database instead: each SMTP attempt is counted when the report is claimed
    # (SATGAS_REPORT_SEND_MAX_RETRIES), and waiting for someone else's claim ends with its lease.
    max_retries=None,
    time_limit=delivery.DELIVERY_TIME_LIMIT,
    soft_time_limit=delivery.DELIVERY_SOFT_TIME_LIMIT,
)
def semester_report_deliver(self, report_id: int) -> str:
    outcome = delivery.semester_report_deliver(report_id=report_id)
    if outcome.retry_in is not None:
        if self.request.is_eager:
            # Running inline (no worker: the demo without Redis): a retry would run at once, inside the
            # web request, ignoring the backoff. The claim is already released (QUEUED, last_error);
            # the hourly sweep (semester-report-sweep) queues it again.
            return outcome.code
        raise self.retry(countdown=outcome.retry_in)
    return outcome.code


@shared_task(bind=True, acks_late=True, max_retries=3, time_limit=5 * 60, soft_time_limit=4 * 60 + 30)
def semester_reports_dispatch(self) -> dict:
    """Every office is its own transaction and an office that has its report is skipped, so a run cut short by
    the time limit (about 10 s per office at 200,000 staff) is simply run again: it finishes the offices left."""
    try:
        return services.semester_reports_dispatch()
    except SoftTimeLimitExceeded as exc:
        raise self.retry(countdown=0, exc=exc) from exc


@shared_task(acks_late=True, time_limit=120, soft_time_limit=100)
def semester_reports_sweep() -> dict:
    return delivery.stale_claims_sweep()
