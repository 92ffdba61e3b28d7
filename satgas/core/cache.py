"""The cache backend of production: Django's Redis cache that never fails a request because Redis is down.

Redis is a cache here (figures, rate-limit and failure counters); a person's write must never fail because of it.
:class:`ResilientRedisCache` calls Redis with short socket timeouts; when a call fails with a connection error, a
timeout, or Redis refusing writes (out of memory, read-only), it answers from a local in-memory cache of the
process instead and stops asking Redis for ``FALLBACK_SECONDS`` (a circuit breaker, shared by the threads of the
process): a dead or hung Redis costs one fast failure per interval, not a timeout per call. Afterwards one call
tries Redis again; when it answers, the cache is shared again.

What degrades while Redis is away: counters (login rate limits, wrong-code counters) are counted per process;
cached figures are not cached (``satgas.core.aggregates`` asks :func:`is_shared` and computes them); when Redis
comes back, figures cached before the outage are dropped (``on_recover``). Sessions never depend on the cache
(``SESSION_ENGINE`` is the database). ``/healthz`` shows ``cache: "degraded: ..."`` (see ``health.check_cache``).

Settings (``CACHES["default"]``): ``OPTIONS`` go to redis-py (``socket_connect_timeout``, ``socket_timeout``);
``FALLBACK_SECONDS`` (default 10) is the breaker's interval.
"""

import logging
import threading
import time
from collections.abc import Callable

from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)


def _redis_errors() -> tuple[type[BaseException], ...]:
    from redis import exceptions

    return (
        exceptions.ConnectionError,
        exceptions.TimeoutError,
        exceptions.OutOfMemoryError,
        exceptions.ReadOnlyError,
        exceptions.BusyLoadingError,
        OSError,
    )


class _Breaker:
    """Per process and Redis location: until when Redis is left alone, and whether it was away."""

    def __init__(self):
        self.lock = threading.Lock()
        self.open_until = 0.0
        self.was_down = False
        self.last_error = ""


_BREAKERS: dict[str, _Breaker] = {}
_RECOVERY_HOOKS: list[Callable[[], None]] = []


def on_recover(hook: Callable[[], None]) -> None:
    """Call ``hook()`` (once per process and outage) when Redis answers again after an outage."""
    if hook not in _RECOVERY_HOOKS:
        _RECOVERY_HOOKS.append(hook)


def is_shared(alias: str = "default") -> bool:
    """Whether the cache ``alias`` is shared by every process right now (``False`` while falling back)."""
    backend = caches[alias]
    return not isinstance(backend, ResilientRedisCache) or not backend.degraded


def _wrap(name: str):
    redis_method = getattr(RedisCache, name)

    def method(self, *args, **kwargs):
        breaker = self._breaker
        if time.monotonic() < breaker.open_until:
            return getattr(self._fallback, name)(*args, **kwargs)
        try:
            result = redis_method(self, *args, **kwargs)
        except self._errors as exc:
            with breaker.lock:
                first = not breaker.was_down
                breaker.open_until = time.monotonic() + self._fallback_seconds
                breaker.was_down = True
                breaker.last_error = f"{exc.__class__.__name__}: {exc}"[:200]
            log = logger.warning if first else logger.info
            log(
                "Redis cache unavailable (%s); using this process's memory for %ss",
                breaker.last_error,
                self._fallback_seconds,
            )
            return getattr(self._fallback, name)(*args, **kwargs)
        if breaker.was_down:
            self._recovered()
        return result

    method.__name__ = name
    method.__doc__ = redis_method.__doc__
    return method


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._fallback_seconds = float(params.get("FALLBACK_SECONDS", 10))
        location = server if isinstance(server, str) else ",".join(server)
        self._breaker = _BREAKERS.setdefault(location, _Breaker())
        self._errors = _redis_errors()
        # LocMemCache instances of the same name share their storage within the process.
        self._fallback = LocMemCache(
            f"satgas-redis-fallback:{location}",
            {
                "TIMEOUT": params.get("TIMEOUT", 300),
                "KEY_PREFIX": params.get("KEY_PREFIX", ""),
                "VERSION": params.get("VERSION", 1),
                "OPTIONS": {"MAX_ENTRIES": 5000},
            },
        )

    @property
    def degraded(self) -> bool:
        """Falling back right now (the breaker is open)."""
        return time.monotonic() < self._breaker.open_until

    @property
    def last_error(self) -> str:
        return self._breaker.last_error

    def ping(self) -> None:
        """Ask Redis itself (bypassing the breaker); raises when it does not answer."""
        self._cache.get_client(write=True).ping()

    def _recovered(self) -> None:
        with self._breaker.lock:
            if not self._breaker.was_down:
                return
            self._breaker.was_down = False
        logger.warning("Redis cache available again")
        for hook in list(_RECOVERY_HOOKS):
            try:
                hook()
            except Exception:  # noqa: BLE001 - a hook must not fail the request that noticed the recovery
                logger.exception("Cache recovery hook %r failed", hook)

    add = _wrap("add")
    get = _wrap("get")
    set = _wrap("set")
    touch = _wrap("touch")
    delete = _wrap("delete")
    get_many = _wrap("get_many")
    has_key = _wrap("has_key")
    incr = _wrap("incr")
    set_many = _wrap("set_many")
    delete_many = _wrap("delete_many")
    clear = _wrap("clear")
