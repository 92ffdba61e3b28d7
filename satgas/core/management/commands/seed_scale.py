"""``manage.py seed_scale --units N --personnel N [--cases N]``: synthetic data at scale (see satgas.core.scale)."""

from django.core.management.base import BaseCommand, CommandError

from satgas.core.scale import ScaleError, seed_scale


class Command(BaseCommand):
    help = "Fill an empty database quickly with realistic synthetic data of every app (benchmarks)."

    def add_arguments(self, parser):
        parser.add_argument("--units", type=int, required=True, help="Technical units under the regional office.")
        parser.add_argument("--personnel", type=int, required=True, help="Employees, spread over the units.")
        parser.add_argument("--cases", type=int, default=None, help="Violation cases (default: personnel / 10).")
        parser.add_argument("--seed", type=int, default=2024, help="Random seed (same seed, same data).")
        parser.add_argument(
            "--force", action="store_true", help="Add to a database that already has units or employees."
        )

    def handle(self, *args, units, personnel, cases, seed, force, **options):
        cases = personnel // 10 if cases is None else cases
        try:
            summary = seed_scale(units=units, personnel=personnel, cases_count=cases, seed=seed, force=force)
        except ScaleError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write("| table | rows | seconds |\n|---|---:|---:|")
        for table, (rows, seconds) in summary.tables.items():
            self.stdout.write(f"| {table} | {rows:,} | {seconds:.2f} |")
        self.stdout.write("")
        self.stdout.write("| step | seconds |\n|---|---:|")
        for step, seconds in summary.steps.items():
            self.stdout.write(f"| {step} | {seconds:.2f} |")
        self.stdout.write(
            f"\nSeeded {units} units, {personnel:,} employees, {cases:,} cases in {summary.seconds:.1f} s "
            f"(regional office {summary.root_code}, first unit {summary.first_unit_code})."
        )
