"""Celery application. Tasks are declared in each app's ``tasks.py``."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "satgas.settings.local")

app = Celery("satgas")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
