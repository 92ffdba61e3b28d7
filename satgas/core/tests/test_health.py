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
def test_healthz_is_503_when_the_broker_is_unreachable(client, settings, monkeypatch):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    settings.CELERY_TASK_ALWAYS_EAGER = False
    monkeypatch.setattr(celery_app.conf, "broker_url", "redis://127.0.0.1:1/0")
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["broker"].startswith("error")


@pytest.mark.redis
@pytest.mark.skipif(not settings.REDIS_URL, reason="REDIS_URL not set: no Redis to check")
def test_cache_is_redis_when_redis_url_is_set():
    from django.core.cache import caches

    assert type(caches["default"]).__name__ == "RedisCache"
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
