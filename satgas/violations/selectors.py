"""Read queries of violation cases; visibility decided once here.

``cases_for_user`` mirrors ``permissions.can_handle``: regional admins see
every case; task-force members the non-confidential cases of their units;
assigned handlers their cases; nobody sees a case in which they are the
reported person or the head of the case's unit.
"""

import datetime as dt
import statistics

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from satgas.accounts.models import Role, RoleAssignment, User
from satgas.accounts.roles import roles_for
from satgas.personnel.models import Unit

from . import receipts, rules
from .models import Assignment, Case, Evidence, ViolationCategory


def _without_conflicts(qs: QuerySet[Case], person_id: int | None) -> QuerySet[Case]:
    """Not the cases about the user, nor those of a unit the user heads (a subquery of the few units headed: a
    join to every case's unit made each count of the case list read all cases with their units)."""
    if person_id is None:
        return qs
    headed = Unit.objects.filter(head_id=person_id).values("pk")
    return qs.exclude(reported_person_id=person_id).exclude(unit_id__in=headed)


def _active_assignment(user) -> Exists:
    return Exists(Assignment.objects.filter(case=OuterRef("pk"), handler=user, ended_at__isnull=True))


def cases_for_user(user) -> QuerySet[Case]:
    roles = roles_for(user)
    qs = Case.objects.select_related("unit", "reported_person", "election", "stage")
    if not roles.authenticated:
        return qs.none()
    if not roles.is_regional_admin:
        qs = qs.filter(unit_id__in=roles.taskforce_unit_ids).filter(Q(confidential=False) | Q(_active_assignment(user)))
    return _without_conflicts(qs, roles.person_id)


def case_get_for_user(user, pk) -> Case:
    return get_object_or_404(cases_for_user(user), pk=pk)


def evidence_get_for_user(user, pk) -> Evidence:
    return get_object_or_404(Evidence.objects.select_related("case"), pk=pk, case__in=cases_for_user(user))


def case_list(qs: QuerySet[Case]) -> QuerySet[Case]:
    """Rows of the case list: a fixed number of queries whatever the row count.

    The reported people are prefetched for the page's rows rather than joined: a join made PostgreSQL read
    the whole registry before sorting and cutting the page (200,000 people: ~3x slower)."""
    active = Assignment.objects.filter(ended_at__isnull=True).select_related("handler")
    return (
        qs.select_related(None)
        .select_related("unit", "election", "stage")
        .prefetch_related(
            "reported_person",
            Prefetch("categories", queryset=ViolationCategory.objects.order_by("kind", "order")),
            Prefetch("assignments", queryset=active, to_attr="active_assignments"),
        )
        .order_by("-received_at", "-id")
    )


def case_detail(case: Case) -> dict:
    assignments = list(case.assignments.select_related("handler", "assigned_by", "ended_by"))
    return {
        "categories": list(case.categories.all()),
        "assignments": assignments,
        "active_assignments": [a for a in assignments if a.ended_at is None],
        "transitions": list(case.transitions.select_related("actor")),
        "notes": list(case.notes.select_related("author")),
        "reporter_messages": list(case.messages.select_related("author")),
        "clarifications": list(case.clarifications.select_related("recorded_by")),
        "sanctions": list(case.sanctions.select_related("recorded_by")),
        "evidence": list(case.evidence.all()),
        "links": list(case.links.all()),
    }


def case_by_receipt(code: str) -> Case | None:
    digits = receipts.code_normalize(code)
    if len(digits) != receipts.CODE_DIGITS:
        return None
    return Case.objects.select_related("unit").filter(receipt_hash=receipts.code_hash(digits)).first()


