"""Benchmark of the oath-signing request (run by ``make bench``).

Creates a campaign with N people, then fires REQUESTS concurrent signing
requests at a running server (several per person: double clicks, two tabs,
replays) and reports latency, server errors, signatures stored and
duplicates; also the SQL queries of one signing request.
"""

import datetime as dt
import http.cookiejar
import re
import statistics
import threading
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

from django.core.management.base import BaseCommand
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from satgas.accounts.models import User
from satgas.oaths import services
from satgas.oaths.models import Campaign, CampaignStatus, Signature
from satgas.oaths.tokens import invitation_token
from satgas.personnel.models import Person, Unit

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Command(BaseCommand):
    help = "Concurrent signing benchmark against a running server."

    def add_arguments(self, parser):
        parser.add_argument("--base-url", default="http://127.0.0.1:8765")
        parser.add_argument("--people", type=int, default=250)
        parser.add_argument("--requests", type=int, default=1000)
        parser.add_argument("--concurrency", type=int, default=40)

    def handle(self, *args, **options):
        campaign, people = self._setup(options["people"])
        queries = self._queries_per_request(campaign, people[0])
        jobs = [people[i % len(people)] for i in range(options["requests"])]
        tokens = {p.pk: invitation_token(campaign_id=campaign.pk, person_id=p.pk) for p in people}
        lock, results = threading.Lock(), []

        def one(person):
            jar = http.cookiejar.CookieJar()
            opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
            url = f"{options['base_url']}/ikrar/undangan/{tokens[person.pk]}/"
            started = time.perf_counter()
            try:
                page = opener.open(url, timeout=60).read().decode()
                match = CSRF.search(page)
                if not match:  # already signed: the page redirected to the statement
                    status = 200
                else:
                    data = {
                        "csrfmiddlewaretoken": match.group(1),
                        "identity_number": person.identity_number,
                        "birth_date": person.birth_date.isoformat(),
                        "typed_name": person.full_name,
                        **{f"confirm_{n}": "on" for n in range(1, 8)},
                    }
                    request = urllib.request.Request(
                        url, data=urllib.parse.urlencode(data).encode(), headers={"Referer": url}
                    )
                    status = opener.open(request, timeout=60).status
            except urllib.error.HTTPError as exc:
                status = exc.code
            except Exception:  # noqa: BLE001 - connection errors count as failures
                status = 599
            elapsed = time.perf_counter() - started
            with lock:
                results.append((status, elapsed))

        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=options["concurrency"]) as pool:
            list(pool.map(one, jobs))
        wall = time.perf_counter() - started
        latencies = sorted(e for _, e in results)
        stored = Signature.objects.filter(campaign=campaign).count()
        duplicates = (
            Signature.objects.filter(campaign=campaign).values("person").annotate(n=Count("id")).filter(n__gt=1).count()
        )
        server_errors = sum(1 for s, _ in results if s >= 500)
        self.stdout.write(
            "| metric | value |\n|---|---|\n"
            f"| people / requests / concurrency | {len(people)} / {len(jobs)} / {options['concurrency']} |\n"
            f"| signatures stored | {stored} |\n"
            f"| duplicate signatures | {duplicates} |\n"
            f"| server errors (5xx or connection) | {server_errors} |\n"
            f"| throughput (GET+POST pairs/s) | {len(jobs) / wall:.1f} |\n"
            f"| latency p50 / p95 (GET+POST) | {statistics.median(latencies) * 1000:.0f} ms / "
            f"{latencies[int(0.95 * (len(latencies) - 1))] * 1000:.0f} ms |\n"
            f"| SQL queries: signing page GET / signing POST | {queries[0]} / {queries[1]} |"
        )
        if duplicates or server_errors or stored != len(people):
            raise SystemExit(1)

    def _setup(self, count):
        admin = User.objects.filter(email="admin@satgas.test").first()
        unit = Unit.objects.get(code="LAPAS-SMG")
        campaign = Campaign.objects.filter(title="Benchmark").first()
        if campaign:
            Signature.objects.filter(campaign=campaign).delete()
        else:
            from satgas.oaths.models import OathVersion

            version = OathVersion.objects.filter(status="PUBLISHED", commitments__order=7).first()
            now = timezone.now()
            campaign = services.campaign_create(
                actor=admin,
                title="Benchmark",
                version=version,
                election=Campaign.objects.first().election,
                units=[unit],
                employment_types=["PNS", "PPPK", "PPNPN"],
                opens_at=now - dt.timedelta(hours=1),
                closes_at=now + dt.timedelta(days=7),
            )
        if campaign.status != CampaignStatus.OPEN:
            campaign = services.campaign_transition(actor=admin, campaign=campaign, to=CampaignStatus.OPEN)
        people = list(Person.objects.filter(unit=unit, status="ACTIVE").order_by("id")[:count])
        return campaign, people

    def _queries_per_request(self, campaign, person):
        url = f"/ikrar/undangan/{invitation_token(campaign_id=campaign.pk, person_id=person.pk)}/"
        client = Client(HTTP_HOST="127.0.0.1")
        with CaptureQueriesContext(connection) as get_queries:
            client.get(url)
        data = {
            "identity_number": person.identity_number,
            "birth_date": person.birth_date.isoformat(),
            "typed_name": person.full_name,
            **{f"confirm_{n}": "on" for n in range(1, 8)},
        }
        with CaptureQueriesContext(connection) as post_queries:
            client.post(url, data)
        Signature.objects.filter(campaign=campaign, person=person).delete()
        return len(get_queries), len(post_queries)
