"""Region-wide figures kept in the cache until something they count changes.

Counting 200,000 people (the dashboard's head counts, an oath campaign's totals) costs 40–150 ms on every
request of pages that otherwise take a few milliseconds. Such figures are cached under a key that carries a
version per *topic* ("registry": people, units and logins; "oaths": campaigns and signatures; "taskforces";
"monitoring": the monitoring reports). Every save or
delete of a watched model (through the services, the Django admin or a shell) bumps its topic's version at once
and again when the transaction commits, and bulk writes (the personnel import, the seeding commands) call
``changed`` themselves: a figure read after a change is computed afresh, on every process that shares the cache
(Redis in production). ``TIMEOUT`` bounds what a write that bypassed both could cost.
"""

import hashlib
from collections.abc import Callable, Iterable
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

TIMEOUT = 300  # seconds
REGISTRY = "registry"
OATHS = "oaths"
TASKFORCES = "taskforces"
MONITORING = "monitoring"
_PREFIX = "aggregates"


def _version_key(topic: str) -> str:
    return f"{_PREFIX}:version:{topic}"


def _bump(topics: Iterable[str]) -> None:
    for topic in topics:
        key = _version_key(topic)
        cache.add(key, 0, timeout=None)  # atomic: never resets a version another process set
        try:
            cache.incr(key)
        except ValueError:  # evicted between add and incr
            cache.set(key, 1, timeout=None)


def changed(*topics: str) -> None:
    """Mark the figures of ``topics`` stale: now, and again once the current transaction commits (a reader
    between the two may have cached the figures as they were before the commit)."""
    _bump(topics)
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(lambda: _bump(topics))


def cached(name: str, parts: Any, compute: Callable[[], Any], *, topics: Iterable[str]) -> Any:
    """``compute()``, or its cached value while none of ``topics`` changed. ``parts`` (a repr-able value: ids,
    scope) tells apart the figures of one ``name``; the value must be picklable."""
    topics = tuple(topics)
    versions = cache.get_many([_version_key(t) for t in topics])
    stamp = ".".join(str(versions.get(_version_key(t), 0)) for t in topics)
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:20]
    key = f"{_PREFIX}:{name}:{digest}:{stamp}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, TIMEOUT)
    return value


def scope_of(queryset) -> str:
    """A queryset's SQL with its parameters, as ``parts`` of :func:`cached`: figures over "the units this user may
    read" are told apart by the query that selects those units, without running it."""
    return str(queryset.order_by().values("pk").query)


def watch(topic: str, *models, m2m: Iterable = (), unless_only: Iterable[str] = ()) -> None:
    """Bump ``topic`` whenever a row of ``models`` is saved or deleted, or an ``m2m`` relation changes
    (called from the apps' ``ready``). A save of only the ``unless_only`` fields (a login's ``last_login``)
    changes nothing counted and is ignored."""
    ignored = frozenset(unless_only)

    def receiver(sender, update_fields=None, **kwargs):
        if ignored and update_fields and set(update_fields) <= ignored:
            return
        changed(topic)

    for model in models:
        uid = f"{_PREFIX}:{topic}:{model._meta.label}"
        post_save.connect(receiver, sender=model, weak=False, dispatch_uid=f"{uid}:save")
        post_delete.connect(receiver, sender=model, weak=False, dispatch_uid=f"{uid}:delete")
    for through in m2m:
        m2m_changed.connect(receiver, sender=through, weak=False, dispatch_uid=f"{_PREFIX}:{topic}:{through}:m2m")
