"""Delivery exactly once: build, claim in the database before SMTP, sort failures by how far the SMTP
conversation got (before DATA: retry; after: interrupted, never resent), retries, resends, workers
that died holding the claim."""

import datetime as dt
import smtplib
import threading
import uuid
from unittest import mock

import pytest
from celery.exceptions import Retry, SoftTimeLimitExceeded
from django.conf import settings as django_settings
from django.core import mail
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext

from satgas.core.models import AuditEvent
from satgas.core.tests.outbox import waiting as outbox_waiting
from satgas.core.tests.smtp import text_of
from satgas.reports import delivery, services, tasks
from satgas.reports.models import ReportStatus, SemesterReport
from satgas.reports.tests.factories import report_at
from satgas.reports.tests.mailserver import mail_server, unused_port, use_smtp

pytestmark = pytest.mark.django_db
S = ReportStatus
BIRO, CC, ADMIN = "biro.sdm@kemenkumham.go.id", "tembusan@uji.test", "admin@uji.test"


@pytest.fixture
def queued(region, admin_user, fast_pdf, settings):
    settings.SATGAS_REPORT_RECIPIENTS_CC = [CC]
    return report_at(S.QUEUED, office=region, admin=admin_user)


def to_recipients(messages) -> list:
    return [m for m in messages if BIRO in (m.to if hasattr(m, "to") else m["X-Envelope-To"])]


def state(report) -> SemesterReport:
    return SemesterReport.objects.get(pk=report.pk)


