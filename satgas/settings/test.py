"""Test profile: PostgreSQL/Redis when DATABASE_URL/REDIS_URL are set."""

from .base import *  # noqa: F403
from .base import env

SECRET_KEY = "test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEF"
DEBUG = False
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SATGAS_REQUIRE_ADMIN_MFA = False
# One process: the figures cache is shared by everything a test does (and cleared between tests).
SATGAS_AGGREGATE_CACHE = True
# Tests always run tasks eagerly unless a test starts a real worker itself.
CELERY_TASK_ALWAYS_EAGER = True
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
PRIVATE_ROOT = env.path("SATGAS_TEST_PRIVATE_ROOT", BASE_DIR / "var" / "test-private")  # noqa: F405
# Rate limits would make the permission matrix flaky; a dedicated test re-enables them.
ACCOUNT_RATE_LIMITS = False
# Serve static files straight from the finders (no collectstatic needed).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
