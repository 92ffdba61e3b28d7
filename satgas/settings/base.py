"""Settings shared by every profile.

Everything that differs between machines comes from the environment and is
parsed strictly: a malformed value stops the process with a clear error
instead of silently falling back (``environs`` raises on bad booleans,
integers and URLs).
"""

from pathlib import Path

from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _
from environs import Env

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = Env()
env.read_env(BASE_DIR / ".env", recurse=False)

SECRET_KEY = env.str("DJANGO_SECRET_KEY", "")
DEBUG = env.bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", [])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_filters",
    "django_celery_beat",
    "csp",
    "satgas.core",
    "satgas.accounts",
    "satgas.personnel",
    "satgas.elections",
    "satgas.oaths",
    "satgas.socialization",
    "satgas.taskforces",
    "satgas.violations",
    "satgas.monitoring",
    "satgas.reports",
]

MIDDLEWARE = [
    "satgas.core.requestid.RequestIDMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Before WhiteNoise, so that static files get the policy and the caching rule too.
    "csp.middleware.CSPMiddleware",
    "satgas.core.middleware.NoStoreMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "satgas.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "satgas.accounts.middleware.RequireAdminMFAMiddleware",
]

ROOT_URLCONF = "satgas.urls"
WSGI_APPLICATION = "satgas.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "satgas.accounts.context_processors.roles",
            ],
        },
    },
]

# --- Browser-side defences -------------------------------------------------
# Content-Security-Policy on every response (django-csp): scripts, styles, fonts and images only from this
# site; no inline script, style attribute or event handler anywhere (the templates keep code in static/js and
# styles in static/css); images also as data: URLs (Bootstrap's CSS icons, the drawn signature); no plugins,
# no framing, forms post only here. deploy/nginx/satgas.conf sends the same policy with the static files.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
# Responses that may be kept by browsers and proxies; everything else is sent with Cache-Control: no-store
# (satgas.core.middleware.NoStoreMiddleware): pages carry cases, reporters and personal data.
SATGAS_CACHEABLE_PATHS = ["/static/"]

