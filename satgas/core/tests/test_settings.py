"""The settings read the environment strictly and pass Django's deploy checks."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "satgas.settings.production",
    "DJANGO_SECRET_KEY": "k3Jx9-Qm2vT7pL0sZ8wR4nY6bH1cF5dG-aE3uI7oP9qW2eR5tY8uI0oP3aS6dF9g",
    "DJANGO_DEBUG": "0",
    "DJANGO_ALLOWED_HOSTS": "satgas.kemenkumham-jateng.example",
    "DATABASE_URL": "sqlite:////tmp/satgas-deploy-check.sqlite3",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "EMAIL_URL": "smtp://mailer:secret@smtp.example:587/?tls=True",
    "SATGAS_SITE_URL": "https://satgas.kemenkumham-jateng.example",
}


def _manage(*args, env):
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL", "EMAIL_", "SATGAS_SITE_URL"))
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**base, **env}, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_reports_no_warnings_with_production_values():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_a_malformed_boolean_stops_the_process():
    result = _manage("check", env={**PRODUCTION_ENV, "DJANGO_DEBUG": "maybe"})
    assert result.returncode != 0
    assert "DJANGO_DEBUG" in result.stderr


def test_production_refuses_a_short_secret_key():
    result = _manage("check", env={**PRODUCTION_ENV, "DJANGO_SECRET_KEY": "short"})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_the_public_address():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SATGAS_SITE_URL"}
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "SATGAS_SITE_URL" in result.stderr


def test_email_url_configures_smtp():
    result = _manage(
        "shell",
        "-c",
        "from django.conf import settings as s; print(s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_USE_TLS)",
        env=PRODUCTION_ENV,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].split() == [
        "django.core.mail.backends.smtp.EmailBackend",
        "smtp.example",
        "587",
        "True",
    ]


def test_without_redis_url_tasks_run_eagerly_and_cache_is_local():
    env = {"DJANGO_SETTINGS_MODULE": "satgas.settings.local"}
    result = _manage(
        "shell",
        "-c",
        "from django.conf import settings as s; print(s.CELERY_TASK_ALWAYS_EAGER, s.CACHES['default']['BACKEND'])",
        env=env,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].split() == ["True", "django.core.cache.backends.locmem.LocMemCache"]
