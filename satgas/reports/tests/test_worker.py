"""Delivery through the real path: Celery workers consuming from Redis, SMTP on loopback.

* The task enqueued twice, in a worker thread (``celery_worker_on_redis``): one email.
* A worker process killed right after claiming (``os._exit`` injected by ``crash_injection``) in a real
  prefork worker started as a subprocess: thanks to ``acks_late`` and ``reject_on_worker_lost`` the
  message comes back to the new worker process, which finds the dead process's claim and — once the
  lease (2 s here) has passed — fails the report as interrupted and alerts the admins. Nothing reaches
  the recipients: their copy may or may not have left, so nobody resends it blindly.
* A fresh claim of someone else, through the same worker: left alone, checked again after the lease.

The task's retries ("busy: check again after the lease") wait in the outbox; the test relays them to the worker's
queue as beat's ``outbox-relay`` does in production.
"""

import datetime as dt
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from satgas.core.tests.smtp import smtp_server
from satgas.core.tests.worker import relaying
from satgas.reports import delivery, tasks
from satgas.reports.models import ReportStatus, SemesterReport
from satgas.reports.tests.factories import report_at

pytestmark = [
    pytest.mark.redis,
    pytest.mark.skipif(not settings.REDIS_URL, reason="REDIS_URL not set: no broker for a real worker"),
    pytest.mark.django_db(transaction=True),
]
S = ReportStatus
BIRO, ADMIN = "biro.sdm@kemenkumham.go.id", "admin@uji.test"
LEASE = 2


def _wait_for(condition, seconds=20):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not condition():
        time.sleep(0.2)
    return condition()


def envelopes(inbox) -> list[str]:
    return [m["X-Envelope-To"] for m in inbox.messages]


@pytest.fixture
def smtp(settings):
    with smtp_server() as (inbox, port):
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        yield inbox


def test_the_task_enqueued_twice_delivers_one_email(celery_worker_on_redis, region, admin_user, fast_pdf, smtp):
    report = report_at(S.QUEUED, office=region, admin=admin_user)
    tasks.semester_report_deliver.delay(report.pk)
    tasks.semester_report_deliver.delay(report.pk)
    assert _wait_for(lambda: SemesterReport.objects.get(pk=report.pk).status == S.DELIVERED)
    time.sleep(1.5)  # let the duplicate run too
    report.refresh_from_db()
    [message] = smtp.messages
    assert message["X-Envelope-To"] == BIRO
    assert report.message_id == message["Message-ID"] and report.attempts == 1
    assert [p.get_filename() for p in message.walk() if p.get_filename()] == [
        "laporan-semester-kwjateng-2024-1-v1.pdf",
        "laporan-semester-kwjateng-2024-1-v1.xlsx",
    ]


# --- A real prefork worker in a subprocess ------------------------------------------------------------------


class Worker:
    def __init__(self, process, queue: str, log: Path, marker: Path):
        self.process, self.queue, self.log, self.marker = process, queue, log, marker

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


@pytest.fixture
def worker(tmp_path):
    """``celery worker -P prefork -c 1`` on a queue of its own, on the test database, with the crash
    injection loaded and its mail going to a loopback SMTP server."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: the worker process must see the test's committed data")
    db = connection.settings_dict
    database_url = f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    queue = f"reports-test-{uuid.uuid4().hex[:12]}"
    log, marker = tmp_path / "worker.log", tmp_path / "crashed"
    with smtp_server() as (inbox, port):
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "satgas.reports.tests.worker_settings",
            "DATABASE_URL": f"{database_url}/{db['NAME']}",  # pytest-django's test_<name> database
            "REDIS_URL": settings.REDIS_URL,
            "EMAIL_URL": f"smtp://127.0.0.1:{port}",
            "SATGAS_TEST_QUEUE": queue,
            "SATGAS_REPORT_SEND_LEASE_SECONDS": str(LEASE),
            "SATGAS_CRASH_MARKER": str(marker),
            "PYTHONUNBUFFERED": "1",  # the log is read while the worker runs
        }
        command = [
            str(Path(sys.executable).with_name("celery")),
            "-A",
            "satgas.celery",
            "worker",
            "-P",
            "prefork",
            "-c",
            "1",
            "-Q",
            queue,
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "-I",
            "satgas.reports.tests.crash_injection",
            "--loglevel=INFO",
        ]
        with log.open("w") as out:
            process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=settings.BASE_DIR)
        try:
            started = Worker(process, queue, log, marker)
            # Ready before the test's clock starts (a loaded machine may take a while to import Django).
            assert _wait_for(lambda: " ready." in started.output() or process.poll() is not None, 60), started.output()
            assert process.poll() is None, started.output()
            yield started, inbox
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
            import redis

            redis.Redis.from_url(settings.REDIS_URL).delete(queue)


def _enqueue(report_id: int, queue: str) -> None:
    """Publish the delivery task to the worker's queue (the test process itself runs tasks eagerly)."""
    from satgas.celery import app

    eager, broker = app.conf.task_always_eager, app.conf.broker_url
    app.conf.task_always_eager, app.conf.broker_url = False, settings.REDIS_URL
    try:
        tasks.semester_report_deliver.apply_async(args=[report_id], queue=queue)
    finally:
        app.conf.task_always_eager, app.conf.broker_url = eager, broker


