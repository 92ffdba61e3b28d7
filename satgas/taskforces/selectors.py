"""Read queries of task forces; visibility decided once here."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone

from satgas.accounts.roles import roles_for
from satgas.core import aggregates
from satgas.personnel.models import PersonStatus, Unit

from . import rules
from .models import ROLE_ORDER, Inauguration, MemberRole, Membership, RegionalDefaults, TaskForce, TaskForceStatus


def today() -> dt.date:
    return timezone.localdate()


def current_q(on: dt.date, prefix: str = "") -> Q:
    """Memberships current on ``on``: started, and not ended by then."""
    return Q(**{f"{prefix}started_on__lte": on}) & (
        Q(**{f"{prefix}ended_on__isnull": True}) | Q(**{f"{prefix}ended_on__gt": on})
    )


def in_term_q(on: dt.date, prefix: str = "") -> Q:
    """Task forces whose decree term has not run out on ``on`` (no end date: open-ended)."""
    return Q(**{f"{prefix}term_ends_on__isnull": True}) | Q(**{f"{prefix}term_ends_on__gte": on})


def regional_defaults() -> RegionalDefaults:
    defaults, _ = RegionalDefaults.objects.get_or_create(pk=1)
    return defaults


# --- Roles ---------------------------------------------------------------------


def taskforce_unit_ids_for_person(person_id: int) -> list[int]:
    """Units whose active task force ``person_id`` serves on today (the role provider)."""
    on = today()
    return list(
        Membership.objects.filter(
            current_q(on),
            in_term_q(on, prefix="task_force__"),
            person_id=person_id,
            person__status=PersonStatus.ACTIVE,
            task_force__status=TaskForceStatus.ACTIVE,
        ).values_list("task_force__unit_id", flat=True)
    )


# --- Visibility ----------------------------------------------------------------


def taskforces_for_user(user) -> QuerySet[TaskForce]:
    """Admins and regional leaders: all; unit task forces and unit leaders: their units; others: none."""
    roles = roles_for(user)
    qs = TaskForce.objects.select_related("unit", "election")
    readable = roles.readable_unit_ids()
    if readable is None:
        return qs
    return qs.filter(unit_id__in=readable) if readable else qs.none()


def taskforce_get_for_user(user, pk) -> TaskForce:
    return get_object_or_404(taskforces_for_user(user).select_related("inauguration"), pk=pk)


def membership_get_for_user(user, pk) -> Membership:
    visible = taskforces_for_user(user).values("pk")
    return get_object_or_404(
        Membership.objects.select_related("person__unit", "task_force__unit", "task_force__election").filter(
            task_force__in=visible
        ),
        pk=pk,
    )


# --- Units ---------------------------------------------------------------------


def unit_parents() -> dict[int, int | None]:
    return dict(Unit.objects.order_by().values_list("pk", "parent_id"))


def subtree_ids(unit_id: int, parents: dict[int, int | None] | None = None) -> set[int]:
    """``unit_id`` and every unit below it."""
    parents = parents if parents is not None else unit_parents()
    children: dict[int | None, list[int]] = {}
    for pk, parent in parents.items():
        children.setdefault(parent, []).append(pk)
    out, todo = set(), [unit_id]
    while todo:
        pk = todo.pop()
        if pk not in out:
            out.add(pk)
            todo.extend(children.get(pk, []))
    return out


def _in_subtree(unit_id, root_id, parents) -> bool:
    seen = set()
    while unit_id is not None and unit_id not in seen:
        if unit_id == root_id:
            return True
        seen.add(unit_id)
        unit_id = parents.get(unit_id)
    return False


# --- Rosters -------------------------------------------------------------------


def _sorted(memberships) -> list[Membership]:
    return sorted(memberships, key=lambda m: (ROLE_ORDER[m.role], m.person.full_name, m.pk))


def roster(task_force: TaskForce, *, on: dt.date | None = None) -> list[Membership]:
    """Members on ``on`` (default today), leaders first."""
    on = on or today()
    qs = task_force.memberships.filter(current_q(on)).select_related("person__unit", "replaces__person")
    return _sorted(qs)


def history(task_force: TaskForce) -> list[Membership]:
    return list(
        task_force.memberships.select_related("person", "replaces__person", "replaced_by__person").order_by(
            "-started_on", "-id"
        )
    )


def counts_of(memberships) -> dict[str, int]:
    counts = dict.fromkeys(MemberRole.values, 0)
    for membership in memberships:
        counts[membership.role] += 1
    return counts


def flagged_members(task_force: TaskForce, members: list[Membership], parents=None) -> list[Membership]:
    """Current members no longer active, or no longer in the unit or one of its sub-units."""
    parents = parents if parents is not None else unit_parents()
    return [
        m
        for m in members
        if m.person.status != PersonStatus.ACTIVE or not _in_subtree(m.person.unit_id, task_force.unit_id, parents)
    ]


@dataclass
class Composition:
    required: dict[str, int]
    counts: dict[str, int]
    rows: list[tuple[str, int, int]] = field(default_factory=list)

    @property
    def met(self) -> bool:
        return rules.composition_met(self.required, self.counts)


def composition(task_force: TaskForce, members: list[Membership]) -> Composition:
    required = task_force.required()
    counts = counts_of(members)
    rows = [(label, required[role], counts[role]) for role, label in MemberRole.choices]
    return Composition(required=required, counts=counts, rows=rows)


def current_composition(task_force: TaskForce) -> Composition:
    return composition(task_force, roster(task_force))


# --- Regional overview ---------------------------------------------------------


@dataclass
class OverviewRow:
    unit: Unit
    task_force: TaskForce | None
    status: str
    counts: dict[str, int]
    required: dict[str, int]
    inaugurated: bool
    flags: list[Membership]

    @property
    def status_label(self) -> str:
        return rules.OVERVIEW_LABELS[self.status]


OVERVIEW_PAGE_SIZE = 50


def overview_units(user, *, unit_type: str = "") -> QuerySet[Unit]:
    """The active units the user may read (optionally of one type), by name: the overview's rows."""
    readable = roles_for(user).readable_unit_ids()
    units = Unit.objects.filter(is_active=True).order_by("name", "pk")
    if readable is not None:
        units = units.filter(pk__in=readable)
    if unit_type:
        units = units.filter(unit_type=unit_type)
    return units


