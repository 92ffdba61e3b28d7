import pytest
from django.conf import settings

from satgas.celery import app as celery_app
from satgas.core import health


@pytest.mark.django_db
def test_healthz_reports_every_service(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["cache"] == "ok"
    # Eager mode has no broker to ask; with REDIS_URL the broker is really pinged.
    assert body["checks"]["broker"] == ("ok" if settings.REDIS_URL else "eager")
    # The Celery queue length is information (a number with Redis).
    assert isinstance(body["checks"]["queue"], int) if settings.REDIS_URL else body["checks"]["queue"] == "eager"
    assert body["warnings"] == []
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.django_db
def test_healthz_is_503_when_the_database_fails(client, monkeypatch):
    def broken():
        raise RuntimeError("connection refused")

    monkeypatch.setitem(health.CHECKS, "database", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert "connection refused" in body["checks"]["database"]
    assert body["checks"]["cache"] == "ok"


@pytest.mark.django_db
def test_healthz_is_degraded_not_down_when_the_broker_is_unreachable(client, settings, monkeypatch):
    """The web role keeps serving without Redis (work waits in the outbox): degraded, still in rotation."""
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    settings.CELERY_TASK_ALWAYS_EAGER = False
    monkeypatch.setattr(celery_app.conf, "broker_url", "redis://127.0.0.1:1/0")
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["checks"]["broker"].startswith("error")
    assert any(warning.startswith("broker: error") for warning in body["warnings"])


@pytest.mark.redis
@pytest.mark.skipif(not settings.REDIS_URL, reason="REDIS_URL not set: no Redis to check")
def test_cache_is_redis_when_redis_url_is_set():
    from django.core.cache import caches
    from django.core.cache.backends.redis import RedisCache

    from satgas.core.cache import ResilientRedisCache

    assert isinstance(caches["default"], ResilientRedisCache) and isinstance(caches["default"], RedisCache)
    assert health.check_cache() == "ok"
    assert health.check_broker() == "ok"


def test_healthz_rejects_post(client, db):
    assert client.post("/healthz").status_code == 405


def test_error_pages_use_the_site_layout(client, outsider):
    client.force_login(outsider)
    forbidden = client.get("/personel/")
    assert forbidden.status_code == 403 and 'id="main"' in forbidden.content.decode()
    missing = client.get("/personel/999999/")
    assert missing.status_code == 404 and 'id="main"' in missing.content.decode()


def test_client_ip_follows_the_trusted_proxy_count(rf, settings):
    from satgas.core.views import client_ip

    request = rf.get("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7", REMOTE_ADDR="127.0.0.1")
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == "127.0.0.1"
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    assert client_ip(request) == "203.0.113.7"  # the hop our proxy saw, not the client's own claim


@pytest.fixture
def queue_on_redis(settings, monkeypatch):
    """As if REDIS_URL were set (tasks on a broker), without pinging a real one."""
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    settings.CELERY_TASK_ALWAYS_EAGER = False
    monkeypatch.setattr(celery_app.conf, "broker_url", "redis://127.0.0.1:1/0")
    monkeypatch.setitem(health.CHECKS, "broker", lambda: "ok")
    monkeypatch.setitem(health.CHECKS, "cache", lambda: "ok")


@pytest.mark.django_db
def test_a_long_queue_degrades_health_but_keeps_200(client, settings, queue_on_redis, monkeypatch):
    """A backlog is shared by every web instance: a 503 would take them all out of the load balancer."""
    settings.SATGAS_HEALTH_MAX_QUEUE_LENGTH = 100
    monkeypatch.setattr(health, "celery_queue_length", lambda: 100)
    body = client.get("/healthz").json()
    assert body["status"] == "ok" and body["checks"]["queue"] == 100

    monkeypatch.setattr(health, "celery_queue_length", lambda: 101)
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["checks"]["queue"] == 101
    assert body["warnings"] == ["queue: 101 tasks waiting in the Celery queue (limit 100): add workers?"]


@pytest.mark.redis
@pytest.mark.skipif(not settings.REDIS_URL, reason="REDIS_URL not set: no Redis to count")
def test_queue_length_counts_every_priority_list_in_redis(monkeypatch):
    import redis

    queue = "satgas-healthz-test"
    monkeypatch.setitem(celery_app.conf, "task_default_queue", queue)
    client = redis.Redis.from_url(celery_app.conf.broker_url)
    keys = [queue, f"{queue}\x06\x163"]
    try:
        client.rpush(keys[0], "a", "b", "c")
        client.rpush(keys[1], "d")
        assert health.celery_queue_length() == 4
    finally:
        client.delete(*keys)
        client.close()


@pytest.fixture
def registry(monkeypatch):
    """A private copy of the check registry for one test."""
    monkeypatch.setattr(health, "CHECKS", dict(health.CHECKS))
    monkeypatch.setattr(health, "NON_CRITICAL", set(health.NON_CRITICAL))
    return health


@pytest.mark.django_db
def test_apps_register_extra_checks(client, registry):
    def failed_deliveries():
        raise health.Degraded("2 report deliveries failed", value=2)

    registry.register_check("report_deliveries", failed_deliveries, critical=False)
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["checks"]["report_deliveries"] == 2
    assert body["warnings"] == ["report_deliveries: 2 report deliveries failed"]


@pytest.mark.django_db
def test_a_failing_non_critical_check_degrades_and_a_critical_one_is_503(client, registry):
    def broken():
        raise RuntimeError("boom")

    registry.register_check("extra", broken, critical=False)
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json()["status"] == "degraded"
    assert response.json()["checks"]["extra"] == "error: RuntimeError: boom"

    registry.register_check("extra", broken)  # re-registered as critical
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json()["status"] == "error"