# --- Database --------------------------------------------------------------
# DATABASE_URL selects the database; unset means the embedded SQLite file.
DATABASES = {
    "default": env.dj_db_url(
        "DATABASE_URL",
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env.int("DJANGO_CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # JIT off: this is OLTP, and the few large aggregates only paid JIT compile time (seconds) for it
    # (the compliance page at 200,000 staff went from 1.6 s to 0.5 s; docs/benchmarks.md).
    db_options = DATABASES["default"].setdefault("OPTIONS", {})
    db_options["options"] = f"{db_options.get('options', '')} -c jit=off".strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: broker and cache ------------------------------------------------
REDIS_URL = env.str("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            # Django's Redis cache that falls back to the process's memory while Redis is away, so Redis is never
            # the reason a request fails (satgas/core/cache.py); short timeouts, one try per FALLBACK_SECONDS.
            "BACKEND": "satgas.core.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "satgas",
            "FALLBACK_SECONDS": env.int("SATGAS_CACHE_FALLBACK_SECONDS", 10),
            "OPTIONS": {
                "socket_connect_timeout": env.float("SATGAS_CACHE_TIMEOUT_SECONDS", 0.5),
                "socket_timeout": env.float("SATGAS_CACHE_TIMEOUT_SECONDS", 0.5),
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Region-wide figures kept in the cache until what they count changes (satgas/core/aggregates.py): only with a
# cache every process shares, or one process's changes would not reach the others.
SATGAS_AGGREGATE_CACHE = env.bool("SATGAS_AGGREGATE_CACHE", bool(REDIS_URL))

# Sessions live in the database, never in Redis (a Redis outage must not sign anyone out or block a login).
SESSION_ENGINE = "django.contrib.sessions.backends.db"

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A message a worker took and never acknowledged (the worker was killed) goes back to the queue after the
# visibility timeout; every task's hard time limit stays below it (a system check, core.W002, says so), so a
# running task is never delivered twice, and a killed worker's task runs again within 10 minutes. The outbox
# (satgas/core/outbox.py) re-sends a row whose run did not finish within its lease as well.
SATGAS_BROKER_VISIBILITY_TIMEOUT = env.int("SATGAS_BROKER_VISIBILITY_TIMEOUT", 9 * 60)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": SATGAS_BROKER_VISIBILITY_TIMEOUT,
    "socket_connect_timeout": 3,
    "socket_timeout": 10,
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None  # a worker waits for Redis however long it is away
CELERY_TASK_TIME_LIMIT = 5 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 4 * 60 + 30
# The outbox: a row handed over but not started within this lease is handed over again (a message lost in a
# Redis restart or flush); runs that never finish (killed, timed out) are tried this many times; work due for
# longer than SATGAS_OUTBOX_OVERDUE_SECONDS is "overdue" (/healthz, the admins' Background work page).
SATGAS_OUTBOX_LEASE_SECONDS = env.int("SATGAS_OUTBOX_LEASE_SECONDS", 5 * 60)
SATGAS_OUTBOX_MAX_RUNS = env.int("SATGAS_OUTBOX_MAX_RUNS", 5)
SATGAS_OUTBOX_OVERDUE_SECONDS = env.int("SATGAS_OUTBOX_OVERDUE_SECONDS", 10 * 60)
SATGAS_OUTBOX_KEEP_DAYS = env.int("SATGAS_OUTBOX_KEEP_DAYS", 30)
# A job a person waits for (an import) whose task has not started within this time is resumed by the sweep.
SATGAS_JOB_START_SECONDS = env.int("SATGAS_JOB_START_SECONDS", 10 * 60)
CELERY_TIMEZONE = "Asia/Jakarta"
# django-celery-beat's database scheduler, except that entries declared in code are only created
# when missing: schedules edited in the Django admin survive a restart (satgas/core/beat.py).
CELERY_BEAT_SCHEDULER = "satgas.core.beat:DatabaseScheduler"
# Periodic schedules are declared in code; apps add their entries here. Beat hands every periodic task to the
# outbox (satgas/core/beat.py), except the relay itself, which it sends straight to the broker.
CELERY_BEAT_SCHEDULE: dict = {
    "outbox-relay": {
        "task": "satgas.core.tasks.outbox_relay",
        "schedule": 10.0,
        "options": {"expires": 30},
    },
    # Jobs whose lease ran out (a killed worker's import) are resumed or failed; old outbox rows are purged.
    "jobs-sweep": {
        "task": "satgas.core.tasks.jobs_sweep",
        "schedule": crontab(minute="*/5"),
    },
}

# --- Auth and accounts (django-allauth) -------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "core:dashboard"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
ACCOUNT_ADAPTER = "satgas.accounts.adapters.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_BY_CODE_TIMEOUT = 15 * 60
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[SATGAS] "
# allauth's rate limits stay per IP only: a limit keyed on the account would let anyone lock someone else out.
# Per account, failures count per (client, account) with progressive backoff and a cap of at most a minute
# (satgas.accounts.adapters, satgas.core.ratelimit.Guard). All counters live in the cache (Redis in production,
# shared by every web process).
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip",
    "reset_password": "20/m/ip",
    "reset_password_from_key": "20/m/ip",
    "request_login_code": "20/m/ip",
}
ACCOUNT_FORMS = {
    "request_login_code": "satgas.accounts.forms.RequestLoginCodeForm",
    "reset_password": "satgas.accounts.forms.ResetPasswordForm",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "SATGAS Netralitas"
# Regional admins must enrol TOTP before using the app (off in the demo profile).
SATGAS_REQUIRE_ADMIN_MFA = env.bool("SATGAS_REQUIRE_ADMIN_MFA", True)

# --- Mail -------------------------------------------------------------------
# EMAIL_URL (smtp://user:pass@host:587/?tls=True) or the usual EMAIL_* values.
if env.str("EMAIL_URL", ""):
    globals().update(env.dj_email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = env.str("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
    EMAIL_HOST = env.str("EMAIL_HOST", "localhost")
    EMAIL_PORT = env.int("EMAIL_PORT", 25)
    EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", False)
    EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", False)
EMAIL_FILE_PATH = env.path("EMAIL_FILE_PATH", BASE_DIR / "var" / "mail")
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", 20)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", "SATGAS Netralitas <satgas@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Internationalisation ---------------------------------------------------
LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Indonesian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Jakarta"
USE_TZ = True

# --- Static and private files -----------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", BASE_DIR / "var" / "staticfiles")
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", NODE_MODULES / "bootstrap" / "dist"),
    ("vendor/bootstrap-icons", NODE_MODULES / "bootstrap-icons" / "font"),
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Private files (never under STATIC_ROOT or a public media URL).
PRIVATE_ROOT = env.path("SATGAS_PRIVATE_ROOT", BASE_DIR / "var" / "private")
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- SATGAS -----------------------------------------------------------------
SATGAS_REGION_CODE = env.str("SATGAS_REGION_CODE", "KWJATENG")
# Personnel import: largest accepted file, and the row count above which the
# UI shows a progress page while a Celery task does the work.
SATGAS_IMPORT_MAX_BYTES = env.int("SATGAS_IMPORT_MAX_BYTES", 15 * 1024 * 1024)
# Every uploaded spreadsheet (personnel and attendance imports) is checked against these before it is parsed
# (satgas/core/spreadsheets.py): a small XLSX can unpack to gigabytes. The defaults fit an import of 50,000
# employees with room to spare.
SATGAS_SPREADSHEET_MAX_UNCOMPRESSED_BYTES = env.int("SATGAS_SPREADSHEET_MAX_UNCOMPRESSED_BYTES", 60 * 1024 * 1024)
SATGAS_SPREADSHEET_MAX_MEMBERS = env.int("SATGAS_SPREADSHEET_MAX_MEMBERS", 500)
SATGAS_SPREADSHEET_MAX_SHEETS = env.int("SATGAS_SPREADSHEET_MAX_SHEETS", 50)
SATGAS_SPREADSHEET_MAX_ROWS = env.int("SATGAS_SPREADSHEET_MAX_ROWS", 50_000)
SATGAS_SPREADSHEET_MAX_COLUMNS = env.int("SATGAS_SPREADSHEET_MAX_COLUMNS", 50)
SATGAS_SPREADSHEET_MAX_CELLS = env.int("SATGAS_SPREADSHEET_MAX_CELLS", 600_000)
SATGAS_PAGE_SIZE = env.int("SATGAS_PAGE_SIZE", 25)

# Logs go to stderr (systemd's journal, docker logs): one line per record with the
# request id that nginx's access log and the X-Request-ID response header carry too.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "satgas.core.requestid.RequestIDFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s request_id=%(request_id)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["request_id"]}},
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
SATGAS_SITE_URL = env.str("SATGAS_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
FORM_RENDERER = "satgas.core.forms.SatgasFormRenderer"
# Behind nginx: serve private files with X-Accel-Redirect to this internal location.
SATGAS_X_ACCEL_PREFIX = env.str("SATGAS_X_ACCEL_PREFIX", "")
SATGAS_UPLOAD_MAX_BYTES = env.int("SATGAS_UPLOAD_MAX_BYTES", 10 * 1024 * 1024)
# Self check-in (satgas/socialization/presence.py): the code on the room's screen changes every this many
# seconds and is accepted for two windows; after scanning, the attendee has this long to fill in the form.
SATGAS_CHECKIN_CODE_SECONDS = env.int("SATGAS_CHECKIN_CODE_SECONDS", 30)
SATGAS_CHECKIN_PASS_SECONDS = env.int("SATGAS_CHECKIN_PASS_SECONDS", 10 * 60)
# /healthz turns "degraded" (still 200) when more Celery tasks than this wait in the queue.
SATGAS_HEALTH_MAX_QUEUE_LENGTH = env.int("SATGAS_HEALTH_MAX_QUEUE_LENGTH", 1000)
# /healthz answers {"status": ...} to everyone; its checks and warnings only to loopback or to
# "Authorization: Bearer <SATGAS_HEALTH_TOKEN>" (empty: loopback only).
SATGAS_HEALTH_TOKEN = env.str("SATGAS_HEALTH_TOKEN", "")

# --- Form submissions (satgas/core/submissions.py) -------------------------------
# A create form's token is remembered this many days: a retry within them returns the first result.
SATGAS_FORM_SUBMISSION_KEEP_DAYS = env.int("SATGAS_FORM_SUBMISSION_KEEP_DAYS", 7)
# A secret shown again on a retry (the receipt code of a violation report) is erased after this many seconds.
SATGAS_FORM_SECRET_SECONDS = env.int("SATGAS_FORM_SECRET_SECONDS", 60 * 60)
CELERY_BEAT_SCHEDULE["form-submissions-purge"] = {
    "task": "satgas.core.tasks.form_submissions_purge",
    "schedule": crontab(minute=20),
}

# --- Oath campaigns ---------------------------------------------------------
SATGAS_INVITATION_MAX_AGE_DAYS = env.int("SATGAS_INVITATION_MAX_AGE_DAYS", 30)
# Days a new email address (asked by anyone but a regional admin) may wait for its confirmation link.
SATGAS_EMAIL_CHANGE_MAX_AGE_DAYS = env.int("SATGAS_EMAIL_CHANGE_MAX_AGE_DAYS", 7)
SATGAS_OATH_REMIND_DAYS_BEFORE = env.int("SATGAS_OATH_REMIND_DAYS_BEFORE", 3)
SATGAS_REMINDER_BATCH_INTERVAL_SECONDS = env.int("SATGAS_REMINDER_BATCH_INTERVAL_SECONDS", 30)
# A reminder claimed by a worker that died is looked at again after this many seconds (longer than the batch
# task's 300 s hard time limit): re-sent if it never reached the mail server, never if it may have.
SATGAS_REMINDER_SEND_LEASE_SECONDS = env.int("SATGAS_REMINDER_SEND_LEASE_SECONDS", 6 * 60)
CELERY_BEAT_SCHEDULE.update(
    {
        "oath-reminders-before-closing": {
            "task": "satgas.oaths.tasks.oath_reminders_before_closing",
            "schedule": crontab(hour=8, minute=0),
        },
        "oath-close-expired-campaigns": {
            "task": "satgas.oaths.tasks.oath_campaigns_close_expired",
            "schedule": crontab(minute="*/15"),
        },
    }
)
# Number of reverse proxies you control in front of the app (nginx: 1). The
# client IP is then the right-most untrusted X-Forwarded-For entry; used by
# the login rate limits, check-in limits and the IP stored with signatures.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("SATGAS_TRUSTED_PROXY_COUNT", 0)

# --- Violation cases --------------------------------------------------------
# Case numbers: {year} and {seq} (gap-free per year), e.g. NET/JTG/2024/0001.
SATGAS_VIOLATION_NUMBER_PATTERN = env.str("SATGAS_VIOLATION_NUMBER_PATTERN", "NET/JTG/{year}/{seq:04d}")
# Days allowed per stage (verification: 7 days from receipt, as the public channel promises).
SATGAS_VIOLATION_DUE_DAYS = {
    "verification": env.int("SATGAS_VIOLATION_VERIFY_DAYS", 7),
    "clarification": env.int("SATGAS_VIOLATION_CLARIFY_DAYS", 14),
    "decision": env.int("SATGAS_VIOLATION_DECIDE_DAYS", 7),
    "follow_up": env.int("SATGAS_VIOLATION_FOLLOW_UP_DAYS", 30),
    "closing": env.int("SATGAS_VIOLATION_CLOSE_DAYS", 7),
}
SATGAS_VIOLATION_DUE_SOON_DAYS = env.int("SATGAS_VIOLATION_DUE_SOON_DAYS", 2)
SATGAS_VIOLATION_EVIDENCE_MAX_BYTES = env.int("SATGAS_VIOLATION_EVIDENCE_MAX_BYTES", 10 * 1024 * 1024)
SATGAS_VIOLATION_EVIDENCE_MAX_FILES = env.int("SATGAS_VIOLATION_EVIDENCE_MAX_FILES", 10)
# Wrong receipt codes allowed per client IP in the window before the status page answers 429.
SATGAS_VIOLATION_RECEIPT_FAILURES = env.int("SATGAS_VIOLATION_RECEIPT_FAILURES", 10)
SATGAS_VIOLATION_RECEIPT_WINDOW_SECONDS = env.int("SATGAS_VIOLATION_RECEIPT_WINDOW_SECONDS", 15 * 60)
# Sent public report forms (valid or not) allowed per client IP in the window before /lapor/ answers 429.
SATGAS_VIOLATION_PUBLIC_ATTEMPTS = env.int("SATGAS_VIOLATION_PUBLIC_ATTEMPTS", 30)
SATGAS_VIOLATION_PUBLIC_ATTEMPTS_WINDOW_SECONDS = env.int("SATGAS_VIOLATION_PUBLIC_ATTEMPTS_WINDOW_SECONDS", 60 * 60)
CELERY_BEAT_SCHEDULE["violation-handler-digest"] = {
    "task": "satgas.violations.tasks.violation_digest_send",
    "schedule": crontab(hour=7, minute=0),
}

# --- Monitoring reports -------------------------------------------------------
# Reporting period in months (1 = monthly, 3 = quarterly; periods start in January).
SATGAS_MONITORING_PERIOD_MONTHS = env.int("SATGAS_MONITORING_PERIOD_MONTHS", 1)
# A report is due this many days after its period ends.
SATGAS_MONITORING_DUE_DAYS = env.int("SATGAS_MONITORING_DUE_DAYS", 10)
# Reminders start this many days before the due date; overdue reminders cover this many past periods.
SATGAS_MONITORING_REMIND_BEFORE_DAYS = env.int("SATGAS_MONITORING_REMIND_BEFORE_DAYS", 3)
SATGAS_MONITORING_REMIND_LOOKBACK_PERIODS = env.int("SATGAS_MONITORING_REMIND_LOOKBACK_PERIODS", 2)
SATGAS_MONITORING_ATTACHMENT_MAX_BYTES = env.int("SATGAS_MONITORING_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
CELERY_BEAT_SCHEDULE["monitoring-reminders"] = {
    "task": "satgas.monitoring.tasks.monitoring_reminders_send",
    "schedule": crontab(hour=7, minute=30),
}

# --- Six-monthly reports ------------------------------------------------------------
# Letter numbers: {seq} (gap-free per office and letter year, required), {year} (the letter's
# year), {half} (1 or 2), {period_year}, {office_code}. The office's real prefix is unconfirmed.
SATGAS_REPORT_NUMBER_PATTERN = env.str("SATGAS_REPORT_NUMBER_PATTERN", "W.10-{seq}.KP.05.02 TAHUN {year}")
# Where the report is emailed (comma-separated); admins can change them per report before sending.
SATGAS_REPORT_RECIPIENTS_TO = env.list("SATGAS_REPORT_RECIPIENTS_TO", ["biro.sdm@kemenkumham.go.id"])
SATGAS_REPORT_RECIPIENTS_CC = env.list("SATGAS_REPORT_RECIPIENTS_CC", [])
# The letter: addressee, its place, the office's place for the date line, copies (one per ";").
SATGAS_REPORT_ADDRESSEE = env.str(
    "SATGAS_REPORT_ADDRESSEE", "Sekretaris Jenderal Kementerian Hukum dan Hak Asasi Manusia Republik Indonesia"
)
SATGAS_REPORT_ADDRESSEE_VIA = env.str("SATGAS_REPORT_ADDRESSEE_VIA", "Kepala Biro Sumber Daya Manusia")
SATGAS_REPORT_ADDRESSEE_PLACE = env.str("SATGAS_REPORT_ADDRESSEE_PLACE", "Jakarta")
SATGAS_REPORT_PLACE = env.str("SATGAS_REPORT_PLACE", "Semarang")
# The office's website on the letterhead of every official document (report letter, oath statement, decree).
SATGAS_OFFICE_WEBSITE = env.str("SATGAS_OFFICE_WEBSITE", "jateng.kemenkumham.go.id")
SATGAS_REPORT_TEMBUSAN = env.list(
    "SATGAS_REPORT_TEMBUSAN",
    ["Menteri Hukum dan Hak Asasi Manusia Republik Indonesia (sebagai laporan)", "Inspektur Jenderal"],
    delimiter=";",
)
# Send without a person's approval (the system approves; the audit trail says so).
SATGAS_REPORT_AUTO_SEND = env.bool("SATGAS_REPORT_AUTO_SEND", False)
# Delivery: retries after an SMTP failure before DATA (exponential backoff from 1 minute), and the
# lease of a claim (keep it longer than the delivery task's 180 s time limit: a system check warns):
# an older claim means the worker died, and the report fails as "interrupted" instead of resending.
SATGAS_REPORT_SEND_MAX_RETRIES = env.int("SATGAS_REPORT_SEND_MAX_RETRIES", 5)
SATGAS_REPORT_SEND_LEASE_SECONDS = env.int("SATGAS_REPORT_SEND_LEASE_SECONDS", 15 * 60)
# Approving needs an enrolled TOTP authenticator; unset means: as SATGAS_REQUIRE_ADMIN_MFA of the profile.
SATGAS_REPORT_APPROVAL_REQUIRES_MFA = env.bool("SATGAS_REPORT_APPROVAL_REQUIRES_MFA", None)
CELERY_BEAT_SCHEDULE.update(
    {
        # 01:30 WIB on 1 January and 1 July: the previous semester's report for every office.
        "semester-report-dispatch": {
            "task": "satgas.reports.tasks.semester_reports_dispatch",
            "schedule": crontab(minute=30, hour=1, day_of_month=1, month_of_year="1,7"),
        },
        # Every 5 minutes: interrupted deliveries become FAILED (admins alerted) within 15 minutes of their lease
        # ending; lost delivery tasks are re-queued.
        "semester-report-sweep": {
            "task": "satgas.reports.tasks.semester_reports_sweep",
            "schedule": crontab(minute="*/5"),
        },
    }
)
