import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from satgas.core.models import AuditEvent
from satgas.violations import rules, services
from satgas.violations.models import Case, CaseStatus, CaseTransition, SanctionKind
from satgas.violations.tests.factories import case_at, report

S = CaseStatus
ALLOWED = {
    (S.RECEIVED, S.VERIFICATION),
    (S.RECEIVED, S.DISMISSED),
    (S.RECEIVED, S.REFERRED),
    (S.VERIFICATION, S.CLARIFICATION),
    (S.VERIFICATION, S.DISMISSED),
    (S.VERIFICATION, S.REFERRED),
    (S.CLARIFICATION, S.DECISION),
    (S.CLARIFICATION, S.REFERRED),
    (S.DECISION, S.PROVEN),
    (S.DECISION, S.NOT_PROVEN),
    (S.PROVEN, S.FOLLOW_UP),
    (S.FOLLOW_UP, S.SANCTIONED),
    (S.SANCTIONED, S.CLOSED),
    (S.NOT_PROVEN, S.CLOSED),
}
ALL_PAIRS = [(a, b) for a in S.values for b in S.values]


def test_declared_workflow_is_exactly_the_documented_one():
    declared = {(a, b) for a, targets in rules.CASE_TRANSITIONS.items() for b in targets}
    assert declared == ALLOWED
    assert rules.TERMINAL_STATUSES == {S.CLOSED, S.DISMISSED, S.REFERRED}


def _sanction(case, actor):
    Case.objects.filter(pk=case.pk).update(status=S.FOLLOW_UP)
    services.sanction_record(
        actor=actor,
        case=case,
        kind=SanctionKind.ETHICS,
        ethics_form="OPEN",
        decree_number="W.10-1.KP.05.02 TAHUN 2024",
        decree_date=dt.date(2024, 3, 1),
        imposed_by="Kakanwil",
    )


@pytest.mark.parametrize(("source", "target"), ALL_PAIRS)
def test_every_move(source, target, unit_a, admin_user):
    case = case_at(source, unit=unit_a)
    if target == S.SANCTIONED and source == S.FOLLOW_UP:
        _sanction(case, admin_user)
    move = {"actor": admin_user, "case": case, "to": target, "reason": "alasan", "forwarded_to": "Bawaslu"}
    if (source, target) in ALLOWED:
        services.case_transition(**move)
        case.refresh_from_db()
        assert case.status == target
        row = CaseTransition.objects.get(case=case)
        assert (row.from_status, row.to_status, row.actor, row.reason) == (source, target, admin_user, "alasan")
        assert AuditEvent.objects.filter(action="violation.status", target_id=str(case.pk)).exists()
    else:
        with pytest.raises(services.ViolationError) as exc:
            services.case_transition(**move)
        assert exc.value.code == "transition_forbidden"
        case.refresh_from_db()
        assert case.status == source
        assert not CaseTransition.objects.filter(case=case).exists()


def test_reason_and_destination_are_required(unit_a, admin_user):
    case = case_at(S.RECEIVED, unit=unit_a)
    with pytest.raises(services.ViolationError, match="reason_required"):
        services.case_transition(actor=admin_user, case=case, to=S.DISMISSED, reason="  ")
    with pytest.raises(services.ViolationError, match="forwarded_to_required"):
        services.case_transition(actor=admin_user, case=case, to=S.REFERRED, reason="bukan wewenang")


def test_sanction_recorded_needs_a_sanction(unit_a, admin_user):
    case = case_at(S.FOLLOW_UP, unit=unit_a)
    with pytest.raises(services.ViolationError, match="no_sanction"):
        services.case_transition(actor=admin_user, case=case, to=S.SANCTIONED, reason="SK terbit")


@time_machine.travel(dt.datetime(2024, 1, 10, 9, 0, tzinfo=dt.UTC), tick=False)
def test_due_dates_follow_the_stages(unit_a, admin_user, settings):
    settings.SATGAS_VIOLATION_DUE_DAYS = {**settings.SATGAS_VIOLATION_DUE_DAYS, "verification": 5}
    case, _ = report(unit=unit_a)
    today = timezone.localdate()
    assert case.due_on == today + dt.timedelta(days=5)
    case = services.case_transition(actor=admin_user, case=case, to=S.VERIFICATION, reason="mulai")
    assert case.due_on == today + dt.timedelta(days=5), "verification keeps the deadline from receipt"
    assert case.verified_at is None
    case = services.case_transition(actor=admin_user, case=case, to=S.CLARIFICATION, reason="layak")
    assert case.due_on == today + dt.timedelta(days=settings.SATGAS_VIOLATION_DUE_DAYS["clarification"])
    assert case.verified_at is not None
    case = services.case_transition(actor=admin_user, case=case, to=S.REFERRED, reason="r", forwarded_to="Bawaslu")
    assert case.due_on is None and case.closed_at is not None


def test_overdue(unit_a):
    case = case_at(S.VERIFICATION, unit=unit_a)
    Case.objects.filter(pk=case.pk).update(due_on=timezone.localdate() - dt.timedelta(days=1))
    case.refresh_from_db()
    assert case.is_overdue()
    Case.objects.filter(pk=case.pk).update(status=S.DISMISSED)
    case.refresh_from_db()
    assert not case.is_overdue()
