"""Fast table writes for ``seed_scale``: PostgreSQL ``COPY``, or batched inserts elsewhere.

Rows are plain tuples of Python values in the order of the given model fields,
with their primary keys already assigned (``Writer.ids``), so related tables
can be built without reading anything back. After the writes, ``finish``
moves every touched sequence past the highest id (PostgreSQL), so the
application's own inserts continue normally.
"""

import datetime as dt
import io
import json
import time
from collections.abc import Iterable, Sequence

from django.core.management.color import no_style
from django.db import connection

COPY_CHUNK_ROWS = 100_000
INSERT_BATCH_ROWS = 5_000  # SQLite: one executemany per batch, all inside the caller's transaction


_TEXT_ESCAPES = str.maketrans({"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"})


def _pg_text(value) -> str:
    """A value as PostgreSQL's text-format ``COPY`` reads it (NULL is ``\\N``; a string is never taken for it)."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        return value.translate(_TEXT_ESCAPES)
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False).translate(_TEXT_ESCAPES)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


def copy_rows(
    table: str, columns: Sequence[str], rows: Iterable[Sequence], *, chunk_rows: int = COPY_CHUNK_ROWS
) -> int:
    """``COPY`` ``rows`` (plain Python values in the order of ``columns``) into ``table`` on the default
    PostgreSQL connection, inside the caller's transaction, from in-memory buffers of ``chunk_rows`` rows.

    Values: ``None``, ``bool``, ``str``, numbers, dates and datetimes (ISO), ``dict``/``list`` (JSON). Nothing
    is converted through the model fields, which is what makes it fast: pass values as the columns store them.
    Returns the number of rows written.
    """
    sql = 'COPY "{}" ({}) FROM STDIN'.format(table, ", ".join(f'"{c}"' for c in columns))
    count = 0
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg2 cursor under Django's wrapper
        lines: list[str] = []
        for row in rows:
            # Strings (most values) inline: a function call per value costs more than the escaping.
            lines.append("\t".join([v.translate(_TEXT_ESCAPES) if type(v) is str else _pg_text(v) for v in row]))
            if len(lines) == chunk_rows:
                raw.copy_expert(sql, io.StringIO("\n".join(lines) + "\n"))
                count += len(lines)
                lines = []
        if lines:
            raw.copy_expert(sql, io.StringIO("\n".join(lines) + "\n"))
            count += len(lines)
    return count


class Writer:
    """Writes rows of one model at a time and keeps per-table timings and counts."""

    def __init__(self):
        self.postgres = connection.vendor == "postgresql"
        self._next_id: dict[type, int] = {}
        self.written: dict[str, int] = {}
        self.seconds: dict[str, float] = {}
        self._models: list = []

    # --- ids ------------------------------------------------------------------

    def ids(self, model, count: int) -> range:
        """Reserve ``count`` primary keys of ``model`` (above every existing one)."""
        if model not in self._next_id:
            table = model._meta.db_table
            pk = model._meta.pk.column
            with connection.cursor() as cursor:
                cursor.execute(f'SELECT COALESCE(MAX("{pk}"), 0) FROM "{table}"')  # noqa: S608 - model metadata
                self._next_id[model] = cursor.fetchone()[0] + 1
        start = self._next_id[model]
        self._next_id[model] = start + count
        return range(start, start + count)

    # --- writes ---------------------------------------------------------------

    def write(self, model, fields: Sequence[str], rows: Iterable[tuple], *, label: str | None = None) -> int:
        """Insert ``rows`` (tuples in the order of ``fields``, the pk included) into ``model``'s table."""
        started = time.perf_counter()
        meta = model._meta
        columns = [meta.get_field(name).column for name in fields]
        if self.postgres:
            count = self._copy(meta.db_table, columns, rows)
        else:
            count = self._insert(meta.db_table, [meta.get_field(name) for name in fields], columns, rows)
        if model not in self._models:
            self._models.append(model)
        key = label or meta.db_table
        self.written[key] = self.written.get(key, 0) + count
        self.seconds[key] = self.seconds.get(key, 0.0) + time.perf_counter() - started
        return count

    def _copy(self, table: str, columns: list[str], rows: Iterable[tuple]) -> int:
        return copy_rows(table, columns, rows)

    def _insert(self, table: str, fields, columns: list[str], rows: Iterable[tuple]) -> int:
        placeholders = ", ".join(["%s"] * len(columns))
        sql = 'INSERT INTO "{}" ({}) VALUES ({})'.format(table, ", ".join(f'"{c}"' for c in columns), placeholders)
        prep = [lambda v, f=f: f.get_db_prep_save(v, connection) for f in fields]
        count, batch = 0, []
        with connection.cursor() as cursor:
            for row in rows:
                batch.append([p(v) for p, v in zip(prep, row, strict=True)])
                if len(batch) == INSERT_BATCH_ROWS:
                    cursor.executemany(sql, batch)
                    count += len(batch)
                    batch = []
            if batch:
                cursor.executemany(sql, batch)
                count += len(batch)
        return count

    def execute_many(self, sql: str, params: list[tuple]) -> None:
        with connection.cursor() as cursor:
            cursor.executemany(sql, params)

    # --- end ------------------------------------------------------------------

    def finish(self) -> None:
        """Move the id sequences of every written table past the ids used (PostgreSQL)."""
        statements = connection.ops.sequence_reset_sql(no_style(), self._models)
        if statements:
            with connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)
