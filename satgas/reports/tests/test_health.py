"""The reports' non-critical entry in /healthz: failed deliveries and stale claims degrade it."""

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from satgas.core import health
from satgas.reports import delivery
from satgas.reports.models import ReportStatus, SemesterReport
from satgas.reports.tests.factories import report_at

pytestmark = pytest.mark.django_db
S = ReportStatus


def test_registered_as_a_non_critical_check():
    from satgas.reports.health import check_deliveries

    assert health.CHECKS["semester_reports"] is check_deliveries
    assert "semester_reports" in health.NON_CRITICAL


def test_failed_deliveries_and_stale_claims_degrade_health_but_keep_200(client, region, admin_user, fast_pdf):
    body = client.get("/healthz").json()
    assert body["checks"]["semester_reports"] == {"failed": 0, "stale_claims": 0}
    report = report_at(S.QUEUED, office=region, admin=admin_user)
    # A claim younger than the lease is a delivery at work: nothing to report.
    SemesterReport.objects.filter(pk=report.pk).update(
        status=S.SENDING, claim_token=uuid.uuid4(), claimed_at=timezone.now() - dt.timedelta(seconds=30)
    )
    assert client.get("/healthz").json()["checks"]["semester_reports"] == {"failed": 0, "stale_claims": 0}
    SemesterReport.objects.filter(pk=report.pk).update(
        claimed_at=timezone.now() - dt.timedelta(seconds=delivery.lease_seconds() + 1)
    )
    response = client.get("/healthz")
    body = response.json()
    assert response.status_code == 200 and body["status"] == "degraded"
    assert body["checks"]["semester_reports"] == {"failed": 0, "stale_claims": 1}
    assert any("1 stale claims" in w for w in body["warnings"])
    SemesterReport.objects.filter(pk=report.pk).update(status=S.FAILED)
    body = client.get("/healthz").json()
    assert body["status"] == "degraded" and body["checks"]["semester_reports"] == {"failed": 1, "stale_claims": 0}
