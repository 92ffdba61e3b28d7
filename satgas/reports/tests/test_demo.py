"""The demo data gives a 2024-1 report with something in every section, and approvers."""

import pytest
from django.core.management import call_command

from satgas.accounts.models import User
from satgas.monitoring.models import MonitoringReport
from satgas.personnel.models import Unit
from satgas.reports import permissions
from satgas.reports.demo import seed_reports
from satgas.reports.tests.factories import generate
from satgas.violations.models import Case

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_seed_demo_gives_a_non_empty_2024_1_report_and_approvers():
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    cases, reports = Case.objects.count(), MonitoringReport.objects.count()
    seed_reports()
    assert (Case.objects.count(), MonitoringReport.objects.count()) == (cases, reports)  # idempotent
    for email in ("admin@satgas.test", "pimpinan@satgas.test"):
        user = User.objects.get(email=email)
        assert user.has_perm(permissions.APPROVE_PERMISSION) and permissions.can_approve(user)
    office = Unit.objects.get(code="KWJATENG")
    version = generate(office=office)
    s = version.snapshot
    assert s["personnel"]["total"]["total"] >= 200
    assert s["socialization"]["total"]["sessions"] >= 1 and s["socialization"]["total"]["covered"] > 0
    assert s["oaths"]["campaigns"] and s["oaths"]["campaigns"][0]["signed"] > 100
    assert s["taskforces"]["total"]["active"] >= 1 and s["taskforces"]["total"]["inaugurated"] >= 1
    assert s["monitoring"]["total"]["submitted"] >= 8 and s["monitoring"]["total"]["evaluations"] >= 8
    assert s["monitoring"]["points"]["total"]["total"] >= 3
    assert s["violations"]["total"]["received"] == 3 and s["violations"]["total"]["sanctions"] == 1
    assert version.report.letter_number and len(version.pdf) > 10_000