def run_alerts(callbacks, settings) -> list:
    """Run the captured on-commit callbacks (the admins' alerts) with the in-memory backend."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    for callback in callbacks:
        callback()
    return [m for m in mail.outbox if m.to == [ADMIN]]


# --- The happy path --------------------------------------------------------------------------------------


def test_a_delivery_sends_both_attachments_with_a_stable_message_id(queued):
    outcome = delivery.semester_report_deliver(report_id=queued.pk)
    assert outcome.code == "delivered"
    report = state(queued)
    version = report.approved_version
    [message] = mail.outbox
    assert message.to == [BIRO] and message.cc == [CC]
    assert report.letter_number in message.subject and "Semester I Tahun 2024" in message.subject
    assert message.extra_headers["Message-ID"] == f"<laporan-semester.kwjateng.2024-1.v1.{report.pk}@127.0.0.1>"
    names = [(name, mimetype) for name, _content, mimetype in message.attachments]
    assert names == [
        ("laporan-semester-kwjateng-2024-1-v1.pdf", "application/pdf"),
        (
            "laporan-semester-kwjateng-2024-1-v1.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
    ]
    assert message.attachments[0][1] == bytes(version.pdf)
    assert version.pdf_sha256 in message.body and "Yth. Sekretaris Jenderal" in message.body
    assert "http://127.0.0.1:8000/verifikasi/laporan/" in message.body  # the public verification page
    assert (report.status, report.message_id, report.attempts) == (S.DELIVERED, message.extra_headers["Message-ID"], 1)
    assert report.delivered_to == [BIRO, CC] and report.delivered_at and report.refused_recipients == {}
    assert AuditEvent.objects.filter(action="report.delivered", target_id=str(report.pk)).count() == 1


def test_the_task_run_twice_sends_once(queued):
    assert tasks.semester_report_deliver.apply(args=[queued.pk]).get() == "delivered"
    assert tasks.semester_report_deliver.apply(args=[queued.pk]).get() == "nothing_to_send"
    assert len(mail.outbox) == 1


def test_an_office_code_with_a_space_and_a_slash_is_made_safe(queued):
    office = queued.office
    office.code = "KW JATENG/2"
    office.save(update_fields=["code"])
    assert delivery.semester_report_deliver(report_id=queued.pk).code == "delivered"
    [message] = mail.outbox
    assert message.extra_headers["Message-ID"] == f"<laporan-semester.kw-jateng2.2024-1.v1.{queued.pk}@127.0.0.1>"
    assert [name for name, _c, _m in message.attachments] == [
        "laporan-semester-kw-jateng2-2024-1-v1.pdf",
        "laporan-semester-kw-jateng2-2024-1-v1.xlsx",
    ]


# --- Failures before DATA: retried ----------------------------------------------------------------------


def test_a_refused_connection_is_retried_and_the_retry_delivers_once(queued, settings):
    """The first attempt meets a mail server that is down; the retry reaches a real one on loopback."""
    with mail_server() as (inbox, port):
        use_smtp(settings, unused_port())
        first = delivery.semester_report_deliver(report_id=queued.pk)
        report = state(queued)
        assert (first.code, first.retry_in) == ("retry", 60)
        assert (report.status, report.attempts) == (S.QUEUED, 1)
        assert "ConnectionRefusedError" in report.last_error
        use_smtp(settings, port)
        second = delivery.semester_report_deliver(report_id=queued.pk)
        third = delivery.semester_report_deliver(report_id=queued.pk)
    assert (second.code, third.code) == ("delivered", "nothing_to_send")
    [message] = inbox.messages
    assert message["X-Envelope-To"] == f"{BIRO}, {CC}"
    assert "Dengan hormat" in text_of(message)
    parts = [p.get_filename() for p in message.walk() if p.get_filename()]
    assert parts == ["laporan-semester-kwjateng-2024-1-v1.pdf", "laporan-semester-kwjateng-2024-1-v1.xlsx"]
    report = state(queued)
    assert (report.status, report.attempts, report.last_error) == (S.DELIVERED, 2, "")
    assert report.message_id == message["Message-ID"]


def test_a_message_the_server_refuses_outright_is_retried(queued, settings):
    """``SMTPDataError``: the server answered the message with 554, so it does not have it."""
    with mail_server(data_reply="554 5.7.1 Message rejected") as (inbox, port):
        use_smtp(settings, port)
        outcome = delivery.semester_report_deliver(report_id=queued.pk)
    assert (outcome.code, outcome.retry_in) == ("retry", 60)
    report = state(queued)
    assert report.status == S.QUEUED and "SMTPDataError" in report.last_error and inbox.messages == []


def test_the_same_disconnection_is_retried_before_data_and_never_resent_after_it(
    queued, settings, django_capture_on_commit_callbacks
):
    """What decides is how far the conversation got, not the exception's type."""
    with mail_server() as (inbox, port):
        use_smtp(settings, port)
        lost = smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        with mock.patch.object(smtplib.SMTP, "rcpt", side_effect=lost):
            before = delivery.semester_report_deliver(report_id=queued.pk)
        assert before.code == "retry" and state(queued).status == S.QUEUED
        with (
            mock.patch.object(smtplib.SMTP, "data", side_effect=lost),
            django_capture_on_commit_callbacks() as callbacks,
        ):
            after = delivery.semester_report_deliver(report_id=queued.pk)
        assert after.code == "interrupted"
        assert delivery.semester_report_deliver(report_id=queued.pk).code == "nothing_to_send"
    report = state(queued)
    assert report.status == S.FAILED and report.last_error.startswith(delivery.INTERRUPTED)
    assert "SMTPServerDisconnected" in report.last_error and inbox.messages == []
    [alert] = run_alerts(callbacks, settings)
    assert "mailbox" in alert.body


# --- After DATA: ambiguous, never resent ----------------------------------------------------------------


