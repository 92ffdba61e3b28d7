import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from satgas.monitoring import reminders, services
from satgas.monitoring.models import Reminder
from satgas.monitoring.tasks import monitoring_reminders_send

pytestmark = pytest.mark.django_db


def _at(day: dt.date):
    return time_machine.travel(timezone.make_aware(dt.datetime.combine(day, dt.time(7, 30))), tick=False)


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.SATGAS_MONITORING_PERIOD_MONTHS = 1
    settings.SATGAS_MONITORING_DUE_DAYS = 10
    settings.SATGAS_MONITORING_REMIND_BEFORE_DAYS = 3
    settings.SATGAS_MONITORING_REMIND_LOOKBACK_PERIODS = 1


def _run(day, django_capture_on_commit_callbacks):
    with _at(day), django_capture_on_commit_callbacks(execute=True):
        return monitoring_reminders_send()


def test_no_reminder_before_the_window(taskforce_a, taskforce_b, django_capture_on_commit_callbacks):
    assert _run(dt.date(2024, 2, 6), django_capture_on_commit_callbacks) == 0  # January due 10 Feb
    assert mail.outbox == []


def test_before_due_once_a_day_to_the_units_task_force(taskforce_a, taskforce_b, django_capture_on_commit_callbacks):
    assert _run(dt.date(2024, 2, 7), django_capture_on_commit_callbacks) == 2
    by_to = {m.to[0]: m for m in mail.outbox}
    assert set(by_to) == {taskforce_a.email, taskforce_b.email}
    assert "Lapas A" in by_to[taskforce_a.email].subject and "2024-02-10" in by_to[taskforce_a.email].body
    # A second run the same day sends nothing (the Reminder row is unique per unit, period and day).
    assert _run(dt.date(2024, 2, 7), django_capture_on_commit_callbacks) == 0
    assert len(mail.outbox) == 2
    assert _run(dt.date(2024, 2, 8), django_capture_on_commit_callbacks) == 2
    assert len(mail.outbox) == 4
    assert Reminder.objects.count() == 4


def test_overdue_until_submitted(taskforce_a, unit_a, django_capture_on_commit_callbacks):
    assert _run(dt.date(2024, 2, 12), django_capture_on_commit_callbacks) == 1
    assert Reminder.objects.get().overdue is True
    report = services.report_start(actor=taskforce_a, unit=unit_a, period_start=dt.date(2024, 1, 1))
    with _at(dt.date(2024, 2, 12)):
        services.report_submit(actor=taskforce_a, report=report)
    mail.outbox.clear()
    assert _run(dt.date(2024, 2, 13), django_capture_on_commit_callbacks) == 0
    assert mail.outbox == []


def test_database_refuses_a_second_reminder_the_same_day(unit_a):
    Reminder.objects.create(unit=unit_a, period_start=dt.date(2024, 1, 1), sent_on=dt.date(2024, 2, 7))
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Reminder.objects.create(unit=unit_a, period_start=dt.date(2024, 1, 1), sent_on=dt.date(2024, 2, 7))


def test_service_returns_false_when_already_sent(unit_a, taskforce_a):
    kwargs = {
        "unit": unit_a,
        "period_start": dt.date(2024, 1, 1),
        "today": dt.date(2024, 2, 7),
        "overdue": False,
        "recipients": [taskforce_a.email],
    }
    assert services.reminder_send(**kwargs) is True
    assert services.reminder_send(**kwargs) is False
    assert reminders.reminders_send(today=dt.date(2024, 2, 7)) == 0
