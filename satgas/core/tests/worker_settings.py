"""Settings of the Celery workers the fault tests start as subprocesses (``stack.Worker``): the test profile on the
test's PostgreSQL database (``DATABASE_URL``) and the test's own Redis (``REDIS_URL``: broker and the production
cache backend), tasks really queued, mail to ``EMAIL_URL`` (a loopback SMTP server), and short leases and
visibility timeout (``SATGAS_BROKER_VISIBILITY_TIMEOUT``, ``SATGAS_OUTBOX_LEASE_SECONDS``) so that what takes
minutes in production takes seconds here."""

from satgas.settings.test import *  # noqa: F403
from satgas.settings.test import env

REDIS_URL = env.str("REDIS_URL")
CELERY_BROKER_URL = REDIS_URL
CELERY_TASK_ALWAYS_EAGER = False
CACHES = {
    "default": {
        "BACKEND": "satgas.core.cache.ResilientRedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "satgas-worker-test",
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }
}
if env.str("EMAIL_URL", ""):
    globals().update(env.dj_email_url("EMAIL_URL"))
EMAIL_TIMEOUT = 5
SATGAS_BROKER_VISIBILITY_TIMEOUT = env.int("SATGAS_BROKER_VISIBILITY_TIMEOUT", 5)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    **CELERY_BROKER_TRANSPORT_OPTIONS,  # noqa: F405
    "visibility_timeout": SATGAS_BROKER_VISIBILITY_TIMEOUT,
}
SATGAS_OUTBOX_RUN_MARGIN_SECONDS = env.int("SATGAS_OUTBOX_RUN_MARGIN_SECONDS", 1)
SATGAS_OUTBOX_LEASE_SECONDS = env.int("SATGAS_OUTBOX_LEASE_SECONDS", 5)
SATGAS_REMINDER_BATCH_INTERVAL_SECONDS = env.int("SATGAS_REMINDER_BATCH_INTERVAL_SECONDS", 2)
