#!/usr/bin/env bash
# make bench: the numbers of issue 9, on PostgreSQL (and SQLite where it makes sense), at two data scales.
#
# Per scale (BENCH_SCALES="units:staff:cases ..."): a fresh database filled by `seed_scale`; SQL queries per
# page; gunicorn (gunicorn.conf.py, 4 sync workers) under locust with 20 users, each page in BENCH_ROUNDS short
# runs alternating with runs of the trivial /ping/ view (ratios, not absolute numbers, hold on a shared machine);
# the oath-signing request; 1,000 concurrent signings (`bench_signing`); the six-monthly report; the import
# against a raw COPY. SQLite: query counts and the import rate at the first scale. Tables: var/bench/latest.md.
#
# BENCH_QUICK=1: small numbers and short runs (smoke test). Other knobs: BENCH_DURATION (s per run), BENCH_ROUNDS,
# BENCH_USERS, BENCH_PORT, BENCH_PG (server URL without database), BENCH_IMPORT_ROWS, BENCH_SQLITE=0.
set -euo pipefail
cd "$(dirname "$0")/.."
export DJANGO_SETTINGS_MODULE=satgas.settings.local DJANGO_DEBUG=0 SATGAS_REQUIRE_ADMIN_MFA=0
# Regional figures cached as in production (there in Redis; here each gunicorn worker's local-memory cache: the
# page load writes nothing, so no worker could miss another's change).
export SATGAS_AGGREGATE_CACHE=1
unset REDIS_URL DATABASE_URL
PY=.venv/bin/python
OUT=var/bench
PG="${BENCH_PG:-postgres://postgres@127.0.0.1:5432}"
PORT="${BENCH_PORT:-8765}"
USERS="${BENCH_USERS:-20}"
if [ "${BENCH_QUICK:-0}" = 1 ]; then
  SCALES="${BENCH_SCALES:-6:600:60 12:1200:120}"
  DURATION="${BENCH_DURATION:-3}" ROUNDS="${BENCH_ROUNDS:-2}" IMPORT_ROWS="${BENCH_IMPORT_ROWS:-1000}" SIGN_PEOPLE=25 SIGN_REQUESTS=100
else
  SCALES="${BENCH_SCALES:-60:20000:2000 600:200000:20000}"
  DURATION="${BENCH_DURATION:-8}" ROUNDS="${BENCH_ROUNDS:-3}" IMPORT_ROWS="${BENCH_IMPORT_ROWS:-20000}" SIGN_PEOPLE=250 SIGN_REQUESTS=1000
fi
mkdir -p "$OUT"
rm -rf "$OUT"/scale-* "$OUT"/sqlite-*

# The load generator lives in its own virtualenv (locust brings gevent and a pytest plugin).
if [ ! -x "$OUT/venv/bin/locust" ] || [ requirements-bench.txt -nt "$OUT/venv/.stamp" ]; then
  python3.11 -m venv "$OUT/venv"
  "$OUT/venv/bin/pip" install -q --upgrade pip
  "$OUT/venv/bin/pip" install -q -r requirements-bench.txt
  touch "$OUT/venv/.stamp"
fi
LOCUST="$OUT/venv/bin/locust"

