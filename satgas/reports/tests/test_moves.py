"""Every move of the workflow driven through the SERVICES from every status: the allowed ones change
the status to the declared target (and the audit records the real source), the forbidden ones are
refused and change nothing."""

import uuid
from unittest import mock

import pytest
from django.utils import timezone

from satgas.core.models import AuditEvent
from satgas.reports import delivery, rules, services
from satgas.reports.errors import ReportError
from satgas.reports.models import ReportStatus, SemesterReport
from satgas.reports.tests.factories import AFTER_2024_1, S2024_1, approver, ensure_head, force_status, generate

pytestmark = pytest.mark.django_db
S = ReportStatus
TOKEN = uuid.uuid4()


@pytest.fixture
def report(region, admin_user, fast_pdf):
    ensure_head(region)
    approver(admin_user)
    return generate(office=region, actor=admin_user).report


def _last_status_change(report) -> list | None:
    event = AuditEvent.objects.filter(target_id=str(report.pk)).order_by("-pk").first()
    return (event.changes or {}).get("status") if event else None


def _drive(report, move: str, call) -> dict:
    """``call(report)`` from every status; returns {source: (accepted, status after)}."""
    outcome = {}
    for source in S.values:
        force_status(report, source, token=TOKEN)
        before = AuditEvent.objects.count()
        try:
            with mock.patch("satgas.reports.tasks.semester_report_deliver.delay"):
                accepted = call(SemesterReport.objects.get(pk=report.pk)) is not False
        except ReportError:
            accepted = False
        after = SemesterReport.objects.get(pk=report.pk).status
        if accepted:
            assert _last_status_change(report) in ([source, after], None), (move, source)
        else:
            assert AuditEvent.objects.count() == before, (move, source)
        outcome[source] = (accepted, after)
    return outcome


def _expect(move: str, outcome: dict) -> None:
    target = rules.target_of(move)
    for source, (accepted, after) in outcome.items():
        if source in rules.sources_of(move):
            assert (accepted, after) == (True, target), (move, source)
        else:
            assert (accepted, after) == (False, source), (move, source)


def test_regenerate(report, admin_user):
    outcome = _drive(
        report,
        "regenerate",
        lambda r: services.semester_report_generate(
            actor=admin_user, office=r.office, semester=S2024_1, now=AFTER_2024_1
        ),
    )
    _expect("regenerate", outcome)


def test_edit_text(report, admin_user):
    counter = iter(range(100))
    outcome = _drive(
        report,
        "edit_text",
        lambda r: services.semester_report_text_update(actor=admin_user, report=r, summary=f"Teks {next(counter)}."),
    )
    _expect("edit_text", outcome)


def test_approve(report, admin_user):
    _expect(
        "approve", _drive(report, "approve", lambda r: services.semester_report_approve(actor=admin_user, report=r))
    )


def test_send(report, admin_user):
    _expect("send", _drive(report, "send", lambda r: services.semester_report_send(actor=admin_user, report=r)))


def test_claim(report):
    outcome = _drive(report, "claim", lambda r: delivery.claim(report_id=r.pk, now=timezone.now()) is not None)
    _expect("claim", outcome)


@pytest.mark.parametrize(
    "move,call",
    [
        ("release", lambda r, t: delivery.release(report_id=r.pk, token=t, error="x", attempt=1, now=timezone.now())),
        ("fail", lambda r, t: delivery.fail(report_id=r.pk, token=t, error="x", attempt=1, now=timezone.now())),
        ("interrupt", lambda r, t: delivery.interrupt(report_id=r.pk, token=t, now=timezone.now())),
    ],
)
def test_delivery_moves_need_the_claim_and_a_declared_source(report, move, call):
    _expect(move, _drive(report, move, lambda r: call(r, TOKEN)))
    # With someone else's token nothing moves, from any status.
    for source in S.values:
        force_status(report, source, token=TOKEN)
        assert call(report, uuid.uuid4()) is False
        assert SemesterReport.objects.get(pk=report.pk).status == source


def test_delivered_from_sending_or_as_a_late_confirmation(report):
    def record(r, token=TOKEN):
        return delivery.record_delivered(
            report_id=r.pk,
            token=token,
            message_id="<m@uji.test>",
            delivered_to=["a@uji.test"],
            refused={},
            now=timezone.now(),
        )

    outcome = _drive(report, "deliver", record)
    sources = rules.sources_of("deliver") | rules.sources_of("confirm_late")
    assert {s for s, (accepted, _after) in outcome.items() if accepted} == sources == {S.SENDING, S.FAILED}
    assert all(after == S.DELIVERED for s, (_a, after) in outcome.items() if s in sources)
    event = AuditEvent.objects.filter(action="report.delivered").order_by("-pk").first()
    assert event.changes["status"] == [S.FAILED, S.DELIVERED] and "late confirmation" in event.note
    force_status(report, S.FAILED, token=TOKEN)
    assert record(report, token=uuid.uuid4()) is False  # a resend replaced the claim: nothing to confirm


def test_the_moves_make_up_the_declared_workflow():
    pairs = {(s, m.target) for m in rules.MOVES.values() for s in m.sources}
    assert pairs == {(s, t) for s, targets in rules.TRANSITIONS.items() for t in targets}
