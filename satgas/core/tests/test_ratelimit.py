"""The shared failure guard (issue 13.8): per (client, target), progressive backoff, a per-target cap of at most a
minute that does not hold the owner's known clients, and a cache that fails never blocks nor raises."""

import pytest
import time_machine
from django.utils import timezone

from satgas.core.ratelimit import Guard, failure_record, failures_exceeded

GUARD = Guard("test", free=3, base=10, ceiling=80, target_limit=8, target_window=60, target_block=60)


def test_failures_count_per_client_and_target_together():
    for _ in range(5):
        GUARD.failed(client="10.0.0.1", target="alice")
    assert GUARD.blocked(client="10.0.0.1", target="alice")
    assert not GUARD.blocked(client="10.0.0.2", target="alice"), "another client of the same person is free"
    assert not GUARD.blocked(client="10.0.0.1", target="bob"), "the same client on another person is free"


def test_backoff_doubles_after_the_free_failures_up_to_the_ceiling():
    assert [GUARD.delay_after(n) for n in range(1, 9)] == [0, 0, 0, 10, 20, 40, 80, 80]
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        for _ in range(3):
            GUARD.failed(client="c", target="t")
        assert GUARD.wait(client="c", target="t") == 0
        GUARD.failed(client="c", target="t")
        assert GUARD.wait(client="c", target="t") == 10
        clock.shift(11)
        assert GUARD.wait(client="c", target="t") == 0
        GUARD.failed(client="c", target="t")
        assert GUARD.wait(client="c", target="t") == 20


def test_a_success_clears_the_pair():
    for _ in range(4):
        GUARD.failed(client="c", target="t")
    GUARD.succeeded(client="c", target="t")
    assert not GUARD.blocked(client="c", target="t")


def test_the_target_cap_holds_new_clients_for_at_most_a_minute_and_never_known_ones():
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        GUARD.succeeded(client="owner-phone", target="t")  # the owner signed in from here once
        for i in range(GUARD.target_limit):  # a guessing attack spread over many clients
            GUARD.failed(client=f"10.9.0.{i}", target="t")
        assert 0 < GUARD.wait(client="owner-laptop", target="t") <= 60
        assert GUARD.wait(client="owner-phone", target="t") == 0
        clock.shift(61)
        assert GUARD.wait(client="owner-laptop", target="t") == 0


def test_target_block_may_not_exceed_a_minute():
    with pytest.raises(ValueError):
        Guard("x", target_block=3600)


class BrokenCache:
    def __getattr__(self, name):
        def fail(*args, **kwargs):
            raise ConnectionError("cache down")

        return fail


def test_a_broken_cache_never_blocks_and_never_raises(monkeypatch):
    import satgas.core.ratelimit as ratelimit

    monkeypatch.setattr(ratelimit, "cache", BrokenCache())
    GUARD.failed(client="c", target="t")
    GUARD.succeeded(client="c", target="t")
    assert GUARD.wait(client="c", target="t") == 0
    failure_record("k", window_seconds=10)
    assert failures_exceeded("k", limit=1) is False


def test_per_client_window_counter():
    for _ in range(2):
        failure_record("k", window_seconds=60)
    assert not failures_exceeded("k", limit=3)
    failure_record("k", window_seconds=60)
    assert failures_exceeded("k", limit=3)