python3 - "$OUT/machine.json" "$USERS" "$DURATION" "$ROUNDS" <<'EOF'
import json, os, platform, subprocess, sys, datetime
def sh(cmd):
    try:
        return subprocess.run(cmd, shell=True, capture_output=True, text=True).stdout.strip()
    except Exception:
        return ""
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "")
mem = next((int(l.split()[1]) // 1024 // 1024 for l in open("/proc/meminfo") if l.startswith("MemTotal")), 0)
json.dump({
    "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    "cpu": cpu, "cores": os.cpu_count(), "memory_gib": mem, "python": platform.python_version(),
    "postgresql": sh("psql -h 127.0.0.1 -U postgres -tAc 'SHOW server_version'"),
    "commit": sh("git rev-parse --short HEAD"), "load_average": os.getloadavg(),
    "users": int(sys.argv[2]), "duration_s": int(sys.argv[3]), "rounds": int(sys.argv[4]),
}, open(sys.argv[1], "w"), indent=2)
EOF

GUNICORN_PID="$OUT/gunicorn.pid"
stop_gunicorn() { [ -f "$GUNICORN_PID" ] && kill "$(cat "$GUNICORN_PID")" 2>/dev/null || true; rm -f "$GUNICORN_PID"; sleep 1; }
trap stop_gunicorn EXIT

load() {  # load SCENARIO OUTFILE: one locust run against the running gunicorn
  BENCH_PLAN="$dir/plan.json" BENCH_SCENARIO="$1" BENCH_OUT="$2" "$LOCUST" -f bench/locustfile.py --headless \
    -u "$USERS" -r "$USERS" -t "${DURATION}s" --host "http://127.0.0.1:$PORT" --reset-stats --only-summary \
    --loglevel ERROR >/dev/null 2>&1 || true  # failures are counted in the JSON, not fatal here
}

index=0
for scale in $SCALES; do
  IFS=: read -r units staff cases <<<"$scale"
  index=$((index + 1))
  name=$([ "$index" = 1 ] && echo s || { [ "$index" = 2 ] && echo l || echo "$index"; })
  dir="$OUT/scale-$index"
  mkdir -p "$dir"
  echo "$units $staff $cases" >"$dir/scale.txt"
  export DATABASE_URL="$PG/satgas_bench_$name"
  echo "== Scale $index: $units units, $staff staff, $cases cases ($DATABASE_URL)"
  dropdb -h 127.0.0.1 -U postgres --if-exists "satgas_bench_$name"
  createdb -h 127.0.0.1 -U postgres "satgas_bench_$name"
  $PY manage.py migrate -v0
  $PY manage.py seed_scale --units "$units" --personnel "$staff" --cases "$cases" | tee "$dir/seed.md" | tail -1
  $PY manage.py bench_pages --queries "$dir/queries.json" --plan "$dir/plan.json" --sessions "$USERS" \
    --signers $((staff / 2 < 5000 ? staff / 2 : 5000)) >/dev/null

  GUNICORN_WORKERS=4 GUNICORN_THREADS=1 .venv/bin/gunicorn -c gunicorn.conf.py satgas.wsgi --bind "127.0.0.1:$PORT" \
    --access-logfile "$dir/access.log" --pid "$GUNICORN_PID" --daemon
  for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done
  cookie="sessionid=$(python3 -c "import json; print(json.load(open('$dir/plan.json'))['sessions'][0])")"
  pages=$(python3 -c "import json; print('\n'.join(json.load(open('$dir/plan.json'))['pages']))" | grep -v '^ping$')
  while read -r page; do  # warm every worker: templates, caches, connections
    path=$(python3 -c "import json,sys; print(json.load(open('$dir/plan.json'))['pages'][sys.argv[1]])" "$page")
    for _ in 1 2 3 4 5 6 7 8; do curl -fs -o /dev/null -H "Cookie: $cookie" "http://127.0.0.1:$PORT$path"; done
  done <<<"$pages"
  n=0
  while read -r page; do
    n=$((n + 1))
    echo "   load: $page"
    for round in $(seq 1 "$ROUNDS"); do  # alternate short runs: drift on a shared machine hits both alike
      load ping "$dir/ping-$n-$round.json"
      load "$page" "$dir/page-$n-$round.json"
    done
  done <<<"$(printf '%s\nsigning\n' "$pages")"

  echo "   1,000 concurrent signings"
  $PY manage.py bench_signing --base-url "http://127.0.0.1:$PORT" --people "$SIGN_PEOPLE" \
    --requests "$SIGN_REQUESTS" --concurrency 40 >"$dir/signing.md" 2>"$dir/signing.err" || true
  stop_gunicorn

  if $PY manage.py help semester_report >/dev/null 2>&1; then
    echo "   six-monthly report"
    root=$(grep -o 'regional office [A-Z0-9-]*' "$dir/seed.md" | awk '{print $3}')
    /usr/bin/time -f "%e %M" -o "$dir/report.time" $PY manage.py semester_report --period 2024-1 --office "$root" \
      >"$dir/report.out" 2>"$dir/report.err" || echo "failed" >>"$dir/report.time"
  else
    echo "skipped: reports app not installed" | tee "$dir/report.time"
  fi
  echo "   import against COPY"
  $PY manage.py bench_import --rows "$IMPORT_ROWS" --json "$dir/import.json" | tail -1
done

if [ "${BENCH_SQLITE:-1}" = 1 ]; then
  IFS=: read -r units staff cases <<<"${SCALES%% *}"
  dir="$OUT/sqlite-1"
  mkdir -p "$dir"
  echo "$units $staff $cases" >"$dir/scale.txt"
  export DATABASE_URL="sqlite:///$PWD/$dir/bench.sqlite3"
  echo "== SQLite: $units units, $staff staff (query counts and import rate)"
  rm -f "$dir"/bench.sqlite3*
  $PY manage.py migrate -v0
  $PY manage.py seed_scale --units "$units" --personnel "$staff" --cases "$cases" >"$dir/seed.md"
  $PY manage.py bench_pages --queries "$dir/queries.json" >/dev/null
  $PY manage.py bench_import --rows "$IMPORT_ROWS" --json "$dir/import.json" | tail -1
fi

python3 bench/report.py "$OUT" | tee "$OUT/latest.md"
