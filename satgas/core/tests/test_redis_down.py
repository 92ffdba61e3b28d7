"""Redis stopped: people can still act (issue: 113 signing attempts, 0 stored, all 500).

A Redis server of the test's own (``stack.RedisServer``, never the shared one) serves as the cache (the production
backend, ``ResilientRedisCache``) and the Celery broker. With it stopped, signing, the anonymous report, login,
*Kirim pengingat* and the dashboard all succeed; the background work they asked for waits in the outbox; when Redis
is back, the relay hands it over and a real worker delivers the reminders.
"""

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection
from django.urls import reverse

from satgas.accounts.tests.factories import PASSWORD
from satgas.core import outbox
from satgas.core.models import OutboxMessage, OutboxStatus
from satgas.core.tests.stack import RedisServer, use_broker, use_eager, wait_for
from satgas.oaths.models import Signature
from satgas.oaths.tests.factories import open_campaign, sign_data
from satgas.personnel.tests.factories import PersonFactory
from satgas.violations.models import Case

pytestmark = [
    pytest.mark.redis,
    pytest.mark.skipif(not settings.REDIS_URL, reason="REDIS_URL not set: the Redis tests are off"),
    pytest.mark.skipif(not RedisServer.available(), reason="redis-server is not installed"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def redis_stack(settings, tmp_path):
    """The production cache backend and the broker on a Redis of this test's own."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: the worker thread must see the test's committed data")
    server = RedisServer(log=tmp_path / "redis.log").start()
    settings.CACHES = {
        "default": {
            "BACKEND": "satgas.core.cache.ResilientRedisCache",
            "LOCATION": server.url,
            "KEY_PREFIX": "satgas-test",
            "FALLBACK_SECONDS": 5,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    settings.REDIS_URL = server.url
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.ACCOUNT_RATE_LIMITS = {"login": "30/m/ip", "login_failed": "10/m/ip,5/5m/key"}  # counted in the cache
    settings.SATGAS_AGGREGATE_CACHE = True
    use_broker(server.url)
    try:
        yield server
    finally:
        use_eager()
        server.stop()


def test_with_redis_stopped_people_still_sign_report_log_in_and_remind(
    redis_stack, client, staff_a, admin_user, unit_a
):
    campaign = open_campaign(units=[unit_a], actor=admin_user)
    waiting = [PersonFactory(unit=unit_a, email=f"tunggu{i}@uji.test") for i in range(3)]
    client.force_login(admin_user)
    assert client.get(reverse("core:dashboard")).status_code == 200  # figures cached in Redis
    client.logout()

    redis_stack.stop()

    # Signing.
    client.force_login(staff_a)
    response = client.post(reverse("oaths:sign", args=[campaign.pk]), sign_data(staff_a.person))
    assert response.status_code == 302
    assert Signature.objects.filter(person=staff_a.person, campaign=campaign).exists()
    client.logout()
    # The anonymous report.
    response = client.post(
        reverse("violations_public:report"),
        {
            "reported_description": "Kepala seksi",
            "unit": unit_a.pk,
            "incident_date": "2024-01-10",
            "channel": "SOCIAL_MEDIA",
            "platform": "INSTAGRAM",
            "channel_url": "https://instagram.com/p/abc",
            "description": "Menyukai unggahan calon.",
        },
    )
    assert response.status_code == 200 and Case.objects.count() == 1
    # Login (rate limits counted in the process's memory meanwhile; the session is in the database).
    response = client.post(reverse("account_login"), {"login": admin_user.email, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    # The dashboard's figures are computed instead of read from the cache.
    assert client.get(reverse("core:dashboard")).status_code == 200
    # Kirim pengingat: the audit row and the task commit together; the task waits in the outbox.
    response = client.post(reverse("oaths:campaign_remind", args=[campaign.pk]))
    assert response.status_code == 302
    dispatch = OutboxMessage.objects.get(task_name="satgas.oaths.tasks.oath_reminders_dispatch")
    assert dispatch.status == OutboxStatus.PENDING and dispatch.handovers == 0
    # /healthz: degraded, not down.
    health = client.get("/healthz")
    assert health.status_code == 200 and health.json()["status"] == "degraded"
    assert mail.outbox == []

    # Redis is back: the relay hands the work over and a real worker sends every reminder once.
    redis_stack.start()
    from celery.contrib.testing.worker import start_worker

    from satgas.celery import app

    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):

        def delivered():
            outbox.relay()
            return len(mail.outbox) >= len(waiting) + 1 and not OutboxMessage.objects.exclude(status=OutboxStatus.DONE)

        assert wait_for(delivered, 60, 0.5), list(OutboxMessage.objects.values("task_name", "status", "last_error"))
    # Every reminder once, and the signer's confirmation of the signature made while Redis was down.
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == sorted([*(p.email for p in waiting), staff_a.email])
    assert OutboxMessage.objects.get(pk=dispatch.pk).status == OutboxStatus.DONE
