"""The outbox (``satgas.core.outbox``): stored with the write, handed over after commit, run once per row,
retried and delayed in the database, and never lost because the broker is down."""

import datetime as dt
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.db import transaction
from django.utils import timezone

from satgas.core import outbox
from satgas.core.models import OutboxMessage, OutboxStatus
from satgas.core.tests import worker_tasks

pytestmark = pytest.mark.django_db(transaction=True)
S = OutboxStatus
MARK = "satgas.core.tests.worker_tasks.mark"


@pytest.fixture(autouse=True)
def _broker_not_paused(monkeypatch):
    monkeypatch.setattr(outbox, "_broker_paused_until", 0.0)


def _runs(tmp_path, name="x") -> int:
    path = tmp_path / f"{name}.runs"
    return len(path.read_text().split()) if path.exists() else 0


def test_a_write_that_rolls_back_leaves_no_task_and_runs_nothing(tmp_path):
    with pytest.raises(RuntimeError), transaction.atomic():
        outbox.enqueue(MARK, args=[str(tmp_path), "x"])
        raise RuntimeError("the write failed")
    assert not OutboxMessage.objects.exists() and _runs(tmp_path) == 0


def test_the_task_runs_after_commit_and_its_row_is_done(tmp_path):
    with transaction.atomic():
        row = outbox.enqueue(MARK, args=[str(tmp_path), "x"])
        assert _runs(tmp_path) == 0  # not before the commit
    row.refresh_from_db()
    assert _runs(tmp_path) == 1 and row.status == S.DONE and row.attempts == 1 and row.finished_at


def test_a_message_handed_over_twice_runs_once(tmp_path):
    row = OutboxMessage.objects.create(task_name=MARK, args=[str(tmp_path), "x"], available_at=timezone.now())
    worker_tasks.mark.apply(args=[str(tmp_path), "x"], task_id=f"outbox-{row.pk}-1")
    worker_tasks.mark.apply(args=[str(tmp_path), "x"], task_id=f"outbox-{row.pk}-2")
    assert _runs(tmp_path) == 1 and OutboxMessage.objects.get(pk=row.pk).status == S.DONE


def test_an_idempotency_key_makes_a_second_request_the_same_request(tmp_path):
    with transaction.atomic():
        first = outbox.enqueue(MARK, args=[str(tmp_path), "x"], key="k-1")
        second = outbox.enqueue(MARK, args=[str(tmp_path), "x"], key="k-1")
    assert first.pk == second.pk and OutboxMessage.objects.count() == 1 and _runs(tmp_path) == 1


def test_unknown_tasks_and_unserialisable_arguments_fail_the_caller():
    with pytest.raises(KeyError):
        outbox.enqueue("satgas.nope.tasks.missing")
    with pytest.raises(TypeError):
        outbox.enqueue(MARK, args=[object()])


def test_with_the_broker_down_the_write_succeeds_and_the_task_waits(settings, tmp_path, monkeypatch):
    """Kirim pengingat answered 500 after its audit row committed, with no task queued: now the row waits."""
    from satgas.core.tests.stack import use_broker, use_eager

    use_broker("redis://127.0.0.1:1/0")  # nothing listens there
    try:
        with transaction.atomic():
            row = outbox.enqueue(MARK, args=[str(tmp_path), "x"])
        row.refresh_from_db()
        assert (row.status, row.handovers) == (S.PENDING, 0)
        assert outbox.relay() == 0  # the periodic relay tries again later, without raising
        assert OutboxMessage.objects.get(pk=row.pk).status == S.PENDING
    finally:
        use_eager()
    # The broker is back (here: eager mode): the relay runs it.
    assert outbox.relay() == 1 and _runs(tmp_path) == 1


def test_a_countdown_waits_in_the_database_not_in_the_broker(tmp_path):
    from satgas.core.tests.stack import use_broker, use_eager

    use_broker("redis://127.0.0.1:1/0")
    try:
        with mock.patch.object(worker_tasks.mark, "apply_async") as send:
            with transaction.atomic():
                row = outbox.enqueue(MARK, args=[str(tmp_path), "x"], countdown=60)
            outbox.relay()
            send.assert_not_called()  # not due yet: nothing handed over, no ETA message
            with mock.patch.object(outbox, "_broker_run_id", return_value="r1"):
                with time_machine.travel(timezone.now() + dt.timedelta(seconds=61)):
                    with mock.patch("satgas.celery.app.producer_or_acquire"):
                        assert outbox.relay() == 1
        assert "countdown" not in send.call_args.kwargs and "eta" not in send.call_args.kwargs
        assert send.call_args.kwargs["task_id"] == f"outbox-{row.pk}-1"
        assert OutboxMessage.objects.get(pk=row.pk).status == S.SENT
    finally:
        use_eager()


