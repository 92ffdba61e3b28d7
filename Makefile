# SATGAS: two commands do all set-up on a fresh machine.
#   make run   - venv, dependencies, migrations, demo data, dev server on :8000
#   make test  - venv, dependencies, the whole test suite
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: bench faults run test setup system-deps test-system-deps apt-install venv static messages migrate demo lint clean worker beat \
        prod-local backup restore

run: setup migrate demo
	@$(PY) manage.py demo_accounts
	@echo "SATGAS is at http://$(HOST):$(PORT)/  (Ctrl+C to stop)"
	$(PY) manage.py runserver $(HOST):$(PORT)

test: setup test-system-deps
	$(VENV)/bin/pytest $(PYTEST_ARGS)

setup: system-deps venv static messages

# System libraries: Pango for WeasyPrint, gettext for translations.
# Installed with apt-get when missing and we are root; otherwise we say how.
SYSTEM_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b gettext fonts-dejavu-core
# The browser tests drive Debian's Chromium (Playwright cannot download its own here);
# the deploy tests check deploy/nginx/satgas.conf with nginx and back up with pg_dump.
TEST_SYSTEM_PACKAGES := chromium fonts-liberation nginx-light postgresql-client
system-deps:
	@$(MAKE) --no-print-directory apt-install PACKAGES="$(SYSTEM_PACKAGES)"

test-system-deps:
	@$(MAKE) --no-print-directory apt-install PACKAGES="$(TEST_SYSTEM_PACKAGES)"

apt-install:
	@missing=""; for p in $(PACKAGES); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing system packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "Missing system packages:$$missing"; \
	    echo "Install them with: sudo apt-get install$$missing"; exit 1; \
	  fi; \
	fi

$(VENV)/bin/activate:
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is required ($(PYTHON) not found)."; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(VENV)/.stamp-deps: requirements.txt requirements-dev.txt | $(VENV)/bin/activate
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -r requirements-dev.txt
	@touch $@

venv: $(VENV)/.stamp-deps

# Front-end packages (Bootstrap, Bootstrap Icons, htmx) come from the npm
# registry and are served by Django itself: no CDN.
node_modules/.stamp: package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm is required (apt-get install npm)."; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

static: node_modules/.stamp

messages: venv
	@$(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules -v 0

migrate: venv
	$(PY) manage.py migrate --noinput -v 0

demo: venv
	$(PY) manage.py seed_demo

worker: setup
	$(VENV)/bin/celery -A satgas worker -l info

beat: setup
	$(VENV)/bin/celery -A satgas beat -l info

# Production-like run on this machine (PostgreSQL + Redis must be up): production settings,
# gunicorn + Celery worker + one beat from the Procfile. See README "Production".
prod-local: setup
	PROD_PORT=$(PORT) bash deploy/run-local.sh

# Backups of the database and private files (README "Backups"): the production environment
# must be loaded (DATABASE_URL, SATGAS_PRIVATE_ROOT). make restore BACKUP=var/backups/satgas-...
backup:
	bash deploy/backup.sh $(BACKUP_ROOT)

restore:
	@test -n "$(BACKUP)" || { echo "usage: make restore BACKUP=path/to/satgas-YYYYmmdd-HHMMSS"; exit 2; }
	bash deploy/restore.sh $(BACKUP) --yes

lint: venv
	$(VENV)/bin/ruff check .

clean:
	rm -rf $(VENV) node_modules var db.sqlite3

# Benchmarks (PostgreSQL must be running; see docs/benchmarks.md): two data scales, pages under load as
# ratios to /ping/, queries per page, import vs COPY, the six-monthly report, 1,000 concurrent signings.
# Prints the tables and writes var/bench/latest.md. BENCH_QUICK=1 for a short smoke run; BENCH_SCALES=...
BENCH_SYSTEM_PACKAGES := time postgresql-client
# Fault tests on a stack of its own (Redis on a free port, database satgas_faults): docs/reliability.md.
faults: setup
	.venv/bin/python manage.py faults

bench: setup
	@$(MAKE) --no-print-directory apt-install PACKAGES="$(BENCH_SYSTEM_PACKAGES)"
	bash bench/run.sh
