"""Region-wide figures kept in the cache until something they count changes.

Counting 200,000 people (the dashboard's head counts, an oath campaign's totals) costs 40–150 ms on every
request of pages that otherwise take a few milliseconds. Such figures are cached under a key that carries a
version per *topic*: ``registry`` (people, units, logins), ``oaths.campaign.<id>`` (one campaign and its
signatures), ``taskforces`` and ``monitoring`` (the monitoring reports). Every save or delete of a watched model
(through the services, the Django admin or a shell) bumps its topics at once and again when the transaction
commits (that one once per transaction and topic); bulk writes (the personnel import, the seeding commands) call
``changed`` themselves. A figure read after a change is therefore computed afresh, on every process that shares
the cache. ``TIMEOUT`` bounds what a write that bypassed both could cost.

Caching needs a cache shared by every process (Redis: ``REDIS_URL``); without one, each process would keep its
own figures and miss the others' changes, so ``SATGAS_AGGREGATE_CACHE`` (default: on with Redis) turns it off
and every figure is computed on each request. The same holds while Redis is away (``satgas.core.cache``: the
process falls back to its own memory): figures are computed, and when Redis answers again an *epoch* that is
part of every figure's key is bumped, so figures cached before the outage — whose bumps during the outage never
reached Redis — are not served again.
"""

import hashlib
import logging
import time
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from .cache import is_shared as cache_is_shared
from .cache import on_recover

logger = logging.getLogger(__name__)

TIMEOUT = 300  # seconds
REGISTRY = "registry"
TASKFORCES = "taskforces"
MONITORING = "monitoring"
_PREFIX = "aggregates"


_EPOCH = f"{_PREFIX}:epoch"


def campaign_topic(campaign_id: int) -> str:
    return f"oaths.campaign.{campaign_id}"


def _version_key(topic: str) -> str:
    return f"{_PREFIX}:version:{topic}"


def _bump(topics: Iterable[str]) -> None:
    """A version that only moves forward: it starts from the clock, so a version key that the cache evicted
    never comes back to a value that figures were cached under."""
    try:
        for topic in topics:
            key = _version_key(topic)
            cache.add(key, time.time_ns(), timeout=None)  # atomic: never resets a version another process set
            try:
                cache.incr(key)
            except ValueError:  # evicted between add and incr
                cache.set(key, time.time_ns(), timeout=None)
    except Exception:  # the cache is down: never fail the write; figures expire within TIMEOUT
        logger.exception("Could not mark cached figures stale: %s", ", ".join(topics))


class _BumpOnCommit:
    """The commit's bump of one topic; equal to any other for the same topic, so a transaction registers it once."""

    def __init__(self, topic: str):
        self.topic = topic

    def __call__(self):
        _bump([self.topic])

    def __eq__(self, other):
        return isinstance(other, _BumpOnCommit) and other.topic == self.topic

    __hash__ = None


def changed(*topics: str) -> None:
    """Mark the figures of ``topics`` stale: now (a later read in the same transaction sees its own writes), and
    again once the current transaction commits (a reader elsewhere may have cached the figures as they were
    before the commit): that second bump is registered once per transaction and topic, however many rows
    change."""
    _bump(topics)
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        return
    pending = [callback for _sids, callback, _robust in connection.run_on_commit]
    for topic in topics:
        bump = _BumpOnCommit(topic)
        if bump not in pending:
            transaction.on_commit(bump, robust=True)


def enabled() -> bool:
    return settings.SATGAS_AGGREGATE_CACHE and cache_is_shared()


def _bump_epoch() -> None:
    """Redis is back after an outage: every figure cached before it is stale."""
    try:
        cache.add(_EPOCH, time.time_ns(), timeout=None)
        try:
            cache.incr(_EPOCH)
        except ValueError:
            cache.set(_EPOCH, time.time_ns(), timeout=None)
    except Exception:  # noqa: BLE001 - never fail the request that noticed the recovery
        logger.exception("Could not mark cached figures stale after a cache outage")


on_recover(_bump_epoch)


def cached(name: str, parts: Any, compute: Callable[[], Any], *, topics: Iterable[str]) -> Any:
    """``compute()``, or its cached value while none of ``topics`` changed. ``parts`` (a repr-able value: ids,
    scope) tells apart the figures of one ``name``; the value must be picklable."""
    if not enabled():
        return compute()
    topics = tuple(topics)
    try:
        versions = cache.get_many([_EPOCH] + [_version_key(t) for t in topics])
        stamp = ".".join(str(versions.get(key, 0)) for key in [_EPOCH] + [_version_key(t) for t in topics])
        digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:20]
        key = f"{_PREFIX}:{name}:{digest}:{stamp}"
        value = cache.get(key)
    except Exception:  # the cache is down: compute (slower, still right)
        logger.exception("Cache unavailable for %s", name)
        return compute()
    if value is None:
        value = compute()
        try:
            cache.set(key, value, TIMEOUT)
        except Exception:
            logger.exception("Cache unavailable for %s", name)
    return value


def scope_of(queryset) -> str:
    """A queryset's SQL with its parameters, as ``parts`` of :func:`cached`: figures over "the units this user may
    read" are told apart by the query that selects those units, without running it."""
    try:
        return str(queryset.order_by().values("pk").query)
    except EmptyResultSet:  # .none() or pk__in=[]: no rows, whoever asks
        return f"empty {queryset.model._meta.label}"


def watch(topics: str | Callable[..., Iterable[str]], *models, m2m: Iterable = (), unless_only: Iterable[str] = ()):
    """Bump ``topics`` whenever a row of ``models`` is saved or deleted, or an ``m2m`` relation changes (called
    from the apps' ``ready``). ``topics`` is a topic, or a function of the signal's ``instance`` (and, for m2m,
    ``reverse`` and ``pk_set``) returning the topics. A save of only the ``unless_only`` fields (a login's
    ``last_login``) changes nothing counted and is ignored."""
    ignored = frozenset(unless_only)
    topics_of = topics if callable(topics) else (lambda **kwargs: [topics])

    def receiver(sender, update_fields=None, **kwargs):
        if ignored and update_fields and set(update_fields) <= ignored:
            return
        if not kwargs.get("action", "post_").startswith("post_"):  # m2m: pre_add etc. change nothing yet
            return
        changed(*topics_of(**kwargs))

    uid = f"{_PREFIX}:{id(receiver)}"
    for model in models:
        post_save.connect(receiver, sender=model, weak=False, dispatch_uid=f"{uid}:{model._meta.label}:save")
        post_delete.connect(receiver, sender=model, weak=False, dispatch_uid=f"{uid}:{model._meta.label}:delete")
    for through in m2m:
        m2m_changed.connect(receiver, sender=through, weak=False, dispatch_uid=f"{uid}:{through._meta.label}:m2m")


ALL = (REGISTRY, TASKFORCES, MONITORING)  # a campaign's figures count the registry too