def test_a_worker_killed_after_claiming_never_sends_a_second_copy(worker, region, admin_user, fast_pdf):
    started = time.monotonic()
    worker, inbox = worker
    report = report_at(S.QUEUED, office=region, admin=admin_user)
    _enqueue(report.pk, worker.queue)
    assert _wait_for(lambda: worker.marker.exists()), worker.output()
    pid, claimed_id, token = worker.marker.read_text().split()
    assert int(claimed_id) == report.pk
    # The dead process's claim is in the database (it committed before any SMTP traffic)...
    claimed = SemesterReport.objects.get(pk=report.pk)
    assert (claimed.status, str(claimed.claim_token), claimed.attempts) == (S.SENDING, token, 1)
    # ...and the redelivered task, in a new process, ends it as interrupted once the lease has passed.
    failed = relaying(worker.queue, lambda: SemesterReport.objects.get(pk=report.pk).status == S.FAILED)
    assert _wait_for(failed), worker.output()
    assert _wait_for(lambda: len(inbox.messages) >= 1), worker.output()
    time.sleep(1.0)  # anything else would have arrived by now
    report.refresh_from_db()
    assert report.last_error.startswith(delivery.INTERRUPTED) and str(report.claim_token) == token
    assert report.attempts == 1  # nobody claimed it again
    assert envelopes(inbox) == [ADMIN]  # the admins' alert; the recipients' copy: none
    assert "mailbox" in inbox.messages[0].get_payload(0).get_payload(decode=True).decode()
    log = worker.output()
    assert "WorkerLostError" in log or "exited with 'exitcode 1'" in log or "signal" in log.lower(), log
    assert int(pid) != worker.process.pid  # it was a pool process that died, not the worker
    assert worker.process.poll() is None  # the worker itself lives on
    assert time.monotonic() - started < 30


def test_a_fresh_claim_of_another_task_is_left_alone_until_its_lease_passes(worker, region, admin_user, fast_pdf):
    worker, inbox = worker
    report = report_at(S.QUEUED, office=region, admin=admin_user)
    token = uuid.uuid4()
    claimed_at = timezone.now()
    SemesterReport.objects.filter(pk=report.pk).update(
        status=S.SENDING, claim_token=token, claimed_at=claimed_at, attempts=1
    )
    _enqueue(report.pk, worker.queue)
    assert _wait_for(lambda: "Retry in" in worker.output(), seconds=15), worker.output()
    busy = SemesterReport.objects.get(pk=report.pk)
    assert (busy.status, busy.claim_token) == (S.SENDING, token) and inbox.messages == []
    done = relaying(worker.queue, lambda: SemesterReport.objects.get(pk=report.pk).status == S.FAILED)
    assert _wait_for(done), worker.output()
    failed = SemesterReport.objects.get(pk=report.pk)
    assert failed.updated_at >= claimed_at + dt.timedelta(seconds=LEASE)  # not before the lease ran out
    assert _wait_for(lambda: len(inbox.messages) >= 1)
    time.sleep(0.5)
    assert envelopes(inbox) == [ADMIN] and failed.attempts == 1
    assert not worker.marker.exists()  # this worker never claimed anything, so never crashed
