"""Production profile: secure defaults, everything from the environment.

Required: DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS, DATABASE_URL, REDIS_URL, SATGAS_SITE_URL.
Every variable is listed, with its default, in deploy/satgas.env.example.
"""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", False)
if len(SECRET_KEY) < 50:  # noqa: F405
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set to a random string of at least 50 characters.")
if not ALLOWED_HOSTS:  # noqa: F405
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must list the host names the site is served on.")
if not env.str("DATABASE_URL", ""):
    raise ImproperlyConfigured("DATABASE_URL must point at the production database (postgres://...).")
if not env.str("SATGAS_SITE_URL", ""):
    # Links in emails, letters and QR codes are built from it; a forgotten value would point them at 127.0.0.1.
    raise ImproperlyConfigured(
        "SATGAS_SITE_URL must be the public address of the site, e.g. https://satgas.example.go.id."
    )
if not REDIS_URL:  # noqa: F405
    # Without Redis, tasks would run inside web requests and every process would keep its own rate-limit counters.
    raise ImproperlyConfigured("REDIS_URL must point at Redis (Celery broker and shared cache).")

if SATGAS_HEALTH_TOKEN and len(SATGAS_HEALTH_TOKEN) < 32:  # noqa: F405
    raise ImproperlyConfigured("SATGAS_HEALTH_TOKEN must be at least 32 random characters (or empty: loopback only).")

# TLS terminates at the reverse proxy (nginx), which sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# Cookies only over HTTPS. DJANGO_SECURE_COOKIES=0 exists for one case only: the
# production-like run on plain http://127.0.0.1 (deploy/run-local.sh); never in production.
SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
