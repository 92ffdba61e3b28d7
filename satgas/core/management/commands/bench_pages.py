"""``manage.py bench_pages``: SQL queries per page (``--queries``) and the load generator's plan (``--plan``).

Run by ``make bench`` against a database filled by ``seed_scale`` (see satgas.core.scale.bench).
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand

from satgas.core.scale import bench


class Command(BaseCommand):
    help = "Benchmark helpers: queries per page, and the plan (paths, sessions, invitation links) for locust."

    def add_arguments(self, parser):
        parser.add_argument("--queries", metavar="JSON", help="Count the SQL queries of each page; write them here.")
        parser.add_argument("--plan", metavar="JSON", help="Write the load generator's plan here.")
        parser.add_argument("--sessions", type=int, default=20, help="Logged-in admin sessions in the plan.")
        parser.add_argument("--signers", type=int, default=5000, help="Distinct people with an invitation link.")

    def handle(self, *args, queries, plan, sessions, signers, **options):
        if queries:
            counts = bench.query_counts()
            Path(queries).write_text(json.dumps(counts, indent=2))
            self.stdout.write("| page | SQL queries |\n|---|---:|")
            for name, count in counts.items():
                self.stdout.write(f"| {name} | {count} |")
        if plan:
            data = bench.load_plan(sessions=sessions, signers=signers)
            Path(plan).write_text(json.dumps(data))
            self.stdout.write(
                f"Plan: {len(data['pages'])} pages, {len(data['sessions'])} sessions, "
                f"{len(data['sign'])} invitation links -> {plan}"
            )
