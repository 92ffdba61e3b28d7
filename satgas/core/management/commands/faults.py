"""``manage.py faults`` (``make faults``): break the production-shaped stack on purpose and count what is lost.

Starts everything of its own — a Redis on a free port (nothing kept on disk, like the deploy kit's), a fresh
PostgreSQL database (``--database-url``, default ``satgas_faults``, dropped and created), an SMTP server on
loopback that counts messages per recipient, and with ``satgas.settings.production``: gunicorn, one Celery worker
(prefork) and one beat — then runs three faults and prints one line per fault:

1. **Redis stopped during a burst** of oath signings (invitation links, no login), anonymous reports
   (``/lapor/``), an admin's login and *Kirim pengingat* for ``--people`` people: requests sent, errors (5xx or
   no answer), records stored, duplicates, and how many of the reminders asked for during the outage arrived
   once Redis was back.
2. **Redis restarted while the worker holds scheduled reminders** (*Kirim pengingat* for ``--people`` people in
   batches of 100, ``SATGAS_REMINDER_BATCH_INTERVAL_SECONDS`` apart): people reminded, never reminded, duplicate
   messages, whether the worker survived.
3. **The whole worker killed** (SIGKILL to parent and pool children) during reminders, then started again: the
   same counts, and how long until everyone was reminded (the batch that was running comes back after its lease:
   its time limit plus a minute, at most 6 minutes for reminders).

It never touches the shared Redis on 6379 or another database. Logs are under ``var/faults/``.
"""

import html
import http.cookiejar
import json
import os
import re
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

SEED = r"""
import json, datetime as dt
from django.contrib.auth.hashers import make_password
from django.utils import timezone
from satgas.accounts.models import Role, RoleAssignment, User
from satgas.oaths.reminders import invitation_url
from satgas.oaths.tests.factories import open_campaign, sign_data
from satgas.personnel.models import Person, Placement, Unit
from satgas.personnel.tests.factories import PersonFactory, UnitFactory

region = UnitFactory(code="KWJATENG", name="Kanwil Jawa Tengah", unit_type="KANWIL", unit_class="")
unit = UnitFactory(code="LAPAS-F", name="Lapas Uji Gangguan", parent=region)
admin = User.objects.create(email="admin@faults.test", full_name="Admin", password=make_password(PASSWORD))
RoleAssignment.objects.create(user=admin, role=Role.REGIONAL_ADMIN)
out = {"unit": unit.pk, "admin": admin.email, "signers": [], "campaigns": {}}
signing = open_campaign(units=[unit], actor=admin, title="Burst")
for i in range(SIGNERS):
    person = PersonFactory(unit=unit, email="")
    out["signers"].append({"url": invitation_url(signing, person).split("://", 1)[1].split("/", 1)[1],
                           "data": sign_data(person)})
for name in ("outage", "restart", "kill"):
    other = UnitFactory(code=f"LAPAS-{name.upper()}", name=f"Lapas {name}", parent=region)
    people = PersonFactory.build_batch(PEOPLE, unit=other)
    for n, person in enumerate(people):
        person.email = f"{name}{n:05d}@faults.test"
    Person.objects.bulk_create(people)
    Placement.objects.bulk_create([Placement(person=p, unit=other, started_on=dt.date(2024, 1, 1)) for p in people])
    out["campaigns"][name] = open_campaign(units=[other], actor=admin, title=f"Reminders {name}").pk
print("SEEDED " + json.dumps(out))
"""


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """A cookie-keeping HTTP client that does not follow redirects and sends Django's CSRF token."""

    def __init__(self, base: str):
        self.base = base
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirect)

    def _csrf(self) -> str:
        return next((c.value for c in self.cookies if c.name == "csrftoken"), "")

    def request(self, path: str, data: dict | None = None) -> tuple[int, str]:
        body = None
        headers = {"User-Agent": "satgas-faults"}
        if data is not None:
            body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": self._csrf()}, doseq=True).encode()
            headers["Referer"] = self.base + path
        try:
            with self.opener.open(urllib.request.Request(self.base + path, body, headers), timeout=30) as response:
                return response.status, response.read().decode(errors="replace")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode(errors="replace")
        except (urllib.error.URLError, OSError) as exc:
            return 0, str(exc)


