from celery import shared_task

from . import reminders


@shared_task(acks_late=True, time_limit=300, soft_time_limit=240)
def monitoring_reminders_send() -> int:
    return reminders.reminders_send()