def overview_rows(units: list[Unit], *, election) -> list[OverviewRow]:
    """``units`` each with its task force for ``election``: three queries whatever the number of units
    (task forces with their current counts, flagged-member candidates, the unit tree)."""
    on = today()
    unit_ids = [u.pk for u in units]
    current = current_q(on, "memberships__")
    task_forces = {
        tf.unit_id: tf
        for tf in TaskForce.objects.filter(election=election, unit_id__in=unit_ids)
        .annotate(
            n_leaders=Count("memberships", filter=current & Q(memberships__role=MemberRole.LEADER)),
            n_secretaries=Count("memberships", filter=current & Q(memberships__role=MemberRole.SECRETARY)),
            n_members=Count("memberships", filter=current & Q(memberships__role=MemberRole.MEMBER)),
            is_inaugurated=Exists(Inauguration.objects.filter(task_force=OuterRef("pk"))),
        )
        .select_related("election")
    }
    parents = unit_parents() if task_forces else {}
    candidates: dict[int, list[Membership]] = {}
    if task_forces:
        for m in (
            Membership.objects.filter(current_q(on), task_force__in=[tf.pk for tf in task_forces.values()])
            # Members still active in the task force's own unit need no check (most of them).
            .exclude(person__status=PersonStatus.ACTIVE, person__unit_id=F("task_force__unit_id"))
            .select_related("person")
        ):
            candidates.setdefault(m.task_force_id, []).append(m)
    rows = []
    for unit in units:
        tf = task_forces.get(unit.pk)
        if tf is None:
            rows.append(OverviewRow(unit, None, rules.OVERVIEW_NONE, {}, {}, False, []))
            continue
        counts = {
            MemberRole.LEADER: tf.n_leaders,
            MemberRole.SECRETARY: tf.n_secretaries,
            MemberRole.MEMBER: tf.n_members,
        }
        flags = flagged_members(tf, candidates.get(tf.pk, []), parents)
        status = rules.overview_status(tf.status, rules.composition_met(tf.required(), counts))
        rows.append(OverviewRow(unit, tf, status, counts, tf.required(), tf.is_inaugurated, flags))
    return rows


