"""Counters of failed attempts in the shared cache (Redis in production), so every web process sees the same
count. Two tools, one rule: a counter never raises. If the cache fails, the attempt is let through (``not
blocked``) and the failure is logged: a broken cache must not lock everybody out.

* ``failure_record`` / ``failures_exceeded``: failures of one anonymous client (an IP address) on a public page
  (receipt codes, report verification, self check-in). A window starts at the first failure.
* ``Guard``: failures against one *target* (an account, an invitation link), counted per client *and* target
  together, so that nobody can lock someone else out (issue 13.8):

  - each (client, target) pair has ``free`` failures; after that, that client waits before its next attempt on
    that target, ``base`` seconds doubling at each further failure up to ``ceiling`` (progressive backoff);
    attempts refused while waiting are not failures (they are never checked) and do not lengthen the wait;
  - every client's failures on one target are also summed over a short window: at ``target_limit`` failures the
    target is closed to everyone for ``target_block`` seconds (at most 60), which slows a guessing attack spread
    over many clients without ever keeping the owner out for more than a minute;
  - a client from which the owner succeeded before (a *known* client, remembered ``known_for`` seconds) is not
    held by the target-wide block, only by its own backoff;
  - a success clears that pair's count.
"""

import hashlib
import logging
import math
import time
from dataclasses import dataclass

from django.core.cache import cache

logger = logging.getLogger(__name__)

TARGET_BLOCK_MAX = 60  # seconds: the longest anyone can keep a target closed to its owner's other clients


def failure_record(key: str, *, window_seconds: int) -> None:
    try:
        if cache.add(key, 1, window_seconds):
            return
        try:
            cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.set(key, 1, window_seconds)
    except Exception:  # noqa: BLE001 - a counter must never break the page
        logger.warning("Rate limit: could not count a failure for %s", key, exc_info=True)


def failures_exceeded(key: str, *, limit: int) -> bool:
    try:
        return (cache.get(key) or 0) >= limit
    except Exception:  # noqa: BLE001
        logger.warning("Rate limit: could not read %s; not blocking", key, exc_info=True)
        return False


def _digest(*parts) -> str:
    return hashlib.sha256("\x1f".join(str(p).lower() for p in parts).encode()).hexdigest()[:40]


@dataclass(frozen=True)
class Guard:
    """Failures per (client, target) with progressive backoff, and a short per-target cap (module docstring)."""

    scope: str
    free: int = 5
    base: int = 30
    ceiling: int = 3600
    memory: int = 24 * 3600
    target_limit: int = 30
    target_window: int = 60
    target_block: int = 60
    known_for: int = 30 * 24 * 3600

    def __post_init__(self):
        if not 0 < self.target_block <= TARGET_BLOCK_MAX:
            raise ValueError(f"target_block must be between 1 and {TARGET_BLOCK_MAX} seconds")

    # Keys ------------------------------------------------------------------------------------------------
    def _pair(self, client, target) -> str:
        return f"guard:{self.scope}:pair:{_digest(client, target)}"

    def _target(self, target) -> str:
        return f"guard:{self.scope}:target:{_digest(target)}"

    def _known(self, client, target) -> str:
        return f"guard:{self.scope}:known:{_digest(client, target)}"

    def delay_after(self, failures: int) -> int:
        """Seconds a client waits after its ``failures``-th failure on a target (0 while within ``free``)."""
        if failures <= self.free:
            return 0
        return min(self.ceiling, self.base * 2 ** min(failures - self.free - 1, 30))

    # Reading ---------------------------------------------------------------------------------------------
    def wait(self, *, client, target) -> int:
        """Seconds ``client`` must wait before trying ``target`` again; 0 when it may try now."""
        try:
            now = time.time()
            keys = [f"{self._pair(client, target)}:until", f"{self._target(target)}:until"]
            values = cache.get_many(keys)
            waits = [values.get(keys[0]) or 0]
            target_until = values.get(keys[1]) or 0
            if target_until > now and not cache.get(self._known(client, target)):
                waits.append(min(target_until, now + self.target_block))
            return max(0, math.ceil(max(waits) - now))
        except Exception:  # noqa: BLE001 - the cache is down: let the attempt be checked
            logger.warning("Guard %s: cache unreadable; not blocking", self.scope, exc_info=True)
            return 0

    def blocked(self, *, client, target) -> bool:
        return self.wait(client=client, target=target) > 0

    # Writing ---------------------------------------------------------------------------------------------
    def _incr(self, key: str, timeout: int) -> int:
        if cache.add(key, 1, timeout):
            return 1
        try:
            return cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.set(key, 1, timeout)
            return 1

    def failed(self, *, client, target) -> None:
        """Count one failure of ``client`` on ``target``; start its backoff or the target's block if due."""
        try:
            now = time.time()
            pair = self._pair(client, target)
            failures = self._incr(pair, self.memory)
            delay = self.delay_after(failures)
            if delay:
                cache.set(f"{pair}:until", now + delay, delay)
            window = int(now // self.target_window)
            total = self._incr(f"{self._target(target)}:{window}", self.target_window * 2)
            if total >= self.target_limit:
                cache.set(f"{self._target(target)}:until", now + self.target_block, self.target_block)
                cache.delete(f"{self._target(target)}:{window}")  # a new block needs a new run of failures
                logger.warning(
                    "Guard %s: target closed for %s s after %s failures", self.scope, self.target_block, total
                )
        except Exception:  # noqa: BLE001
            logger.warning("Guard %s: could not count a failure", self.scope, exc_info=True)

    def succeeded(self, *, client, target) -> None:
        """The owner got in from ``client``: forget its failures there and remember the client as known."""
        try:
            pair = self._pair(client, target)
            cache.delete_many([pair, f"{pair}:until"])
            cache.set(self._known(client, target), 1, self.known_for)
        except Exception:  # noqa: BLE001
            logger.warning("Guard %s: could not record a success", self.scope, exc_info=True)


def wait_message(seconds: int) -> str:
    """ "Try again in N seconds/minutes" in the user's language."""
    from django.utils.translation import ngettext

    if seconds < 90:
        return ngettext(
            "Too many wrong attempts. Try again in %(n)s second.",
            "Too many wrong attempts. Try again in %(n)s seconds.",
            seconds,
        ) % {"n": seconds}
    minutes = math.ceil(seconds / 60)
    return ngettext(
        "Too many wrong attempts. Try again in %(n)s minute.",
        "Too many wrong attempts. Try again in %(n)s minutes.",
        minutes,
    ) % {"n": minutes}
