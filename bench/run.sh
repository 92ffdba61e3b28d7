#!/usr/bin/env bash
# make bench: benchmarks on PostgreSQL against gunicorn (never on the dev database).
set -euo pipefail
cd "$(dirname "$0")/.."
export DJANGO_SETTINGS_MODULE=satgas.settings.local
export DATABASE_URL="${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/satgas_bench}"
export DJANGO_DEBUG=0 SATGAS_REQUIRE_ADMIN_MFA=0
unset REDIS_URL
PORT="${BENCH_PORT:-8765}"
PY=.venv/bin/python

dbname="${DATABASE_URL##*/}"
dropdb -h 127.0.0.1 -U postgres --if-exists "$dbname"
createdb -h 127.0.0.1 -U postgres "$dbname"
$PY manage.py migrate -v0
$PY manage.py seed_demo >/dev/null
# A larger unit for the signing load: 2,000 extra employees at LAPAS-SMG.
$PY manage.py shell -c "
import datetime as dt
from satgas.personnel.models import Person, Unit
unit = Unit.objects.get(code='LAPAS-SMG')
people = []
for i in range(2000):
    b = dt.date(1970 + i % 30, 1 + i % 12, 1 + i % 28)
    p = Person(full_name=f'Pegawai Beban {i}', employment_type='PNS', unit=unit,
               nip=f'{b:%Y%m%d}{b.year + 22}{1 + i % 12:02d}{1 + i % 2}{i % 999 + 1:03d}')
    p.clean(); people.append(p)
Person.objects.bulk_create(people, ignore_conflicts=True)
"

.venv/bin/gunicorn -c gunicorn.conf.py satgas.wsgi --bind "127.0.0.1:$PORT" --workers 4 --threads 1 \
  --env DJANGO_SETTINGS_MODULE=satgas.settings.local --access-logfile /dev/null --pid /tmp/satgas-bench.pid --daemon
trap 'kill "$(cat /tmp/satgas-bench.pid)" 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done

echo "## Oath signing: 1,000 concurrent requests, 4 per person (PostgreSQL, gunicorn 4 workers)"
$PY manage.py bench_signing --base-url "http://127.0.0.1:$PORT" --people 250 --requests 1000 --concurrency 40
