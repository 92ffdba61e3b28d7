"""Loaded only in the SIGKILL test's worker (``celery worker -I satgas.oaths.tests.worker_pid``): each pool process
writes its pid to ``SATGAS_WORKER_PID_FILE`` when it starts a task, so the test can kill exactly that process."""

import os
from pathlib import Path

from celery.signals import task_prerun

PID_FILE = os.environ.get("SATGAS_WORKER_PID_FILE", "")


@task_prerun.connect
def _note_pid(**kwargs):
    if PID_FILE:
        Path(PID_FILE).write_text(str(os.getpid()))