def test_a_row_handed_over_but_never_finished_is_handed_over_again_after_its_lease(tmp_path):
    from satgas.core.tests.stack import use_broker, use_eager

    row = OutboxMessage.objects.create(task_name=MARK, args=[str(tmp_path), "x"], available_at=timezone.now())
    use_broker("redis://127.0.0.1:1/0")
    try:
        with mock.patch("satgas.celery.app.producer_or_acquire"), mock.patch.object(outbox, "_broker_run_id"):
            outbox._broker_run_id.return_value = "run-1"
            with mock.patch.object(worker_tasks.mark, "apply_async") as send:
                assert outbox.relay() == 1
                assert outbox.relay() == 0  # handed over, within its lease
                # Redis restarted (a new run_id): its messages are gone, so it is handed over at once.
                outbox._broker_run_id.return_value = "run-2"
                assert outbox.relay() == 1
                outbox._broker_run_id.return_value = "run-2"
                later = timezone.now() + dt.timedelta(seconds=outbox.handover_lease_seconds() * 2 + 1)
                with time_machine.travel(later):
                    assert outbox.relay() == 1  # a flush: its lease ran out
        assert [c.kwargs["task_id"] for c in send.call_args_list] == [f"outbox-{row.pk}-{n}" for n in (1, 2, 3)]
    finally:
        use_eager()


def test_a_run_that_never_finished_is_taken_over_after_its_lease_and_given_up_after_max_runs(tmp_path, settings):
    settings.SATGAS_OUTBOX_MAX_RUNS = 2
    row = OutboxMessage.objects.create(task_name=MARK, args=[str(tmp_path), "x"], available_at=timezone.now())
    token = outbox.claim(row.pk, lease_seconds=60)
    assert token and outbox.claim(row.pk, lease_seconds=60) is None  # held by the first run
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=61)):
        assert outbox.claim(row.pk, lease_seconds=60)  # the first run died: taken over
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=200)):
        assert outbox.claim(row.pk, lease_seconds=60) is None
    row.refresh_from_db()
    assert row.status == S.FAILED and "none finished" in row.last_error


def test_a_failing_task_is_failed_with_its_error_and_retries_wait_in_the_outbox():
    # Celery's retry backoff is jittered (a random delay up to 30 s): take the longest, so "later" is visible.
    with (
        mock.patch("satgas.core.tasks.email_send", side_effect=ConnectionRefusedError("smtp down")),
        mock.patch("celery.utils.time.random.randrange", side_effect=lambda stop: stop - 1),
    ):
        with transaction.atomic():
            from satgas.core.email import email_enqueue

            email_enqueue(to=["a@uji.test"], template="account_created", context={})
    row = OutboxMessage.objects.get()
    # autoretry_for=(OSError,): rescheduled in the database, 30 s later, not retried inline.
    assert (row.status, row.retries) == (S.PENDING, 1) and row.available_at > timezone.now()
    assert "smtp down" in row.last_error and mail.outbox == []
    with time_machine.travel(row.available_at + dt.timedelta(seconds=1)):
        assert outbox.relay() == 1
    row.refresh_from_db()
    assert row.status == S.DONE and row.retries == 1 and len(mail.outbox) == 1
    # A task that raises what it does not retry fails its row, with the error, for an admin to see.
    with mock.patch("satgas.core.tasks.email_send", side_effect=ValueError("bad template")):
        with pytest.raises(ValueError), transaction.atomic():
            email_enqueue(to=["b@uji.test"], template="account_created", context={})
    failed = OutboxMessage.objects.latest("pk")
    assert failed.status == S.FAILED and "bad template" in failed.last_error


def test_beat_hands_periodic_tasks_to_the_outbox_once_per_minute(tmp_path):
    from types import SimpleNamespace

    from satgas.core.beat import DatabaseScheduler

    scheduler = DatabaseScheduler.__new__(DatabaseScheduler)
    scheduler._tasks_since_sync = 0
    scheduler.should_sync = lambda: False
    entry = SimpleNamespace(name="mark-entry", task=MARK, args=[str(tmp_path), "x"], kwargs={}, options={})
    scheduler.apply_async(entry, advance=False)
    scheduler.apply_async(entry, advance=False)  # a second beat, or a restart, in the same minute
    assert OutboxMessage.objects.filter(key__startswith="beat:mark-entry:").count() == 1
    assert _runs(tmp_path) == 1


def test_finished_rows_are_purged_after_the_retention(settings):
    settings.SATGAS_OUTBOX_KEEP_DAYS = 30
    old = timezone.now() - dt.timedelta(days=31)
    done = OutboxMessage.objects.create(task_name=MARK, available_at=old, status=S.DONE, finished_at=old)
    failed = OutboxMessage.objects.create(task_name=MARK, available_at=old, status=S.FAILED, finished_at=old)
    assert outbox.purge() == 1
    assert not OutboxMessage.objects.filter(pk=done.pk).exists() and OutboxMessage.objects.filter(pk=failed.pk)


def test_every_task_fits_below_the_visibility_timeout(settings):
    from satgas.core.checks import tasks_fit_the_visibility_timeout

    assert tasks_fit_the_visibility_timeout() == []
    settings.SATGAS_BROKER_VISIBILITY_TIMEOUT = 300
    assert {w.id for w in tasks_fit_the_visibility_timeout()} == {"core.W002"}
