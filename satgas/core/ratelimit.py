"""Counters of failed attempts in the shared cache (Redis in production), so
every web process sees the same count. A window starts at the first failure."""

from django.core.cache import cache


def failure_record(key: str, *, window_seconds: int) -> None:
    if cache.add(key, 1, window_seconds):
        return
    try:
        cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.set(key, 1, window_seconds)


def failures_exceeded(key: str, *, limit: int) -> bool:
    return (cache.get(key) or 0) >= limit