def _ok(status: int) -> bool:
    return 200 <= status < 400


class Command(BaseCommand):
    help = "Fault tests on a production-shaped stack of its own: Redis stopped, Redis restarted, worker killed."

    def add_arguments(self, parser):
        parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/satgas_faults")
        parser.add_argument("--signers", type=int, default=60)
        parser.add_argument("--reports", type=int, default=30)
        parser.add_argument("--people", type=int, default=500, help="People to remind in faults 2 and 3.")
        parser.add_argument("--interval", type=int, default=5, help="Seconds between reminder batches.")
        parser.add_argument("--wait", type=int, default=540, help="Longest wait for reminders after a fault.")

    def handle(self, *args, database_url, signers, reports, people, interval, wait, **options):
        from satgas.core.tests.smtp import smtp_server
        from satgas.core.tests.stack import RedisServer, free_port

        if not RedisServer.available():
            raise CommandError("redis-server is not installed")
        if not database_url.rsplit("/", 1)[-1].startswith("satgas_faults"):
            raise CommandError("--database-url must name a database starting with satgas_faults (it is dropped)")
        self.work = Path(settings.BASE_DIR) / "var" / "faults"
        self.work.mkdir(parents=True, exist_ok=True)
        self.processes: list[subprocess.Popen] = []
        self.password = "Gangguan-" + secrets.token_hex(6)
        redis = RedisServer(log=self.work / "redis.log").start()
        try:
            with smtp_server() as (inbox, smtp_port):
                port = free_port()
                self.base = f"http://127.0.0.1:{port}"
                self.env = self._environment(database_url, redis.url, smtp_port, interval, port)
                self._prepare_database(database_url)
                seeded = self._seed(signers, people)
                self._start_web(port)
                worker = self._start_worker()
                self._start_beat()
                lines = [
                    self._redis_stopped_burst(redis, seeded, signers, reports, database_url, people, inbox, wait),
                    self._reminders_fault(
                        "Redis restarted while the worker holds scheduled reminders",
                        seeded["campaigns"]["restart"],
                        "restart",
                        people,
                        inbox,
                        lambda: redis.restart(),
                        worker,
                        wait,
                        seeded,
                    ),
                ]
                lines.append(
                    self._reminders_fault(
                        "whole worker killed (SIGKILL) during reminders, then started again",
                        seeded["campaigns"]["kill"],
                        "kill",
                        people,
                        inbox,
                        lambda: self._kill_and_restart(worker),
                        worker,
                        wait,
                        seeded,
                    )
                )
        finally:
            for process in reversed(self.processes):
                self._stop(process)
            if hasattr(self, "worker"):
                self.worker.stop()
            redis.stop()
            self._stop_leftovers()
        self.stdout.write("")
        for line in lines:
            self.stdout.write(line)

    # --- The stack ------------------------------------------------------------------------------------------------

    def _environment(self, database_url, redis_url, smtp_port, interval, port) -> dict:
        keep = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SATGAS_", "DATABASE_", "EMAIL"))}
        return {
            **keep,
            "DJANGO_SETTINGS_MODULE": "satgas.settings.production",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(60),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "SATGAS_SITE_URL": f"http://127.0.0.1:{port}",
            "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            "DJANGO_SECURE_COOKIES": "0",
            "DJANGO_SECURE_HSTS_SECONDS": "0",
            "SATGAS_REQUIRE_ADMIN_MFA": "0",
            "SATGAS_REMINDER_BATCH_INTERVAL_SECONDS": str(interval),
            # Every simulated reporter comes from 127.0.0.1: the per-client limit of /lapor/ would refuse them as
            # one client (this run measures Redis and worker faults, not the rate limit).
            "SATGAS_VIOLATION_PUBLIC_ATTEMPTS": "100000",
            "DJANGO_STATIC_ROOT": str(self.work / "static"),
            "SATGAS_PRIVATE_ROOT": str(self.work / "private"),
            "PYTHONUNBUFFERED": "1",
        }

    def _manage(self, *args, log: str) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=settings.BASE_DIR,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=900,
        )
        (self.work / log).write_text(result.stdout + result.stderr)
        if result.returncode:
            raise CommandError(f"manage.py {args[0]} failed; see var/faults/{log}")
        return result.stdout

    def _prepare_database(self, database_url):
        import psycopg2

        name = database_url.rsplit("/", 1)[-1]
        admin = psycopg2.connect(database_url.rsplit("/", 1)[0] + "/postgres")
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            cursor.execute(f'CREATE DATABASE "{name}"')
        admin.close()
        self.stdout.write("migrate, collectstatic ...")
        self._manage("migrate", "--noinput", log="migrate.log")
        self._manage("collectstatic", "--noinput", log="collectstatic.log")

    def _seed(self, signers, people) -> dict:
        code = f"PASSWORD={self.password!r}\nSIGNERS={signers}\nPEOPLE={people}\n" + SEED
        out = self._manage("shell", "-c", code, log="seed.log")
        return json.loads(out.split("SEEDED ", 1)[1])

    def _spawn(self, command: list[str], log: str) -> subprocess.Popen:
        with (self.work / log).open("w") as out:
            process = subprocess.Popen(
                command,
                cwd=settings.BASE_DIR,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.processes.append(process)
        return process

    def _start_web(self, port):
        from satgas.core.tests.stack import wait_for

        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        self._spawn([gunicorn, "-c", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}", "satgas.wsgi"], "web.log")
        if not wait_for(lambda: Browser(self.base).request("/healthz")[0] == 200, 60, 0.5):
            raise CommandError("gunicorn did not answer; see var/faults/web.log")

    def _start_worker(self):
        from satgas.core.tests.stack import Worker

        self.worker = Worker(self.env, self.work / "worker.log", concurrency=2, cwd=settings.BASE_DIR).start()
        return self.worker

    def _start_beat(self):
        celery = str(Path(sys.executable).with_name("celery"))
        self._spawn([celery, "-A", "satgas", "beat", "-l", "info"], "beat.log")

    def _kill_and_restart(self, worker):
        worker.kill_all()
        time.sleep(2)
        worker.start()

    def _stop_leftovers(self):
        """Nothing of this run may keep running: pool children of a killed worker included."""
        for process in self.processes:
            self._stop(process)

    @staticmethod
    def _stop(process):
        import signal

        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(5)

    def _count(self, database_url, sql, params=()) -> int:
        import psycopg2

        with psycopg2.connect(database_url) as connection, connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone()[0]

    # --- The faults -----------------------------------------------------------------------------------------------

    def _redis_stopped_burst(self, redis, seeded, signers, reports, database_url, people, inbox, wait) -> str:
        from satgas.core.tests.stack import wait_for

        self.stdout.write("fault 1: Redis stopped during a burst of signings, reports, logins and reminders ...")
        redis.stop()
        requests = errors = 0
        # The admin logs in and clicks Kirim pengingat while Redis is down.
        admin = Browser(self.base)
        admin.request("/accounts/login/")
        login, _ = admin.request("/accounts/login/", {"login": seeded["admin"], "password": self.password})
        remind, _ = admin.request(f"/ikrar/kampanye/{seeded['campaigns']['outage']}/pengingat/", {})
        requests += 3
        errors += (not _ok(login)) + (not _ok(remind))
        for signer in seeded["signers"]:
            browser = Browser(self.base)
            status, page = browser.request("/" + signer["url"])
            requests += 1
            errors += not _ok(status)
            status, _ = browser.request("/" + signer["url"], {**signer["data"], **_hidden_fields(page)})
            requests += 1
            errors += not _ok(status)
        for n in range(reports):
            browser = Browser(self.base)
            status, page = browser.request("/lapor/")
            requests += 1
            errors += not _ok(status)
            status, _ = browser.request(
                "/lapor/",
                {
                    "reported_description": f"Pegawai {n}",
                    "unit": seeded["unit"],
                    "incident_date": "2024-01-10",
                    "channel": "SOCIAL_MEDIA",
                    "platform": "INSTAGRAM",
                    "channel_url": f"https://instagram.com/p/{n}",
                    "description": f"Laporan uji gangguan {n}.",
                    **_hidden_fields(page),
                },
            )
            requests += 1
            errors += not _ok(status)
        health = Browser(self.base).request("/healthz")
        redis.start()
        restarted = time.monotonic()

        def reminded() -> set[str]:
            return {
                address
                for m in inbox.messages
                for address in m["X-Envelope-To"].split(", ")
                if address.startswith("outage")
            }

        wait_for(lambda: len(reminded()) >= people, wait, 1)
        after = time.monotonic() - restarted
        signatures = self._count(database_url, "SELECT count(*) FROM oaths_signature")
        duplicates = self._count(
            database_url,
            "SELECT count(*) - count(DISTINCT (campaign_id, person_id)) FROM oaths_signature",
        )
        cases = self._count(database_url, "SELECT count(*) FROM violations_case")
        sent = [a for m in inbox.messages for a in m["X-Envelope-To"].split(", ") if a.startswith("outage")]
        return (
            f"Redis stopped during a burst: {requests} requests (signings, reports, a login, Kirim pengingat), "
            f"{errors} errors, {signatures}/{signers} signatures and {cases}/{reports} reports stored, "
            f"{duplicates} duplicate signatures; /healthz {health[0]} "
            f"{json.loads(health[1]).get('status') if health[0] else health[1]}; the reminders asked for during "
            f"the outage: {len(set(sent))}/{people} people reminded {after:.0f} s after Redis was back, "
            f"{len(sent) - len(set(sent))} duplicates"
        )

    def _reminders_fault(self, title, campaign_id, prefix, people, inbox, fault, worker, wait, seeded) -> str:
        from satgas.core.tests.stack import wait_for

        self.stdout.write(f"fault: {title} ...")
        browser = Browser(self.base)
        browser.request("/accounts/login/")
        status, _ = browser.request("/accounts/login/", {"login": seeded["admin"], "password": self.password})
        if status != 302:
            raise CommandError(f"admin login failed ({status})")
        started = time.monotonic()
        status, _ = browser.request(f"/ikrar/kampanye/{campaign_id}/pengingat/", {})

        def recipients() -> list[str]:
            return [
                address
                for m in inbox.messages
                for address in m["X-Envelope-To"].split(", ")
                if address.startswith(prefix)
            ]

        wait_for(lambda: len(recipients()) >= 1, 120, 0.2)
        fault()
        fault_at = time.monotonic()
        wait_for(lambda: len(set(recipients())) >= people, wait, 1)
        elapsed = time.monotonic() - fault_at
        sent = recipients()
        reached = len(set(sent))
        per_person = max((sent.count(a) for a in set(sent)), default=0)
        return (
            f"{title}: Kirim pengingat answered {status}; {len(sent)} messages to {reached}/{people} people, "
            f"{people - reached} never reminded, {len(sent) - reached} duplicates (at most {per_person} per person); "
            f"all reminded {elapsed:.0f} s after the fault; worker alive: {worker.alive()}; "
            f"total {time.monotonic() - started:.0f} s"
        )


def _hidden_fields(page: str) -> dict:
    """Hidden inputs of a form page other than the CSRF token (e.g. an idempotency token)."""
    fields = {}
    for tag in re.findall(r"<input[^>]+type=\"hidden\"[^>]*>", page):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name and name.group(1) != "csrfmiddlewaretoken":
            fields[name.group(1)] = html.unescape(value.group(1)) if value else ""
    return fields
