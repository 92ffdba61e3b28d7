"""Celery application. Tasks are declared in each app's ``tasks.py``.

Every task has ``satgas.core.outbox.OutboxTask`` as its base: a task handed over from the outbox runs once per
outbox row, and retries wait in the outbox (the database) instead of in the broker.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "satgas.settings.local")

from satgas.core import kombu_restore  # noqa: E402,F401 - a worker must survive a broker restart (see the module)

app = Celery("satgas", task_cls="satgas.core.outbox:OutboxTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
