"""Pieces of a real stack for the fault tests and ``manage.py faults``: a Redis server of our own on a free port
(never the shared one on 6379) that a test may stop and start, and a Celery worker subprocess that a test may kill
with SIGKILL (the whole process group: parent and pool children)."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(condition, seconds: float = 20, step: float = 0.1) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return bool(condition())


class RedisServer:
    """``redis-server`` on a free port, nothing kept on disk (like the deploy kit's): stop() loses every key."""

    def __init__(self, port: int | None = None, log: Path | None = None):
        self.port = port or free_port()
        self.log = log
        self.process: subprocess.Popen | None = None

    @staticmethod
    def available() -> bool:
        return shutil.which("redis-server") is not None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def ping(self) -> bool:
        import redis

        try:
            return bool(redis.Redis(port=self.port, socket_connect_timeout=0.2, socket_timeout=0.5).ping())
        except redis.exceptions.RedisError:
            return False

    def start(self) -> "RedisServer":
        out = self.log.open("a") if self.log else subprocess.DEVNULL
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        if not wait_for(self.ping, 10):
            raise RuntimeError(f"redis-server on port {self.port} did not start")
        return self

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        wait_for(lambda: not self.ping(), 5)

    def restart(self) -> None:
        self.stop()
        self.start()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def database_url(settings_dict) -> str:
    db = settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Worker:
    """``celery worker`` as a subprocess in its own session (so the whole worker can be killed at once)."""

    def __init__(self, env: dict, log: Path, *, concurrency: int = 1, imports=(), queues=(), cwd=None):
        self.env, self.log, self.concurrency, self.imports, self.queues = env, log, concurrency, imports, queues
        self.cwd = cwd
        self.process: subprocess.Popen | None = None

    def command(self) -> list[str]:
        command = [str(Path(sys.executable).with_name("celery")), "-A", "satgas.celery", "worker", "-P", "prefork"]
        command += ["-c", str(self.concurrency), "--without-heartbeat", "--without-gossip", "--without-mingle"]
        command += ["--loglevel=INFO"]
        for module in self.imports:
            command += ["-I", module]
        if self.queues:
            command += ["-Q", ",".join(self.queues)]
        return command

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def start(self, ready_seconds: float = 90) -> "Worker":
        offset = len(self.output())
        with self.log.open("a") as out:
            self.process = subprocess.Popen(
                self.command(),
                env={**os.environ, "PYTHONUNBUFFERED": "1", **self.env},
                stdout=out,
                stderr=subprocess.STDOUT,
                cwd=self.cwd,
                start_new_session=True,
            )
        ready = wait_for(lambda: " ready." in self.output()[offset:] or self.process.poll() is not None, ready_seconds)
        if not ready or self.process.poll() is not None:
            raise RuntimeError(f"the worker did not start:\n{self.output()[offset:][-3000:]}")
        return self

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill_all(self) -> None:
        """SIGKILL to the parent and every pool child: no warm shutdown, no acknowledgement, no restore."""
        if self.process is not None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.process.wait(10)

    def stop(self) -> None:
        if self.alive():
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.kill_all()
        elif self.process is not None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)  # pool children left behind by a crashed parent
            except ProcessLookupError:
                pass


def use_broker(url: str) -> None:
    """Point this process's Celery app at ``url`` and send tasks there (not eagerly)."""
    from satgas.celery import app

    app.conf.broker_url = url
    app.conf.task_always_eager = False
    _reset_pools(app)


def use_eager() -> None:
    from django.conf import settings

    from satgas.celery import app

    app.conf.broker_url = settings.CELERY_BROKER_URL
    app.conf.task_always_eager = True
    _reset_pools(app)


def _reset_pools(app) -> None:
    for attr in ("_pool",):
        pool = getattr(app, attr, None)
        if pool is not None:
            try:
                pool.force_close_all()
            except Exception:  # noqa: BLE001 - a pool of a broker that is gone
                pass
            setattr(app, attr, None)
    app.amqp._producer_pool = None
