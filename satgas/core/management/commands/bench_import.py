"""``manage.py bench_import --rows N``: personnel import rate against a raw PostgreSQL COPY of the same rows."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand

from satgas.core.scale import bench


class Command(BaseCommand):
    help = "Time import_personnel (validation included) of new employees and a raw COPY of the same rows."

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=20_000)
        parser.add_argument("--json", dest="json_path", metavar="FILE", help="Write the measurements here.")

    def handle(self, *args, rows, json_path, **options):
        result = bench.import_vs_copy(rows=rows)
        if json_path:
            Path(json_path).write_text(json.dumps(result, indent=2))
        line = (
            f"import: {result['rows']:,} rows in {result['import_seconds']:.2f} s "
            f"({result['import_rows_per_second']:,.0f} rows/s, {result['database']})"
        )
        if "ratio" in result:
            line += (
                f"; COPY: {result['copy_seconds']:.3f} s ({result['copy_rows_per_second']:,.0f} rows/s); "
                f"ratio {100 * result['ratio']:.1f} %"
            )
        self.stdout.write(line)
