"""A real Celery prefork worker in a subprocess, for tests that kill it: on a queue of its own, on the test's
PostgreSQL database (the worker must see the test's committed rows) and Redis, its mail going to a loopback SMTP
server (``satgas.reports.tests.worker_settings``). Used by the reminders' SIGKILL test; the report's worker test
starts the same command."""

import contextlib
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


def wait_for(condition, seconds=20):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not condition():
        time.sleep(0.1)
    return condition()


def relay_to(queue: str) -> None:
    """What beat's ``outbox-relay`` does in production: retries wait in the outbox until due, then the relay hands
    them to the broker (here: to a test worker's own queue)."""
    from satgas.celery import app
    from satgas.core import outbox

    saved = app.conf.task_always_eager, app.conf.broker_url, app.conf.task_default_queue
    app.conf.task_always_eager, app.conf.broker_url, app.conf.task_default_queue = False, settings.REDIS_URL, queue
    try:
        outbox.relay()
    finally:
        app.conf.task_always_eager, app.conf.broker_url, app.conf.task_default_queue = saved


def relaying(queue: str, condition):
    """``condition`` for :func:`wait_for` that relays due outbox rows first, as beat would between two looks."""

    def check():
        relay_to(queue)
        return condition()

    return check


class Worker:
    def __init__(self, process, queue: str, log: Path):
        self.process, self.queue, self.log = process, queue, log

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def enqueue(self, task, *args) -> None:
        """Publish ``task`` to this worker's queue (the test process itself runs tasks eagerly)."""
        from satgas.celery import app

        eager, broker = app.conf.task_always_eager, app.conf.broker_url
        app.conf.task_always_eager, app.conf.broker_url = False, settings.REDIS_URL
        try:
            task.apply_async(args=list(args), queue=self.queue)
        finally:
            app.conf.task_always_eager, app.conf.broker_url = eager, broker


@contextlib.contextmanager
def prefork_worker(tmp_path: Path, *, smtp_port: int, env: dict | None = None, include: tuple[str, ...] = ()):
    """``celery worker -P prefork -c 1`` on its own queue; stopped (SIGTERM, then SIGKILL) on exit."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: the worker process must see the test's committed data")
    db = connection.settings_dict
    database_url = f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    queue = f"test-worker-{uuid.uuid4().hex[:12]}"
    log = tmp_path / "worker.log"
    full_env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "satgas.reports.tests.worker_settings",
        "DATABASE_URL": f"{database_url}/{db['NAME']}",
        "REDIS_URL": settings.REDIS_URL,
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
        "SATGAS_TEST_QUEUE": queue,
        "PYTHONUNBUFFERED": "1",
        **(env or {}),
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
        "--loglevel=INFO",
    ]
    for module in include:
        command += ["-I", module]
    with log.open("w") as out:
        process = subprocess.Popen(command, env=full_env, stdout=out, stderr=subprocess.STDOUT, cwd=settings.BASE_DIR)
    worker = Worker(process, queue, log)
    try:
        assert wait_for(lambda: " ready." in worker.output() or process.poll() is not None, 90), worker.output()
        assert process.poll() is None, worker.output()
        yield worker
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        import redis

        redis.Redis.from_url(settings.REDIS_URL).delete(queue)