def overview(user, *, election, unit_type: str = "") -> list[OverviewRow]:
    """Every active unit the user may read with its task force for ``election`` (the export: all rows)."""
    return overview_rows(list(overview_units(user, unit_type=unit_type)), election=election)


def _current_count(role: str, on: dt.date) -> Coalesce:
    members = Membership.objects.filter(current_q(on), task_force=OuterRef("pk"), role=role)
    return Coalesce(Subquery(members.order_by().values("task_force").annotate(n=Count("pk")).values("n")), 0)


def overview_totals(units: QuerySet[Unit], *, election, unit_count: int) -> dict[str, int]:
    """How many of ``units`` (``unit_count`` of them) are in each overview status, in one aggregate query over
    their task forces for ``election`` (units without one: the rest); kept in the cache until a task force, a
    membership or the registry changes, or the day does (memberships start and end on dates)."""
    on = today()
    return aggregates.cached(
        "taskforces.overview_totals",
        (election.pk, on, aggregates.scope_of(units), unit_count),
        lambda: _overview_totals(units, election=election, unit_count=unit_count, on=on),
        topics=[aggregates.REGISTRY, aggregates.TASKFORCES],
    )


def _overview_totals(units: QuerySet[Unit], *, election, unit_count: int, on: dt.date) -> dict[str, int]:
    met = Q(n_leaders=F("required_leaders"), n_secretaries=F("required_secretaries"), n_members=F("required_members"))
    active = Q(status=TaskForceStatus.ACTIVE)
    totals = (
        TaskForce.objects.filter(election=election, unit__in=units.order_by().values("pk"))
        .annotate(
            n_leaders=_current_count(MemberRole.LEADER, on),
            n_secretaries=_current_count(MemberRole.SECRETARY, on),
            n_members=_current_count(MemberRole.MEMBER, on),
        )
        .aggregate(
            **{
                rules.OVERVIEW_DRAFT: Count("pk", filter=Q(status=TaskForceStatus.DRAFT)),
                rules.OVERVIEW_ACTIVE: Count("pk", filter=active & met),
                rules.OVERVIEW_INCOMPLETE: Count("pk", filter=active & ~met),
                rules.OVERVIEW_ENDED: Count("pk", filter=Q(status=TaskForceStatus.ENDED)),
            }
        )
    )
    totals[rules.OVERVIEW_NONE] = unit_count - sum(totals.values())
    return totals


def default_signatory(task_force: TaskForce) -> dict[str, str]:
    """The decree's signatory as recorded, else the head of the regional office."""
    if task_force.signatory_name:
        return {
            "signatory_name": task_force.signatory_name,
            "signatory_nip": task_force.signatory_nip,
            "signatory_title": task_force.signatory_title,
        }
    from django.conf import settings

    region = Unit.objects.select_related("head").filter(code=settings.SATGAS_REGION_CODE).first()
    head = region.head if region else None
    return {
        "signatory_name": head.full_name if head else "",
        "signatory_nip": (head.nip or "") if head else "",
        "signatory_title": (region.head_title if region else "") or "Kepala Kantor Wilayah",
    }


def membership_by_badge_code(code: str) -> Membership | None:
    code = (code or "").strip().upper().replace("-", "")
    if not code.isalnum() or len(code) != 20:
        return None
    return (
        Membership.objects.select_related("person__unit", "task_force__unit", "task_force__election")
        .filter(badge_code=code)
        .first()
    )


def membership_valid(membership: Membership, on: dt.date | None = None) -> bool:
    """A badge is valid while its membership is current, its task force active and within its term."""
    on = on or today()
    task_force = membership.task_force
    in_term = task_force.term_ends_on is None or task_force.term_ends_on >= on
    return membership.is_current(on) and task_force.status == TaskForceStatus.ACTIVE and in_term
