"""Tasks for the fault tests' workers (``celery worker -I satgas.core.tests.worker_tasks``); the test process
imports this module too, so the outbox accepts their names."""

import os
import time
from pathlib import Path

from celery import shared_task


@shared_task(acks_late=True, time_limit=20, soft_time_limit=18)
def slow_first_run(folder: str, name: str) -> int:
    """Appends its pid to ``<name>.runs``; the first run then waits 60 s (long enough to be killed), later runs
    finish at once and write ``<name>.done``."""
    runs = Path(folder) / f"{name}.runs"
    with runs.open("a") as out:
        out.write(f"{os.getpid()}\n")
    count = len(runs.read_text().split())
    if count == 1:
        time.sleep(60)
    (Path(folder) / f"{name}.done").write_text(str(count))
    return count


@shared_task(acks_late=True, time_limit=20, soft_time_limit=18)
def mark(folder: str, name: str) -> int:
    """Appends a line to ``<name>.runs`` (how often it ran)."""
    runs = Path(folder) / f"{name}.runs"
    with runs.open("a") as out:
        out.write(f"{os.getpid()}\n")
    return len(runs.read_text().split())
