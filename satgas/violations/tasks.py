from celery import shared_task

from . import digest


@shared_task(acks_late=True, time_limit=300, soft_time_limit=280)
def violation_digest_send() -> int:
    """Daily: each handler's overdue and due-soon cases (at most one email per handler per day)."""
    return digest.digest_send()