def handler_candidates(case: Case) -> QuerySet[User]:
    """Accounts that may be assigned (checked again by the service)."""
    from satgas.taskforces.models import Membership, TaskForceStatus
    from satgas.taskforces.selectors import current_q, today

    ids = RoleAssignment.objects.filter(
        Q(role=Role.REGIONAL_ADMIN) | Q(role=Role.UNIT_TASKFORCE, unit_id=case.unit_id)
    ).values("user_id")
    members = Membership.objects.filter(
        current_q(today()), task_force__unit_id=case.unit_id, task_force__status=TaskForceStatus.ACTIVE
    ).values("person_id")
    qs = User.objects.filter(Q(pk__in=ids) | Q(person_id__in=members), is_active=True)
    conflicted = [p for p in (case.reported_person_id, case.unit.head_id) if p]
    if conflicted:
        qs = qs.exclude(person_id__in=conflicted)
    return qs.order_by("full_name", "email")


# --- Dashboard -----------------------------------------------------------------------


def dashboard_cases(user) -> QuerySet[Case]:
    """Handlers: their cases. Leaders: every case of the units they read (aggregates only)."""
    roles = roles_for(user)
    if roles.is_regional_admin or roles.is_taskforce:
        return cases_for_user(user)
    if not roles.is_leader:
        return Case.objects.none()
    qs = Case.objects.all()
    readable = roles.readable_unit_ids()
    if readable is not None:
        qs = qs.filter(unit_id__in=readable)
    return _without_conflicts(qs, roles.person_id)


def _median_days(pairs) -> float | None:
    days = [(end - start).total_seconds() / 86400 for start, end in pairs if start and end]
    return round(statistics.median(days), 1) if days else None


def dashboard(user, *, today: dt.date | None = None) -> dict:
    today = today or timezone.localdate()
    qs = dashboard_cases(user).order_by()
    open_qs = qs.filter(status__in=rules.OPEN_STATUSES)
    by_status = dict(open_qs.values_list("status").annotate(n=Count("id")))
    from .models import CaseStatus

    return {
        "by_status": [(label, by_status.get(value, 0)) for value, label in CaseStatus.choices if value in by_status],
        "open_total": sum(by_status.values()),
        "overdue": open_qs.filter(due_on__lt=today).count(),
        "by_category": list(
            qs.filter(categories__isnull=False)
            .values("categories__kind", "categories__name")
            .annotate(n=Count("id", distinct=True))
            .order_by("-n", "categories__name")
        ),
        "by_unit": list(
            qs.values("unit__name")
            .annotate(n=Count("id"), open=Count("id", filter=Q(status__in=rules.OPEN_STATUSES)))
            .order_by("-n", "unit__name")
        ),
        "by_stage": list(
            qs.values("election__name", "stage__name").annotate(n=Count("id")).order_by("-n", "election__name")
        ),
        "median_verification": _median_days(
            qs.filter(verified_at__isnull=False).values_list("received_at", "verified_at")
        ),
        "median_closure": _median_days(qs.filter(closed_at__isnull=False).values_list("received_at", "closed_at")),
    }


# --- Digest -----------------------------------------------------------------------------


def digest_items(*, today: dt.date, soon_days: int) -> dict[int, list[Case]]:
    """Per handler (user id): their open cases overdue or due within ``soon_days``.
    Cases nobody handles go to the regional admins."""
    horizon = today + dt.timedelta(days=soon_days)
    cases = list(
        Case.objects.filter(status__in=rules.OPEN_STATUSES, due_on__lte=horizon)
        .select_related("unit")
        .prefetch_related(
            Prefetch("assignments", queryset=Assignment.objects.filter(ended_at__isnull=True), to_attr="active")
        )
        .order_by("due_on", "pk")
    )
    admin_ids = list(
        RoleAssignment.objects.filter(role=Role.REGIONAL_ADMIN, user__is_active=True).values_list("user_id", flat=True)
    )
    from satgas.accounts.models import User

    from . import permissions

    recipients = {
        user.pk: user
        for user in User.objects.filter(
            pk__in={a.handler_id for case in cases for a in case.active} | set(admin_ids), is_active=True
        )
    }
    out: dict[int, list[Case]] = {}
    for case in cases:
        for user_id in [a.handler_id for a in case.active] or admin_ids:
            user = recipients.get(user_id)
            # Nobody hears of a case they may not handle (ended membership, reported person, unit head).
            if user is not None and permissions.can_handle(user, case, assigned=True):
                out.setdefault(user_id, []).append(case)
    return out
