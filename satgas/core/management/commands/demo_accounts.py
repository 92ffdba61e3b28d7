from django.core.management.base import BaseCommand

from satgas.accounts.demo import DEMO_ACCOUNTS, DEMO_PASSWORD


class Command(BaseCommand):
    help = "Print the demo accounts."

    def handle(self, *args, **options):
        self.stdout.write(f"Demo accounts (password for all: {DEMO_PASSWORD})")
        for email, _role, _unit, _person_unit, label in DEMO_ACCOUNTS:
            self.stdout.write(f"  {email:<24} {label}")
