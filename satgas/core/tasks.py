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
