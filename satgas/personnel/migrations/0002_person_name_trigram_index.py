"""Trigram index for the name search (PostgreSQL only; nothing happens on SQLite).

``full_name__icontains`` compiles on PostgreSQL to ``UPPER("full_name"::text) LIKE UPPER('%word%')``; a GIN
``gin_trgm_ops`` index on exactly that expression lets the planner answer it (and the paginator's count) with a
bitmap index scan instead of reading the whole registry. The index is not declared in ``Person.Meta`` because
SQLite has no such index type; NIP/NIK searches use ``startswith``, which the ``varchar_pattern_ops`` indexes of
the unique columns already serve.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEX = "personnel_person_name_trgm"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f'CREATE INDEX IF NOT EXISTS {INDEX} ON personnel_person USING gin ((UPPER("full_name"::text)) gin_trgm_ops)'
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("personnel", "0001_initial")]

    operations = [
        TrigramExtension(),  # CREATE EXTENSION IF NOT EXISTS pg_trgm; a no-op on other databases
        migrations.RunPython(create_index, drop_index, elidable=False),
    ]
