from django.core.management.base import BaseCommand

from satgas.accounts.demo import seed_accounts
from satgas.core import aggregates
from satgas.elections.demo import seed_elections
from satgas.monitoring.demo import seed_monitoring
from satgas.oaths.demo import seed_oaths
from satgas.personnel.demo import seed_heads, seed_personnel, seed_units
from satgas.reports.demo import seed_reports
from satgas.socialization.demo import seed_socialization
from satgas.taskforces.demo import seed_taskforces
from satgas.violations.demo import seed_violations


class Command(BaseCommand):
    help = "Create the demo data of every app: office, units, staff, accounts, oaths, task forces, cases (idempotent)."

    def handle(self, *args, **options):
        units = seed_units()
        created = seed_personnel(units)
        seed_heads(units)
        seed_accounts(units)
        seed_elections()
        seed_oaths()
        seed_taskforces()
        seed_socialization()
        seed_violations()
        seed_monitoring()
        seed_reports()
        aggregates.changed(*aggregates.ALL)  # bulk inserts send no model signals
        self.stdout.write(f"Demo data ready: {len(units)} units, {created} new employees.")
