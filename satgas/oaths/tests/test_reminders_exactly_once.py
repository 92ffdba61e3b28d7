"""Reminders exactly once (issue 14.3): each message is recorded as sent as soon as the mail server accepted it, so
a batch cut short and run again skips what left; a message whose acceptance was never seen is sent again with the
same Message-ID (stable per campaign, person and day), so nobody misses the day's reminder and a mail client shows
a copy the server did keep once. (The same with a real worker killed by SIGKILL: test_reminders_worker.py.)"""

import collections
import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from satgas.oaths import reminders
from satgas.oaths.models import ReminderLog, ReminderStatus
from satgas.oaths.tests.factories import open_campaign
from satgas.personnel.tests.factories import PersonFactory
from satgas.reports.tests.mailserver import mail_server, use_smtp

R = ReminderStatus


class Killed(BaseException):
    """Stands for the worker process dying on the spot (nothing after it runs)."""


@pytest.fixture(autouse=True)
def _midday():
    """A fixed late morning in Jakarta: a lease's few minutes never cross midnight (a new day is a new reminder)."""
    with time_machine.travel(dt.datetime(2026, 3, 10, 11, 0, tzinfo=dt.timezone(dt.timedelta(hours=7)))):
        yield


@pytest.fixture
def setup(admin_user, unit_a):
    people = [PersonFactory(unit=unit_a, email=f"pegawai{i:02d}@uji.test") for i in range(6)]
    return open_campaign(units=[unit_a], actor=admin_user), people


def per_recipient(*inboxes) -> collections.Counter:
    return collections.Counter(m["X-Envelope-To"] for inbox in inboxes for m in inbox.messages)


def _after_lease(settings):
    return timezone.now() + dt.timedelta(seconds=settings.SATGAS_REMINDER_SEND_LEASE_SECONDS + 5)


def test_killed_after_the_server_accepted_some_each_person_still_gets_exactly_one(setup, settings, monkeypatch):
    campaign, people = setup
    ids = [p.pk for p in people]
    recorded = reminders._move

    def die_recording_the_fourth(row, source, **fields):
        if fields.get("status") == R.SENT and ReminderLog.objects.filter(status=R.SENT).count() == 3:
            raise Killed  # the server accepted the 4th message; the worker dies before writing it down
        return recorded(row, source, **fields)

    with mail_server() as (inbox, port):
        use_smtp(settings, port)
        monkeypatch.setattr(reminders, "_move", die_recording_the_fourth)
        with pytest.raises(Killed):
            reminders.send_reminders(campaign, ids)
        monkeypatch.setattr(reminders, "_move", recorded)
        assert len(inbox.messages) == 4
        assert list(ReminderLog.objects.order_by("pk").values_list("status", flat=True)) == [R.SENT] * 3 + [R.SENDING]
        # Redelivered at once: the three sent are skipped, the one in doubt is left to its lease, the rest go.
        batch = reminders.send_reminders(campaign, ids)
        assert batch.sent == 2 and batch.retry_in and batch.retry_in > 0
        # After the lease the one whose acceptance was never seen goes again, as the same message.
        with time_machine.travel(_after_lease(settings)):
            assert reminders.send_reminders(campaign, ids).sent == 1
            assert reminders.send_reminders(campaign, ids).sent == 0  # and nothing more
    # Each person has exactly one reminder: the worker died in the instant between the server storing the 4th and
    # the worker reading its answer, so that person's server holds two copies of the same message (one Message-ID),
    # which mail clients show once; everyone else got one copy.
    messages_of = collections.defaultdict(set)
    for message in inbox.messages:
        messages_of[message["X-Envelope-To"]].add(message["Message-ID"])
    assert {email: len(ids) for email, ids in messages_of.items()} == {p.email: 1 for p in people}
    assert sorted(per_recipient(inbox).values()) == [1] * 5 + [2]
    assert ReminderLog.objects.filter(status=R.SENT).count() == 6


