"""The reports' entry in ``/healthz`` (non-critical): failed deliveries and stale claims need a person."""

import datetime as dt

from django.db.models import Count, Q
from django.utils import timezone

from satgas.core.health import Degraded

from .models import ReportStatus


def check_deliveries() -> dict:
    """``{"failed": n, "stale_claims": n}``; ``Degraded`` when either is not zero."""
    from . import delivery
    from .models import SemesterReport

    limit = timezone.now() - dt.timedelta(seconds=delivery.lease_seconds())
    counts = SemesterReport.objects.aggregate(
        failed=Count("id", filter=Q(status=ReportStatus.FAILED)),
        stale_claims=Count("id", filter=Q(status=ReportStatus.SENDING, claimed_at__lt=limit)),
    )
    if counts["failed"] or counts["stale_claims"]:
        raise Degraded(
            f"six-monthly reports: {counts['failed']} failed deliveries, {counts['stale_claims']} stale claims",
            value=counts,
        )
    return counts
