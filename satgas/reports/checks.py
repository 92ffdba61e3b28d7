"""System checks of the reports' settings."""

from django.conf import settings
from django.core.checks import Warning


def lease_outlasts_the_task(app_configs=None, **kwargs):
    from .delivery import DELIVERY_TIME_LIMIT

    lease = settings.SATGAS_REPORT_SEND_LEASE_SECONDS
    if lease <= DELIVERY_TIME_LIMIT:
        return [
            Warning(
                f"SATGAS_REPORT_SEND_LEASE_SECONDS ({lease}) is not longer than the delivery task's time limit "
                f"({DELIVERY_TIME_LIMIT} s): a delivery still running may be declared interrupted.",
                hint=f"Use at least {DELIVERY_TIME_LIMIT + 60} (the default is 900).",
                id="reports.W001",
            )
        ]
    return []
