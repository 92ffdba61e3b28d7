"""Reminders travel the real path: Celery worker over Redis, SMTP on loopback."""

import time

import pytest
from django.conf import settings

from satgas.core.tests.smtp import smtp_server, text_of
from satgas.oaths import services
from satgas.oaths.models import ReminderLog
from satgas.oaths.tests.factories import open_campaign
from satgas.personnel.tests.factories import PersonFactory

pytestmark = [
    pytest.mark.redis,
    pytest.mark.skipif(not settings.REDIS_URL, reason="REDIS_URL not set: no broker for a real worker"),
]


@pytest.mark.django_db(transaction=True)
def test_reminders_are_sent_by_the_worker_once_per_person(celery_worker_on_redis, admin_user, unit_a, settings):
    people = [PersonFactory(unit=unit_a, email=f"pegawai{i}@uji.test") for i in range(5)]
    campaign = open_campaign(units=[unit_a], actor=admin_user)
    settings.SATGAS_REMINDER_BATCH_INTERVAL_SECONDS = 0
    with smtp_server() as (inbox, port):
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        services.campaign_send_reminders(actor=admin_user, campaign=campaign)
        services.campaign_send_reminders(actor=admin_user, campaign=campaign)  # a second click, same day
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and ReminderLog.objects.count() < 5:
            time.sleep(0.2)
        time.sleep(1.0)  # let the second dispatch finish too
    assert sorted(m["X-Envelope-To"] for m in inbox.messages) == sorted(p.email for p in people)
    assert all("/ikrar/undangan/" in text_of(m) for m in inbox.messages)
    assert ReminderLog.objects.count() == 5