def test_a_timeout_after_the_message_was_sent_is_interrupted_not_resent(
    queued, settings, django_capture_on_commit_callbacks
):
    """The server stored the message but its reply came too late: the sender cannot know. FAILED
    (interrupted), the admins are told to check the mailbox, and no second copy ever leaves."""
    with mail_server(hang=2.5) as (inbox, port):
        use_smtp(settings, port, timeout=1)
        with django_capture_on_commit_callbacks() as callbacks:
            first = delivery.semester_report_deliver(report_id=queued.pk)
            again = tasks.semester_report_deliver.apply(args=[queued.pk]).get()
            swept = delivery.stale_claims_sweep(now=timezone.now() + dt.timedelta(hours=2))
    assert (first.code, again, swept) == ("interrupted", "nothing_to_send", {"interrupted": 0, "requeued": 0})
    assert len(to_recipients(inbox.messages)) == 1  # the one the server kept; never a second
    report = state(queued)
    assert report.status == S.FAILED and report.last_error.startswith(delivery.INTERRUPTED)
    assert "timed out" in report.last_error and report.attempts == 1
    [alert] = run_alerts(callbacks, settings)
    assert "mailbox" in alert.body
    assert AuditEvent.objects.filter(action="report.delivery_interrupted").count() == 1


def test_a_time_limit_before_data_releases_and_after_data_interrupts(queued, settings):
    with mail_server() as (inbox, port):
        use_smtp(settings, port)
        with mock.patch.object(smtplib.SMTP, "rcpt", side_effect=SoftTimeLimitExceeded()):
            assert delivery.semester_report_deliver(report_id=queued.pk).code == "retry"
        assert state(queued).status == S.QUEUED and "time limit" in state(queued).last_error
        with mock.patch.object(smtplib.SMTP, "data", side_effect=SoftTimeLimitExceeded()):
            assert delivery.semester_report_deliver(report_id=queued.pk).code == "interrupted"
    assert state(queued).status == S.FAILED and inbox.messages == []


# --- Nothing left in SENDING with a misleading reason ---------------------------------------------------


def test_a_message_that_cannot_be_built_fails_with_the_real_error_before_any_smtp(
    queued, settings, django_capture_on_commit_callbacks
):
    broken = mock.patch.object(delivery, "delivery_email", side_effect=RuntimeError("template missing"))
    with broken, django_capture_on_commit_callbacks() as callbacks:
        assert delivery.semester_report_deliver(report_id=queued.pk).code == "failed"
    report = state(queued)
    assert report.status == S.FAILED and report.claim_token is not None
    assert report.last_error == "the email could not be built: RuntimeError: template missing"
    assert mail.outbox == []
    [alert] = run_alerts(callbacks, settings)
    assert "template missing" in alert.body


def test_an_unexpected_error_before_data_fails_with_that_error(queued, settings):
    with mail_server() as (inbox, port):
        use_smtp(settings, port)
        with mock.patch.object(smtplib.SMTP, "mail", side_effect=ValueError("bad sender")):
            assert delivery.semester_report_deliver(report_id=queued.pk).code == "failed"
    report = state(queued)
    assert (report.status, report.last_error) == (S.FAILED, "ValueError: bad sender") and inbox.messages == []


# --- Retries, their budget, and resending -----------------------------------------------------------------


def test_the_task_retries_with_exponential_backoff_in_a_worker(queued, settings):
    assert delivery.backoff_seconds(1) == 60 and delivery.backoff_seconds(3) == 240
    assert delivery.backoff_seconds(20) == delivery.RETRY_MAX_SECONDS
    use_smtp(settings, unused_port())
    with mock.patch.object(tasks.semester_report_deliver, "retry", side_effect=Retry()) as retry:
        with pytest.raises(Retry):
            tasks.semester_report_deliver(queued.pk)  # as a worker runs it
    retry.assert_called_once_with(countdown=60)
    assert state(queued).status == S.QUEUED


