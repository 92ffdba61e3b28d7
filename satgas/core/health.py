"""Health checks of the services the application depends on (``GET /healthz``).

Each check is a function that returns a short JSON-serialisable value when
all is well (``"ok"``, a count, ...). It signals trouble by raising:

- :class:`Degraded` — the service works but needs attention (a long queue,
  failed deliveries): ``/healthz`` still answers 200, with ``"status":
  "degraded"`` and the message under ``warnings``;
- any other exception — the check failed: a *critical* check makes
  ``/healthz`` answer 503 (``"status": "error"``), a non-critical one only
  degrades it.

Why a long queue is 200 and not 503: load balancers take a 503 instance out of
rotation, and every web instance shares the one queue, so a backlog would take
the whole site down while the workers catch up. Monitoring alerts on
``status != "ok"`` instead. The same holds for Redis (cache and broker): while
it is away the web process keeps serving (the cache falls back to memory, work
waits in the outbox), so the web role is ``degraded``, not down. Only the
database is critical.

Who sees what: the public answer is ``{"status": ...}`` alone; the checks and
warnings are added for a request from loopback (the machine itself, judged by
the same client-address rule as the rate limits, so not a request nginx
forwarded) or carrying ``Authorization: Bearer <SATGAS_HEALTH_TOKEN>``
(compared in constant time).

Apps contribute their own checks from ``AppConfig.ready()``::

    from satgas.core.health import Degraded, register_check

    def check_failed_deliveries():
        failed = Delivery.objects.filter(status="failed").count()
        if failed:
            raise Degraded(f"{failed} report deliveries failed", value=failed)
        return failed

    register_check("report_deliveries", check_failed_deliveries, critical=False)
"""

import hmac
import ipaddress
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection

# Kombu's Redis transport keeps one list per priority step: "celery" for the
# default priority, "celery\x06\x163" etc. for the others.
_KOMBU_PRIORITY_SEPARATOR = "\x06\x16"
_KOMBU_PRIORITY_STEPS = (0, 3, 6, 9)


class Degraded(Exception):
    """The service works but needs attention; ``value`` is what /healthz shows."""

    def __init__(self, message: str, *, value: Any = None):
        super().__init__(message)
        self.value = value if value is not None else f"warning: {message}"


def check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def check_cache() -> str:
    from .cache import ResilientRedisCache

    backend = _default_cache()
    if isinstance(backend, ResilientRedisCache):
        if backend.degraded:
            raise Degraded(f"Redis unavailable, each process uses its own memory ({backend.last_error})")
        try:
            backend.ping()
        except Exception as exc:  # noqa: BLE001 - reported, never fatal: the cache falls back
            raise Degraded(f"Redis unavailable, each process uses its own memory ({exc.__class__.__name__})") from exc
    cache.set("satgas:healthz", "1", timeout=10)
    if cache.get("satgas:healthz") != "1":
        raise RuntimeError("cache did not return the value just written")
    return "ok"


def _default_cache():
    from django.core.cache import caches

    return caches["default"]


def _eager() -> bool:
    return settings.CELERY_TASK_ALWAYS_EAGER and not settings.REDIS_URL


def check_broker() -> str:
    if _eager():
        return "eager"
    from satgas.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
    return "ok"


def celery_queue_length() -> int:
    """Messages waiting in the default Celery queue (all priorities), read from Redis."""
    import redis

    from satgas.celery import app

    queue = app.conf.task_default_queue or "celery"
    keys = [queue] + [f"{queue}{_KOMBU_PRIORITY_SEPARATOR}{step}" for step in _KOMBU_PRIORITY_STEPS if step]
    client = redis.Redis.from_url(app.conf.broker_url, socket_timeout=2, socket_connect_timeout=2)
    try:
        pipe = client.pipeline(transaction=False)
        for key in keys:
            pipe.llen(key)
        return sum(pipe.execute())
    finally:
        client.close()


def check_queue() -> int | str:
    """Length of the default Celery queue; above SATGAS_HEALTH_MAX_QUEUE_LENGTH the site is degraded."""
    if _eager():
        return "eager"
    from satgas.celery import app

    if not str(app.conf.broker_url).startswith(("redis://", "rediss://")):
        return "n/a"
    length = celery_queue_length()
    limit = settings.SATGAS_HEALTH_MAX_QUEUE_LENGTH
    if length > limit:
        raise Degraded(f"{length} tasks waiting in the Celery queue (limit {limit}): add workers?", value=length)
    return length


