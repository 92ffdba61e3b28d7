"""Synthetic data at scale for benchmarks (``manage.py seed_scale``).

Deterministic (one seeded ``random.Random``): the same arguments give the
same units, people, identity numbers and codes every time. Everything is
written in one transaction, with PostgreSQL ``COPY`` for the tables
(``writer.Writer``) or batched inserts on other databases, and bypasses the
services on purpose: it creates in seconds what the services would create
row by row, with the same constraints satisfied (valid NIP/NIK, one
signature per person and campaign, gap-free case numbers and decree
counters, workflow states that the rules allow).

Split by domain: ``registry`` (units, people, placements, accounts),
``activity`` (elections, oaths, socialization, task forces), ``cases``
(violations, monitoring), ``writer`` (COPY / inserts, ids, sequences).
"""

import random
import time
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone

from satgas.core import aggregates
from satgas.personnel.models import Person, Unit

from . import activity, cases, registry
from .writer import Writer


class ScaleError(Exception):
    pass


@dataclass
class Context:
    rng: random.Random
    writer: Writer
    now: object = field(default_factory=timezone.now)
    # Filled in by the builders, in this order.
    units: list = field(default_factory=list)
    root_id: int | None = None
    people: list = field(default_factory=list)
    by_unit: dict = field(default_factory=dict)
    head_ids: set = field(default_factory=set)
    users: dict = field(default_factory=dict)
    admin: object = None
    first_unit: object = None
    account_person_ids: set = field(default_factory=set)
    elections: dict = field(default_factory=dict)
    stages: list = field(default_factory=list)
    oath: object = None
    campaigns: dict = field(default_factory=dict)
    sessions: list = field(default_factory=list)


@dataclass
class Summary:
    tables: dict[str, tuple[int, float]]  # table -> (rows, seconds)
    steps: dict[str, float]  # step -> seconds (generation and writes)
    seconds: float
    root_code: str
    first_unit_code: str


def seed_scale(*, units: int, personnel: int, cases_count: int, seed: int = 2024, force: bool = False) -> Summary:
    """Fill the database; refuses a database that already has units or people unless ``force``."""
    if units < 1 or personnel < units:
        raise ScaleError("Ask for at least one unit and at least one employee per unit.")
    if not force and (Unit.objects.exists() or Person.objects.exists()):
        raise ScaleError(
            "The database already has units or employees. Use an empty database, or --force to add the synthetic "
            "data beside them (their identity numbers and unit codes are avoided)."
        )
    started = time.perf_counter()
    ctx = Context(rng=random.Random(seed), writer=Writer())
    steps: dict[str, float] = {}

    def step(name, fn, *args):
        t0 = time.perf_counter()
        fn(ctx, *args)
        steps[name] = time.perf_counter() - t0

    with transaction.atomic():
        step("units", registry.build_units, units)
        step("people and placements", registry.build_people, personnel)
        step("accounts", registry.build_accounts)
        step("elections", activity.build_elections)
        step("oath campaigns and signatures", activity.build_oaths)
        step("socialization", activity.build_socialization)
        step("task forces", activity.build_taskforces)
        step("violation cases", cases.build_cases, cases_count)
        step("monitoring", cases.build_monitoring)
        ctx.writer.finish()
    if ctx.writer.postgres:  # fresh planner statistics for the tables just filled
        t0 = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        steps["analyze"] = time.perf_counter() - t0
    aggregates.changed(*aggregates.ALL)  # written with COPY: no model signals
    root = Unit.objects.get(pk=ctx.root_id)
    tables = {name: (rows, ctx.writer.seconds[name]) for name, rows in ctx.writer.written.items()}
    return Summary(
        tables=tables,
        steps=steps,
        seconds=time.perf_counter() - started,
        root_code=root.code,
        first_unit_code=ctx.first_unit.code,
    )