def test_killed_while_handing_a_message_over_it_is_sent_again_and_nobody_is_missed(setup, settings, monkeypatch):
    """The likelier moment: the row says "handed over" (SENDING) but the server never got the message."""
    campaign, people = setup
    ids = [p.pk for p in people]
    recorded, released = reminders._move, reminders.release
    dead = []

    def die_handing_over_the_third(row, source, **fields):
        if dead:
            return False  # a killed process writes nothing more
        moved = recorded(row, source, **fields)
        if fields.get("status") == R.SENDING and ReminderLog.objects.filter(status=R.SENT).count() == 2:
            dead.append(row.pk)
            raise Killed  # SENDING committed; the message never reached the server
        return moved

    with mail_server() as (inbox, port):
        use_smtp(settings, port)
        monkeypatch.setattr(reminders, "_move", die_handing_over_the_third)
        monkeypatch.setattr(reminders, "release", lambda row: None if dead else released(row))
        with pytest.raises(Killed):
            reminders.send_reminders(campaign, ids)
        monkeypatch.setattr(reminders, "_move", recorded)
        monkeypatch.setattr(reminders, "release", released)
        assert ReminderLog.objects.get(pk=dead[0]).status == R.SENDING
        assert len(inbox.messages) == 2
        assert reminders.send_reminders(campaign, ids).sent == 3  # the rest; the one in doubt waits out its lease
        with time_machine.travel(_after_lease(settings)):
            assert reminders.send_reminders(campaign, ids).sent == 1
    assert per_recipient(inbox) == {p.email: 1 for p in people}
    assert ReminderLog.objects.filter(status=R.SENT).count() == 6


def test_killed_before_handing_a_message_over_it_is_sent_after_the_lease(setup, settings, monkeypatch):
    campaign, people = setup
    ids = [p.pk for p in people]
    claim = reminders.claim

    def die_after_the_third_claim(**kwargs):
        row = claim(**kwargs)
        if ReminderLog.objects.count() == 3:
            raise Killed  # claimed (committed), never reached the server
        return row

    with mail_server() as (inbox, port):
        use_smtp(settings, port)
        monkeypatch.setattr(reminders, "claim", die_after_the_third_claim)
        with pytest.raises(Killed):
            reminders.send_reminders(campaign, ids)
        monkeypatch.setattr(reminders, "claim", claim)
        assert ReminderLog.objects.filter(status=R.CLAIMED).count() == 1
        first_retry = reminders.send_reminders(campaign, ids)  # a young claim: maybe a live worker has it
        assert first_retry.sent == 3 and first_retry.retry_in
        with time_machine.travel(_after_lease(settings)):
            assert reminders.send_reminders(campaign, ids).sent == 1  # never handed over: safe to send
    assert per_recipient(inbox) == {p.email: 1 for p in people}
    assert ReminderLog.objects.filter(status=R.SENT).count() == 6


def test_a_connection_lost_after_data_is_sent_again_as_the_same_message(setup, settings):
    campaign, people = setup
    ids = [p.pk for p in people]
    with mail_server(hang=3) as (slow, port):  # stores the message, answers too late
        use_smtp(settings, port, timeout=1)
        with pytest.raises(OSError):
            reminders.send_reminders(campaign, ids)
    assert len(slow.messages) == 1
    in_doubt = ReminderLog.objects.get(status=R.UNCERTAIN)
    assert in_doubt.email == slow.messages[0]["X-Envelope-To"]
    with mail_server() as (inbox, port):
        use_smtp(settings, port)
        assert reminders.send_reminders(campaign, ids).sent == 6  # the task's retry: all, the one in doubt too
    again = [m for m in inbox.messages if m["X-Envelope-To"] == in_doubt.email]
    assert len(again) == 1 and again[0]["Message-ID"] == slow.messages[0]["Message-ID"]  # shown once by clients
    assert per_recipient(inbox) == {p.email: 1 for p in people}
    assert ReminderLog.objects.filter(status=R.SENT).count() == 6


def test_a_refused_address_does_not_hold_up_the_batch(setup, settings):
    campaign, people = setup
    with mail_server(refuse={people[0].email}) as (inbox, port):
        use_smtp(settings, port)
        assert reminders.send_reminders(campaign, [p.pk for p in people]).sent == 5
    assert not ReminderLog.objects.filter(person=people[0]).exists()  # tried again at the next run


def test_each_message_has_a_message_id_stable_per_campaign_person_and_day(setup, settings):
    campaign, people = setup
    with mail_server() as (inbox, port):
        use_smtp(settings, port)
        reminders.send_reminders(campaign, [people[0].pk])
        with time_machine.travel(timezone.now() + dt.timedelta(days=1)):
            reminders.send_reminders(campaign, [people[0].pk])
    first, second = (m["Message-ID"] for m in inbox.messages)
    day = timezone.localdate()
    assert first == reminders.message_id(campaign, people[0], day)
    assert second == reminders.message_id(campaign, people[0], day + dt.timedelta(days=1)) != first
    logs = ReminderLog.objects.order_by("sent_on")
    assert [log.message_id for log in logs] == [first, second]
    assert [log.kind for log in logs] == ["INVITATION", "REMINDER"]