def test_run_inline_a_failed_attempt_waits_for_the_sweep_instead_of_retrying_at_once(queued, settings):
    """Eager Celery (no worker): an immediate retry would ignore the backoff inside the web request."""
    use_smtp(settings, unused_port())
    with mock.patch.object(tasks.semester_report_deliver, "retry") as retry:
        assert tasks.semester_report_deliver.apply(args=[queued.pk]).get() == "retry"
    retry.assert_not_called()
    report = state(queued)
    assert (report.status, report.attempts) == (S.QUEUED, 1) and "ConnectionRefusedError" in report.last_error
    # The sweep queues it again (through the outbox) once it has waited a lease.
    later = timezone.now() + dt.timedelta(seconds=delivery.lease_seconds() + 1)
    before = outbox_waiting("satgas.reports.tasks.semester_report_deliver")
    assert delivery.stale_claims_sweep(now=later) == {"interrupted": 0, "requeued": 1}
    assert outbox_waiting("satgas.reports.tasks.semester_report_deliver") == [*before, [queued.pk]]


def test_used_up_retries_fail_and_a_resend_gets_a_new_budget_with_backoff(
    queued, settings, admin_user, django_capture_on_commit_callbacks
):
    settings.SATGAS_REPORT_SEND_MAX_RETRIES = 1
    use_smtp(settings, unused_port())
    with django_capture_on_commit_callbacks() as callbacks:
        first = delivery.semester_report_deliver(report_id=queued.pk)
        second = delivery.semester_report_deliver(report_id=queued.pk)
    assert (first.code, first.retry_in, second.code) == ("retry", 60, "failed")
    report = state(queued)
    assert (report.status, report.attempts) == (S.FAILED, 2) and "ConnectionRefusedError" in report.last_error
    [alert] = run_alerts(callbacks, settings)
    assert "Kanwil Jawa Tengah" in alert.subject and "ConnectionRefusedError" in alert.body
    assert to_recipients(mail.outbox) == []
    # An admin resends: a fresh budget (attempts, claim and error reset)...
    with mock.patch("satgas.reports.tasks.semester_report_deliver.delay"):
        services.semester_report_send(actor=admin_user, report=report)
    report = state(queued)
    assert (report.status, report.attempts, report.claim_token, report.last_error) == (S.QUEUED, 0, None, "")
    assert AuditEvent.objects.filter(action="report.resend_requested").exists()
    # ...so a transient error is retried with backoff again, not failed at once.
    use_smtp(settings, unused_port())
    again = delivery.semester_report_deliver(report_id=queued.pk)
    assert (again.code, again.retry_in) == ("retry", 60) and state(queued).status == S.QUEUED
    with mail_server() as (inbox, port):
        use_smtp(settings, port)
        assert delivery.semester_report_deliver(report_id=queued.pk).code == "delivered"
    assert len(inbox.messages) == 1 and state(queued).attempts == 2


def test_recipients_the_server_refuses_are_recorded_and_shown(queued, settings, client, admin_user):
    with mail_server(refuse={CC}) as (inbox, port):
        use_smtp(settings, port)
        assert delivery.semester_report_deliver(report_id=queued.pk).code == "delivered"
    [message] = inbox.messages
    assert message["X-Envelope-To"] == BIRO
    report = state(queued)
    assert report.delivered_to == [BIRO] and report.refused_recipients == {CC: "550 5.1.1 No such user"}
    assert CC in AuditEvent.objects.get(action="report.delivered").note
    client.force_login(admin_user)
    page = client.get(f"/laporan-semester/{report.pk}/").content.decode()
    assert gettext("Refused by the mail server") in page and "No such user" in page


# --- A worker died holding the claim --------------------------------------------------------------------


def _claimed_by_a_dead_worker(report, *, seconds_ago: int):
    SemesterReport.objects.filter(pk=report.pk).update(
        status=S.SENDING,
        claim_token=uuid.uuid4(),
        claimed_at=timezone.now() - dt.timedelta(seconds=seconds_ago),
        attempts=1,
    )


