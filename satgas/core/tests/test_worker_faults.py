"""The broker restarted and the worker killed, on a real stack: a Redis of the test's own, real prefork Celery
workers as subprocesses (``stack.Worker``) on the test's PostgreSQL database.

* Redis restarted (nothing kept on disk) while the worker holds an unacknowledged scheduled message: with kombu
  5.7.0 the worker died (``AttributeError: 'NoneType' object has no attribute 'hostname'`` while restoring it);
  now it reconnects (``satgas.core.kombu_restore``), and work handed over before the restart — whose message
  Redis lost — is handed over again because Redis's ``run_id`` changed, and runs once.
* The whole worker (parent and pool children) killed with SIGKILL in the middle of a task: the task runs again
  on the next worker, once the run's lease (its time limit plus a margin: seconds here, at most 7 minutes in
  production, below the 9-minute visibility timeout) has passed.
"""

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from satgas.core import outbox
from satgas.core.models import OutboxMessage, OutboxStatus
from satgas.core.tests import worker_tasks
from satgas.core.tests.stack import RedisServer, Worker, database_url, use_broker, use_eager, wait_for

pytestmark = [
    pytest.mark.redis,
    pytest.mark.skipif(not RedisServer.available(), reason="redis-server is not installed"),
    pytest.mark.django_db(transaction=True),
]
TASKS = "satgas.core.tests.worker_tasks"


@pytest.fixture
def stack(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: the worker processes must see the test's committed data")
    redis = RedisServer(log=tmp_path / "redis.log").start()
    env = {
        "DJANGO_SETTINGS_MODULE": "satgas.core.tests.worker_settings",
        "DATABASE_URL": database_url(connection.settings_dict),
        "REDIS_URL": redis.url,
    }
    workers: list[Worker] = []

    def new_worker() -> Worker:
        worker = Worker(env, tmp_path / f"worker{len(workers) + 1}.log", imports=[TASKS], cwd=settings.BASE_DIR)
        workers.append(worker)
        return worker.start()

    use_broker(redis.url)
    try:
        yield redis, new_worker, tmp_path
    finally:
        use_eager()
        for worker in workers:
            worker.stop()
        redis.stop()


def _enqueue(task: str, *args) -> OutboxMessage:
    with transaction.atomic():
        return outbox.enqueue(task, args=list(args))


def _runs(folder: Path, name: str) -> int:
    path = folder / f"{name}.runs"
    return len(path.read_text().split()) if path.exists() else 0


def test_the_worker_survives_a_redis_restart_and_work_redis_lost_runs_once(stack):
    redis, new_worker, folder = stack
    worker = new_worker()
    # A scheduled message the worker holds unacknowledged (as kombu holds ETA messages until they are due).
    worker_tasks.mark.apply_async(args=[str(folder), "held"], countdown=600)
    assert wait_for(lambda: "received" in worker.output(), 20), worker.output()
    # Work handed over before the restart, whose message the restart loses: stored as handed over.
    lost = _enqueue(f"{TASKS}.mark", str(folder), "lost")
    OutboxMessage.objects.filter(pk=lost.pk).update(
        status=OutboxStatus.SENT,
        handovers=1,
        lease_until=timezone.now() + dt.timedelta(hours=1),
        broker_run_id=_run_id(redis),
    )

    redis.restart()
    assert wait_for(lambda: "Connected to" in worker.output().split("Connection to broker lost")[-1], 30), (
        worker.output()
    )
    assert worker.alive(), worker.output()
    assert "Unrecoverable error" not in worker.output()

    fresh = _enqueue(f"{TASKS}.mark", str(folder), "fresh")

    def finished():
        outbox.relay()
        return OutboxMessage.objects.filter(pk__in=[lost.pk, fresh.pk], status=OutboxStatus.DONE).count() == 2

    assert wait_for(finished, 60, 0.5), worker.output()
    assert (_runs(folder, "lost"), _runs(folder, "fresh")) == (1, 1)
    assert worker.alive()


def _run_id(redis: RedisServer) -> str:
    import redis as redis_lib

    return redis_lib.Redis(port=redis.port).info("server")["run_id"]


def test_a_task_of_a_killed_worker_runs_again_on_the_next_one(stack):
    redis, new_worker, folder = stack
    worker = new_worker()
    row = _enqueue(f"{TASKS}.slow_first_run", str(folder), "slow")
    assert wait_for(lambda: _runs(folder, "slow") == 1, 30), worker.output()
    assert OutboxMessage.objects.get(pk=row.pk).status == OutboxStatus.RUNNING

    worker.kill_all()  # parent and pool child: nothing acknowledged, nothing restored
    assert not worker.alive()
    replacement = new_worker()

    def done():
        outbox.relay()
        return OutboxMessage.objects.get(pk=row.pk).status == OutboxStatus.DONE

    assert wait_for(done, 90, 0.5), replacement.output()
    finished = OutboxMessage.objects.get(pk=row.pk)
    assert _runs(folder, "slow") == 2 and finished.attempts == 2
    assert (folder / "slow.done").read_text() == "2"
