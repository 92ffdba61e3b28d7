import datetime as dt

from django.core import mail
from django.utils import timezone

from satgas.violations import services, tasks
from satgas.violations.models import Case, CaseStatus
from satgas.violations.tests.factories import case_at


def _due(case, days):
    Case.objects.filter(pk=case.pk).update(due_on=timezone.localdate() + dt.timedelta(days=days))


def test_digest_lists_each_handlers_overdue_and_due_soon_cases(
    unit_a, admin_user, taskforce_a, django_capture_on_commit_callbacks
):
    overdue = case_at(CaseStatus.VERIFICATION, unit=unit_a)
    soon = case_at(CaseStatus.CLARIFICATION, unit=unit_a)
    later = case_at(CaseStatus.CLARIFICATION, unit=unit_a)
    closed = case_at(CaseStatus.CLOSED, unit=unit_a)
    for case, days in ((overdue, -2), (soon, 1), (later, 20), (closed, -5)):
        _due(case, days)
        services.case_assign(actor=admin_user, case=case, handler=taskforce_a)
    unassigned = case_at(CaseStatus.RECEIVED, unit=unit_a)
    _due(unassigned, -1)

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.violation_digest_send() == 2
    by_recipient = {m.to[0]: m for m in mail.outbox}
    handler_mail = by_recipient[taskforce_a.email]
    assert overdue.number in handler_mail.body and soon.number in handler_mail.body
    assert later.number not in handler_mail.body and closed.number not in handler_mail.body
    assert handler_mail.body.index(overdue.number) < handler_mail.body.index(soon.number)
    assert handler_mail.alternatives and overdue.number in handler_mail.alternatives[0][0]
    assert f"/pelanggaran/{overdue.pk}/" in handler_mail.body
    admin_mail = by_recipient[admin_user.email]
    assert unassigned.number in admin_mail.body and overdue.number not in admin_mail.body

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.violation_digest_send() == 0, "one digest per handler per day"
    assert len(mail.outbox) == 2


def test_no_digest_when_nothing_is_due(unit_a, admin_user, django_capture_on_commit_callbacks):
    case = case_at(CaseStatus.VERIFICATION, unit=unit_a)
    _due(case, 10)
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.violation_digest_send() == 0
    assert mail.outbox == []


def test_digest_is_scheduled(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["violation-handler-digest"]
    assert entry["task"] == "satgas.violations.tasks.violation_digest_send"
