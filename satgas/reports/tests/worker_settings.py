"""Settings of the Celery worker that test_worker.py starts as a subprocess: the test profile, except
that mail goes where ``EMAIL_URL`` says (the test's loopback SMTP server, so it can count messages),
tasks are really queued (a retry waits for its countdown), and every task the worker queues itself
(retries, the admins' alerts) goes to the test's own queue, ``SATGAS_TEST_QUEUE``."""

import os

from satgas.settings.test import *  # noqa: F403
from satgas.settings.test import env

globals().update(env.dj_email_url("EMAIL_URL"))
EMAIL_TIMEOUT = 5
CELERY_TASK_ALWAYS_EAGER = False
CELERY_TASK_DEFAULT_QUEUE = os.environ["SATGAS_TEST_QUEUE"]
