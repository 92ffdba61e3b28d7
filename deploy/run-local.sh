#!/usr/bin/env bash
# A production-like run on this machine: production settings, PostgreSQL, Redis,
# gunicorn + one Celery worker + exactly one Celery beat (the Procfile, run by honcho).
#
#   make prod-local [PORT=8000]        # installs what is missing first, then runs this
#   bash deploy/run-local.sh           # the same, once `make setup` has run
#
# Uses DATABASE_URL and REDIS_URL when set, otherwise
#   postgres://postgres@127.0.0.1:5432/satgas_prod   (created if missing)
#   redis://127.0.0.1:6379/0
# Plain http on 127.0.0.1 only: the HTTPS redirect, secure cookies and HSTS are relaxed through
# their documented variables (DJANGO_SECURE_*), and admin TOTP is off so the demo logins work.
# Files go under var/prod-local/ (static, private files, mail). Ctrl+C stops all three processes.
set -euo pipefail
cd "$(dirname "$0")/.."

PROD_PORT="${PROD_PORT:-8000}"
STATE=var/prod-local
VENV_BIN="$PWD/.venv/bin"
[ -x "$VENV_BIN/honcho" ] || { echo "Run 'make setup' first (.venv with honcho is missing)." >&2; exit 1; }
mkdir -p "$STATE/private" "$STATE/static" "$STATE/mail"
chmod 700 "$STATE"

export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/satgas_prod}"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/0}"
case "$DATABASE_URL" in
  postgres://*|postgresql://*) ;;
  *) echo "DATABASE_URL must point at PostgreSQL for the production-like run." >&2; exit 1 ;;
esac

if [ -z "${DJANGO_SECRET_KEY:-}" ]; then
  [ -s "$STATE/secret-key" ] || "$VENV_BIN/python" -c "import secrets; print(secrets.token_urlsafe(64))" > "$STATE/secret-key"
  DJANGO_SECRET_KEY="$(cat "$STATE/secret-key")"
fi
export DJANGO_SECRET_KEY
export DJANGO_SETTINGS_MODULE=satgas.settings.production
export DJANGO_ALLOWED_HOSTS="${DJANGO_ALLOWED_HOSTS:-127.0.0.1,localhost}"
export SATGAS_SITE_URL="${SATGAS_SITE_URL:-http://127.0.0.1:$PROD_PORT}"
export DJANGO_SECURE_SSL_REDIRECT=0 DJANGO_SECURE_COOKIES=0 DJANGO_SECURE_HSTS_SECONDS=0
export SATGAS_REQUIRE_ADMIN_MFA="${SATGAS_REQUIRE_ADMIN_MFA:-0}"
export SATGAS_PRIVATE_ROOT="$PWD/$STATE/private" DJANGO_STATIC_ROOT="$PWD/$STATE/static"
export EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend EMAIL_FILE_PATH="$PWD/$STATE/mail"
export GUNICORN_BIND="127.0.0.1:$PROD_PORT" GUNICORN_WORKERS="${GUNICORN_WORKERS:-2}"
export PATH="$VENV_BIN:$PATH"

# The services must be up (on Debian: pg_ctlcluster 15 main start; redis-server --daemonize yes).
python - <<'PY'
import os, sys
import psycopg2, redis
from urllib.parse import urlsplit, urlunsplit

url = urlsplit(os.environ["DATABASE_URL"])
name = url.path.lstrip("/")
try:
    conn = psycopg2.connect(urlunsplit(url._replace(path="/postgres")), connect_timeout=5)
except psycopg2.OperationalError as exc:
    sys.exit(f"PostgreSQL is not reachable at {url.hostname}:{url.port or 5432}: {exc}")
conn.autocommit = True
with conn.cursor() as cur:
    cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
    if not cur.fetchone():
        print(f"Creating database {name}")
        cur.execute(f'CREATE DATABASE "{name}"')
conn.close()
try:
    redis.Redis.from_url(os.environ["REDIS_URL"], socket_connect_timeout=5).ping()
except redis.RedisError as exc:
    sys.exit(f"Redis is not reachable at {os.environ['REDIS_URL']}: {exc}")
PY

python manage.py migrate --noinput -v 0
python manage.py collectstatic --noinput -v 0
python manage.py seed_demo
python manage.py demo_accounts
python manage.py check --deploy --fail-level ERROR | tail -n 1
echo "SATGAS (production settings) at http://127.0.0.1:$PROD_PORT/  health: http://127.0.0.1:$PROD_PORT/healthz  (Ctrl+C stops)"
# No .env for honcho: the environment above is the whole configuration.
exec honcho start -f Procfile -e /dev/null