Check = Callable[[], Any]

CHECKS: dict[str, Check] = {}
NON_CRITICAL: set[str] = set()


def register_check(name: str, fn: Check, *, critical: bool = True) -> None:
    """Add (or replace) a check under ``name``; call it from ``AppConfig.ready()``."""
    CHECKS[name] = fn
    if critical:
        NON_CRITICAL.discard(name)
    else:
        NON_CRITICAL.add(name)


def check_outbox() -> dict:
    """Background work (``satgas.core.outbox``): ``overdue`` (unfinished, due for longer than
    SATGAS_OUTBOX_OVERDUE_SECONDS), ``failed`` (waiting for an admin to retry or dismiss it), ``waiting`` (all
    unfinished rows), and ``stalled_jobs`` (jobs a person waits for whose lease ran out, ``satgas.core.jobs``);
    ``Degraded`` when work is overdue, failed or stalled."""
    from django.db.models import Count, Q

    from . import jobs, outbox
    from .models import OutboxMessage, OutboxStatus

    counts = OutboxMessage.objects.filter(~Q(status__in=[OutboxStatus.DONE, OutboxStatus.CANCELLED])).aggregate(
        waiting=Count("id", filter=~Q(status=OutboxStatus.FAILED)),
        overdue=Count("id", filter=outbox.overdue_filter()),
        failed=Count("id", filter=Q(status=OutboxStatus.FAILED)),
    )
    counts["stalled_jobs"] = jobs.stalled_count()
    if counts["overdue"] or counts["failed"] or counts["stalled_jobs"]:
        raise Degraded(
            f"background work: {counts['overdue']} overdue, {counts['failed']} failed, "
            f"{counts['stalled_jobs']} stalled jobs",
            value=counts,
        )
    return counts


register_check("database", check_database)
# Redis (cache and broker) away: the web process still serves every request (the cache falls back to memory, work
# waits in the outbox), so the answer is "degraded", not an error that takes the instance out of rotation.
register_check("cache", check_cache, critical=False)
register_check("broker", check_broker, critical=False)
register_check("queue", check_queue, critical=False)
register_check("outbox", check_outbox, critical=False)


def _is_loopback(address: str | None) -> bool:
    try:
        return address is not None and ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def details_allowed(request) -> bool:
    """The checks' details go to the machine itself or to a monitor with the token (see the module docstring)."""
    token = settings.SATGAS_HEALTH_TOKEN
    header = request.headers.get("Authorization", "")
    if token and header.startswith("Bearer "):
        if hmac.compare_digest(header.removeprefix("Bearer ").strip().encode(), token.encode()):
            return True
    from .views import client_ip

    # A forwarded request from an untrusted proxy is not the machine itself, whatever REMOTE_ADDR says.
    if "X-Forwarded-For" in request.headers and not settings.ALLAUTH_TRUSTED_PROXY_COUNT:
        return False
    return _is_loopback(client_ip(request))


def run_checks_detailed() -> tuple[str, dict[str, Any], list[str]]:
    """``(status, results, warnings)`` with status ``"ok"``, ``"degraded"`` or ``"error"``."""
    results: dict[str, Any] = {}
    warnings: list[str] = []
    failed = degraded = False
    for name, check in list(CHECKS.items()):
        try:
            results[name] = check()
        except Degraded as exc:
            degraded = True
            results[name] = exc.value
            warnings.append(f"{name}: {exc}"[:300])
        except Exception as exc:  # noqa: BLE001 - any failure means unhealthy
            results[name] = f"error: {exc.__class__.__name__}: {exc}"[:300]
            if name in NON_CRITICAL:
                degraded = True
                warnings.append(f"{name}: {results[name]}")
            else:
                failed = True
    status = "error" if failed else "degraded" if degraded else "ok"
    return status, results, warnings


def run_checks() -> tuple[bool, dict[str, Any]]:
    """``(healthy, results)``: healthy unless a critical check failed."""
    status, results, _warnings = run_checks_detailed()
    return status != "error", results