def test_a_claim_older_than_the_lease_is_never_resent_blindly(queued, django_capture_on_commit_callbacks):
    """The worker died after claiming: the message may have left. FAILED, admins told to check the mailbox."""
    _claimed_by_a_dead_worker(queued, seconds_ago=delivery.lease_seconds() + 1)
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.semester_report_deliver.apply(args=[queued.pk]).get() == "interrupted"
        assert tasks.semester_report_deliver.apply(args=[queued.pk]).get() == "nothing_to_send"
    report = state(queued)
    assert report.status == S.FAILED and report.last_error.startswith(delivery.INTERRUPTED)
    assert to_recipients(mail.outbox) == []
    [alert] = mail.outbox
    assert alert.to == [ADMIN] and "mailbox" in alert.body
    assert AuditEvent.objects.filter(action="report.delivery_interrupted").count() == 1


def test_a_fresh_claim_of_another_task_is_left_alone_and_checked_again_after_the_lease(queued):
    _claimed_by_a_dead_worker(queued, seconds_ago=30)
    with mock.patch.object(tasks.semester_report_deliver, "retry", side_effect=Retry()) as retry:
        with pytest.raises(Retry):
            tasks.semester_report_deliver(queued.pk)
    (countdown,) = retry.call_args.kwargs.values()
    assert delivery.lease_seconds() - 30 < countdown <= delivery.lease_seconds()
    assert mail.outbox == [] and state(queued).status == S.SENDING


def test_the_delivery_task_survives_a_dead_worker_by_its_options():
    task = tasks.semester_report_deliver
    assert task.acks_late is True and task.reject_on_worker_lost is True
    assert task.time_limit == delivery.DELIVERY_TIME_LIMIT and task.soft_time_limit == delivery.DELIVERY_SOFT_TIME_LIMIT
    assert task.soft_time_limit < task.time_limit < django_settings.SATGAS_REPORT_SEND_LEASE_SECONDS


def test_a_lease_not_longer_than_the_task_time_limit_is_flagged(settings):
    from satgas.reports.checks import lease_outlasts_the_task

    assert tasks.semester_report_deliver.time_limit == delivery.DELIVERY_TIME_LIMIT
    assert settings.SATGAS_REPORT_SEND_LEASE_SECONDS > delivery.DELIVERY_TIME_LIMIT  # the default: 900
    assert lease_outlasts_the_task() == []
    settings.SATGAS_REPORT_SEND_LEASE_SECONDS = 120
    [warning] = lease_outlasts_the_task()
    assert warning.id == "reports.W001"


def test_the_sweep_fails_stale_claims_and_requeues_lost_tasks(queued, django_capture_on_commit_callbacks):
    _claimed_by_a_dead_worker(queued, seconds_ago=delivery.lease_seconds() + 60)
    with django_capture_on_commit_callbacks(execute=True):
        result = delivery.stale_claims_sweep()
    assert result == {"interrupted": 1, "requeued": 0}
    assert state(queued).status == S.FAILED
    # A report queued long ago whose task was lost (the broker was down) gets a new task.
    SemesterReport.objects.filter(pk=queued.pk).update(
        status=S.QUEUED, updated_at=timezone.now() - dt.timedelta(hours=2)
    )
    before = outbox_waiting("satgas.reports.tasks.semester_report_deliver")
    assert delivery.stale_claims_sweep() == {"interrupted": 0, "requeued": 1}
    assert outbox_waiting("satgas.reports.tasks.semester_report_deliver") == [*before, [queued.pk]]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_tasks_at_once_send_one_email(region, admin_user, fast_pdf):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL and concurrent connections")
    report = report_at(S.QUEUED, office=region, admin=admin_user)
    barrier = threading.Barrier(2)
    outcomes, errors = [], []

    def run():
        from django.db import connections

        try:
            barrier.wait()
            outcomes.append(tasks.semester_report_deliver.apply(args=[report.pk]).get())
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(outcomes) in (["busy", "delivered"], ["delivered", "nothing_to_send"])
    assert len(to_recipients(mail.outbox)) == 1
    report.refresh_from_db()
    assert report.status == S.DELIVERED and report.attempts == 1
