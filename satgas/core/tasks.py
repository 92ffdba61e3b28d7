from celery import shared_task

from .email import email_send


@shared_task(
    acks_late=True, autoretry_for=(OSError,), retry_backoff=30, max_retries=5, time_limit=120, soft_time_limit=100
)
def send_templated_email(*, to: list[str], template: str, context: dict) -> int:
    return email_send(to=to, template=template, context=context)


@shared_task(acks_late=True, time_limit=300, soft_time_limit=240)
def form_submissions_purge() -> list[int]:
    """Hourly: erase the secrets of form submissions once expired, drop claims older than the retention."""
    from .submissions import purge

    return list(purge())


@shared_task(ignore_result=True, time_limit=60, soft_time_limit=50)
def outbox_relay() -> int:
    """Every 10 seconds (beat, straight to the broker): hand over what the after-commit hand-overs left."""
    from . import outbox

    return outbox.relay()


@shared_task(time_limit=120, soft_time_limit=100)
def jobs_sweep() -> dict:
    """Every 5 minutes: jobs whose lease ran out are resumed or failed (``satgas.core.jobs``); finished outbox
    rows older than ``SATGAS_OUTBOX_KEEP_DAYS`` are deleted."""
    from . import jobs, outbox

    return {**jobs.sweep(), "purged": outbox.purge()}
