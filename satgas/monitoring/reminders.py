"""Daily reminders to task forces whose report is due soon or overdue."""

from django.conf import settings
from django.utils import timezone

from . import selectors, services


def reminders_send(*, today=None) -> int:
    """One email per unit and period per day (the Reminder row is DB-unique); returns how many were queued."""
    today = today or timezone.localdate()
    sent = 0
    for item in selectors.reminders_due(today=today, lookback=settings.SATGAS_MONITORING_REMIND_LOOKBACK_PERIODS):
        sent += services.reminder_send(today=today, **item)
    return sent
