"""/healthz in public and in detail, the outbox's health check, the admins' Background work page, and the Redis
cache that falls back to memory."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from satgas.core import health
from satgas.core.models import AuditEvent, OutboxMessage, OutboxStatus

S = OutboxStatus
TOKEN = "t" * 40
MARK = "satgas.core.tests.worker_tasks.mark"


@pytest.mark.django_db
def test_healthz_tells_the_public_only_its_status(client, settings):
    settings.SATGAS_HEALTH_TOKEN = TOKEN
    public = client.get("/healthz", REMOTE_ADDR="203.0.113.9")
    assert public.status_code == 200 and public.json() == {"status": "ok"}
    # Through nginx without SATGAS_TRUSTED_PROXY_COUNT, every request seems to come from 127.0.0.1: no details.
    forwarded = client.get("/healthz", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert forwarded.json() == {"status": "ok"}
    wrong = client.get("/healthz", REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION="Bearer " + "x" * 40)
    assert wrong.json() == {"status": "ok"}
    monitor = client.get("/healthz", REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert set(monitor.json()) == {"status", "checks", "warnings"} and monitor.json()["checks"]["database"] == "ok"
    local = client.get("/healthz", REMOTE_ADDR="127.0.0.1")
    assert "checks" in local.json()


@pytest.mark.django_db
def test_healthz_without_a_token_gives_details_to_loopback_only(client, settings):
    settings.SATGAS_HEALTH_TOKEN = ""
    assert client.get("/healthz", REMOTE_ADDR="::1").json()["checks"]
    assert client.get("/healthz", REMOTE_ADDR="10.0.0.5", HTTP_AUTHORIZATION="Bearer ").json() == {"status": "ok"}


@pytest.mark.django_db
def test_overdue_and_failed_background_work_degrade_health_with_counts(client, settings):
    settings.SATGAS_OUTBOX_OVERDUE_SECONDS = 600
    late = timezone.now() - dt.timedelta(minutes=11)
    OutboxMessage.objects.create(task_name=MARK, available_at=late, status=S.SENT)
    OutboxMessage.objects.create(task_name=MARK, available_at=timezone.now(), status=S.PENDING)
    OutboxMessage.objects.create(task_name=MARK, available_at=late, status=S.FAILED, last_error="boom")
    body = client.get("/healthz").json()
    assert body["status"] == "degraded"
    assert body["checks"]["outbox"] == {"waiting": 2, "overdue": 1, "failed": 1, "stalled_jobs": 0}
    assert any(w.startswith("outbox: background work: 1 overdue, 1 failed") for w in body["warnings"])


def test_production_refuses_a_short_health_token():
    from satgas.core.tests.test_settings import PRODUCTION_ENV, _manage

    result = _manage("check", env={**PRODUCTION_ENV, "SATGAS_HEALTH_TOKEN": "short"})
    assert result.returncode != 0 and "SATGAS_HEALTH_TOKEN" in result.stderr


@pytest.mark.django_db
def test_background_work_page_is_for_regional_admins(client, persona):
    name, user = persona
    client.force_login(user)
    response = client.get(reverse("core:background_work"))
    assert response.status_code == (200 if name == "admin_user" else 403)


@pytest.mark.django_db
def test_admins_see_failed_and_overdue_work_and_retry_or_dismiss_it(client, admin_user, tmp_path):
    late = timezone.now() - dt.timedelta(hours=1)
    failed = OutboxMessage.objects.create(
        task_name=MARK, args=[str(tmp_path), "x"], available_at=late, status=S.FAILED, last_error="SMTP refused"
    )
    overdue = OutboxMessage.objects.create(task_name="satgas.core.tasks.send_templated_email", available_at=late)
    OutboxMessage.objects.create(task_name=MARK, available_at=timezone.now())  # on time: not listed
    client.force_login(admin_user)
    dashboard = client.get(reverse("core:dashboard")).content.decode()
    assert reverse("core:background_work") in dashboard
    page = client.get(reverse("core:background_work")).content.decode()
    assert "SMTP refused" in page and f"#{failed.pk}" in page and f"#{overdue.pk}" in page and page.count("<tr>") == 3

    response = client.post(reverse("core:background_work_action", args=[failed.pk, "retry"]))
    assert response.status_code == 302
    assert OutboxMessage.objects.get(pk=failed.pk).status == S.PENDING
    client.post(reverse("core:background_work_action", args=[overdue.pk, "dismiss"]))
    assert OutboxMessage.objects.get(pk=overdue.pk).status == S.CANCELLED
    assert set(AuditEvent.objects.values_list("action", flat=True)) >= {"outbox.retried", "outbox.dismissed"}


@pytest.mark.django_db
def test_background_work_page_query_count(client, admin_user, django_assert_max_num_queries):
    late = timezone.now() - dt.timedelta(hours=1)
    OutboxMessage.objects.bulk_create(
        [OutboxMessage(task_name=MARK, available_at=late, status=S.FAILED) for _ in range(30)]
    )
    client.force_login(admin_user)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("core:background_work")).status_code == 200


def test_the_cache_falls_back_to_memory_and_tries_redis_once_per_interval():
    from unittest import mock

    from satgas.core.cache import _BREAKERS, ResilientRedisCache

    location = "redis://127.0.0.1:1/0"
    _BREAKERS.pop(location, None)
    cache = ResilientRedisCache(location, {"FALLBACK_SECONDS": 30, "OPTIONS": {"socket_connect_timeout": 0.2}})
    with mock.patch(
        "django.core.cache.backends.redis.RedisCacheClient.get_client", wraps=cache._cache.get_client
    ) as redis:
        cache.set("k", 1)
        assert cache.get("k") == 1 and cache.add("n", 1) and cache.incr("n") == 2  # counted in memory
        assert cache.degraded and redis.call_count == 1  # one failure, then memory until the interval ends
    assert health.Degraded
    _BREAKERS.pop(location, None)
