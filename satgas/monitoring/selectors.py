"""Read queries of monitoring; visibility decided once here (through permissions)."""

import datetime as dt

from django.core.paginator import Paginator
from django.db.models import Case, Count, Exists, Max, OuterRef, Q, QuerySet, Subquery, Sum, Value, When
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone

from satgas.core import aggregates
from satgas.elections.models import Election, ElectionStage
from satgas.elections.selectors import stages_on
from satgas.personnel.models import Unit

from . import permissions, rules
from .models import Evaluation, MonitoringReport, PointStatus, ReportStatus, ReportVersion, VulnerablePoint


def _by_unit(qs: QuerySet, user, field: str = "unit_id") -> QuerySet:
    ids = permissions.readable_unit_ids(user)
    return qs if ids is None else qs.filter(**{f"{field}__in": ids})


def units_for_user(user) -> QuerySet[Unit]:
    return _by_unit(Unit.objects.filter(is_active=True), user, "pk").order_by("name", "pk")


def writable_units(user) -> QuerySet[Unit]:
    ids = permissions.writable_unit_ids(user)
    qs = Unit.objects.filter(is_active=True).order_by("name")
    return qs if ids is None else qs.filter(pk__in=ids)


# --- Stages -----------------------------------------------------------------------


def stage_labels_on(day: dt.date | None) -> list[str]:
    """ "Election: stage" for every stage running on ``day`` (a date in Asia/Jakarta)."""
    if day is None:
        return []
    return [f"{s.election.name}: {s.name}" for s in stages_on(day).order_by("election__voting_day", "starts_on")]


def stage_finder():
    """One query for all stages; returns ``day -> ["Election: stage", ...]`` for labelling many dates."""
    stages = list(ElectionStage.objects.select_related("election").order_by("election__voting_day", "starts_on"))

    def labels(day: dt.date | None) -> list[str]:
        if day is None:
            return []
        return [f"{s.election.name}: {s.name}" for s in stages if s.starts_on <= day <= s.ends_on]

    return labels


def points_with_review_stages(user) -> list[VulnerablePoint]:
    points = list(points_for_user(user).order_by("unit__name", "stage__starts_on", "-risk_level", "pk"))
    labels = stage_finder()
    for point in points:
        point.review_stages = labels(point.review_on)
    return points


def current_and_next_stage(*, today: dt.date | None = None) -> dict:
    """One query: every stage not yet over (reference data: a few dozen rows), split here."""
    today = today or timezone.localdate()
    stages = list(
        ElectionStage.objects.filter(ends_on__gte=today).select_related("election").order_by("starts_on", "order")
    )
    current = sorted((s for s in stages if s.starts_on <= today), key=lambda s: (s.election.voting_day, s.starts_on))
    upcoming = [s for s in stages if s.starts_on > today]
    return {"current_stages": current, "next_stage": upcoming[0] if upcoming else None}


# --- Vulnerable points ---------------------------------------------------------------


def points_for_user(user) -> QuerySet[VulnerablePoint]:
    return _by_unit(VulnerablePoint.objects.select_related("unit", "stage__election"), user)


def point_get_for_user(user, pk) -> VulnerablePoint:
    return get_object_or_404(points_for_user(user), pk=pk)


def risk_matrix(user, *, election: Election) -> dict:
    """Units × stages of ``election``, each cell the highest OPEN risk level (3 queries)."""
    units = list(units_for_user(user))
    stages = list(election.stages.order_by("starts_on", "order"))
    cells = dict(
        ((row["unit_id"], row["stage_id"]), row["level"])
        for row in _by_unit(VulnerablePoint.objects.filter(stage__election=election, status=PointStatus.OPEN), user)
        .values("unit_id", "stage_id")
        .annotate(level=Max("risk_level"))
    )
    rows = [{"unit": u, "cells": [cells.get((u.pk, s.pk)) for s in stages]} for u in units]
    return {"stages": stages, "rows": rows}


# --- Reports ------------------------------------------------------------------------


def reports_for_user(user) -> QuerySet[MonitoringReport]:
    return _by_unit(MonitoringReport.objects.select_related("unit"), user)


def report_list_for_user(user) -> QuerySet[MonitoringReport]:
    return (
        reports_for_user(user)
        .annotate(flagged_count=Count("flagged_posts", distinct=True), version_count=Count("versions", distinct=True))
        .order_by("-period_start", "unit__name", "pk")
    )


def report_get_for_user(user, pk) -> MonitoringReport:
    return get_object_or_404(reports_for_user(user), pk=pk)


def report_detail(report: MonitoringReport) -> dict:
    return {
        "watches": list(report.watches.all()),
        "posts_reviewed": report.watches.aggregate(total=Sum("posts_reviewed"))["total"] or 0,
        "flagged_posts": list(report.flagged_posts.select_related("case")),
        "attachments": list(report.attachments.all()),
        "versions": list(report.versions.select_related("submitted_by")),
        "evaluation": Evaluation.objects.filter(unit=report.unit_id, period_start=report.period_start).first(),
        "stages": stage_labels_on(report.period_start),
        "stages_end": stage_labels_on(report.period_end),
        **report_auto_data(report),
    }


def election_for_period(start: dt.date, end: dt.date) -> Election | None:
    """The election running during the period, else the latest that started before it ends."""
    qs = Election.objects.filter(starts_on__lte=end)
    return qs.filter(ends_on__gte=start).order_by("voting_day").first() or qs.order_by("-voting_day").first()


def report_auto_data(report: MonitoringReport) -> dict:
    """Read-only, computed: the unit's socialization sessions in the period and its oath coverage."""
    from satgas.oaths.selectors import oath_coverage_by_unit
    from satgas.socialization.models import SocializationSession
    from satgas.socialization.selectors import attendance_coverage_by_unit

    sessions = list(
        SocializationSession.objects.filter(
            units=report.unit_id,
            starts_at__date__gte=report.period_start,
            starts_at__date__lte=report.period_end,
        ).order_by("starts_at")
    )
    election = election_for_period(report.period_start, report.period_end)
    coverage = {"election": "", "staff": 0, "signed": 0, "socialized": 0}
    if election is not None:
        oath = oath_coverage_by_unit(election=election, unit_ids=[report.unit_id]).get(report.unit_id, {})
        socialized = attendance_coverage_by_unit(unit_ids=[report.unit_id], election=election)
        coverage = {
            "election": election.name,
            "staff": oath.get("staff", 0),
            "signed": oath.get("signed", 0),
            "socialized": socialized.get(report.unit_id, 0),
        }
    return {"sessions": sessions, "oath_coverage": coverage}


def version_get(report: MonitoringReport, number: int) -> ReportVersion:
    return get_object_or_404(report.versions.select_related("submitted_by"), number=number)


# --- Status overview and reminders -------------------------------------------------------


def recent_periods(*, today: dt.date, count: int) -> list[tuple[dt.date, dt.date]]:
    """The last ``count`` periods that have ended, newest first."""
    start, _end = rules.period_containing(today)
    out = []
    for _ in range(count):
        start, end = rules.period_before(start)
        out.append((start, end))
    return out


def status_of(report: MonitoringReport | None, *, due_on: dt.date, today: dt.date) -> str:
    """not_started / draft / submitted / accepted / returned / overdue."""
    if report is None or report.status in (ReportStatus.DRAFT, ReportStatus.RETURNED):
        if today > due_on:
            return "overdue"
        return "not_started" if report is None else report.status.lower()
    return report.status.lower()


OVERVIEW_PAGE_SIZE = 50
DUE_STATUSES = ("not_started", "draft", "returned", "overdue")
DONE = (ReportStatus.SUBMITTED, ReportStatus.ACCEPTED)


def _report_status(start: dt.date) -> Subquery:
    """The status of the unit's report for the period starting ``start`` (NULL: none; one per unit and period)."""
    return Subquery(MonitoringReport.objects.filter(unit=OuterRef("pk"), period_start=start).values("status")[:1])


def units_by_report_status(units: QuerySet[Unit], *, start: dt.date, status: str) -> QuerySet[Unit]:
    """``units`` whose report for the period starting ``start`` is still to file ("due") or filed ("done")."""
    if status not in ("due", "done"):
        return units
    filed = Exists(MonitoringReport.objects.filter(unit=OuterRef("pk"), period_start=start, status__in=DONE))
    return units.filter(filed) if status == "done" else units.filter(~filed)


def period_status_counts(units: QuerySet[Unit], *, periods, today: dt.date) -> list[dict[str, int]]:
    """Per period, how many of ``units`` are in each status of :func:`status_of` (one aggregate query, kept in the
    cache until a monitoring report or the registry changes)."""
    raw = {
        "draft": ReportStatus.DRAFT,
        "returned": ReportStatus.RETURNED,
        "submitted": ReportStatus.SUBMITTED,
        "accepted": ReportStatus.ACCEPTED,
    }
    counters = {}
    annotated = units.order_by()
    for i, (start, _end) in enumerate(periods):
        annotated = annotated.annotate(**{f"s{i}": _report_status(start)})
        counters[f"p{i}_not_started"] = Count("pk", filter=Q(**{f"s{i}__isnull": True}))
        for key, value in raw.items():
            counters[f"p{i}_{key}"] = Count("pk", filter=Q(**{f"s{i}": value}))
    totals = (
        aggregates.cached(
            "monitoring.period_status_counts",
            (aggregates.scope_of(units), list(periods)),
            lambda: annotated.aggregate(**counters),
            topics=[aggregates.REGISTRY, aggregates.MONITORING],
        )
        if periods
        else {}
    )
    out = []
    for i, (_start, end) in enumerate(periods):
        counts = {key: totals[f"p{i}_{key}"] for key in ("not_started", *raw)}
        counts["overdue"] = 0
        if today > rules.due_date(end):  # past the due date, whatever is not filed is overdue
            for key in ("not_started", "draft", "returned"):
                counts["overdue"] += counts[key]
                counts[key] = 0
        counts["due"] = sum(counts[k] for k in DUE_STATUSES)
        counts["done"] = counts["submitted"] + counts["accepted"]
        out.append(counts)
    return out


def status_overview(
    user, *, today: dt.date | None = None, count: int = 3, status: str = "", page: str | int | None = 1
) -> dict:
    """Per unit (rows, 50 a page) and recent period (columns): the report's status, and per period the totals
    over every unit (count, units of the page, their reports, the totals: 4 queries whatever the region's size).
    ``status`` "due" or "done" keeps the units whose report for the latest period is still to file, or filed."""
    today = today or timezone.localdate()
    periods = recent_periods(today=today, count=count)
    units = units_for_user(user)
    if periods:
        units = units_by_report_status(units, start=periods[0][0], status=status)
    page_obj = Paginator(units, OVERVIEW_PAGE_SIZE).get_page(page)
    page_units = list(page_obj.object_list)
    reports = {
        (r.unit_id, r.period_start): r
        for r in reports_for_user(user)
        .filter(unit_id__in=[u.pk for u in page_units], period_start__in=[p[0] for p in periods])
        .only("id", "unit_id", "period_start", "status")
    }
    rows = []
    for unit in page_units:
        cells = []
        for start, end in periods:
            report = reports.get((unit.pk, start))
            cells.append({"report": report, "status": status_of(report, due_on=rules.due_date(end), today=today)})
        rows.append({"unit": unit, "cells": cells})
    totals = period_status_counts(units, periods=periods, today=today) if page_obj.paginator.count else []
    return {"periods": periods, "rows": rows, "page": page_obj, "totals": totals, "status": status}


def reminders_due(*, today: dt.date, lookback: int) -> list[dict]:
    """Units and periods whose report is not yet submitted and whose reminder window is open."""
    from satgas.accounts.models import Role, RoleAssignment, User
    from satgas.taskforces.models import Membership, TaskForceStatus
    from satgas.taskforces.selectors import current_q

    candidates = [rules.period_containing(today)] + recent_periods(today=today, count=lookback)
    windows = []
    for start, end in candidates:
        kind = rules.reminder_kind(due_on=rules.due_date(end), today=today)
        if kind:
            windows.append((start, end, kind))
    if not windows:
        return []
    done = set(
        MonitoringReport.objects.filter(
            period_start__in=[w[0] for w in windows], status__in=[ReportStatus.SUBMITTED, ReportStatus.ACCEPTED]
        ).values_list("unit_id", "period_start")
    )
    emails: dict[int, set[str]] = {}
    for unit_id, email in RoleAssignment.objects.filter(role=Role.UNIT_TASKFORCE, user__is_active=True).values_list(
        "unit_id", "user__email"
    ):
        emails.setdefault(unit_id, set()).add(email)
    members = Membership.objects.filter(current_q(today), task_force__status=TaskForceStatus.ACTIVE).values_list(
        "task_force__unit_id", "person_id"
    )
    person_units: dict[int, set[int]] = {}
    for unit_id, person_id in members:
        person_units.setdefault(person_id, set()).add(unit_id)
    for person_id, email in User.objects.filter(person_id__in=person_units, is_active=True).values_list(
        "person_id", "email"
    ):
        for unit_id in person_units[person_id]:
            emails.setdefault(unit_id, set()).add(email)
    units = Unit.objects.in_bulk([u for u in emails])
    out = []
    for start, _end, kind in windows:
        for unit_id, addresses in emails.items():
            if (unit_id, start) in done or unit_id not in units or not units[unit_id].is_active:
                continue
            out.append(
                {
                    "unit": units[unit_id],
                    "period_start": start,
                    "overdue": kind == "overdue",
                    "recipients": sorted(a for a in addresses if a),
                }
            )
    return out


# --- Dashboard -----------------------------------------------------------------------------


DASHBOARD_DUE_SHOWN = 5


def dashboard_panel(*, user) -> dict:
    """The monitoring panel of the main dashboard: current/next stage; for admins and task forces the reports of
    the latest ended period still to file (counts over every unit they file for, and the first few units, the
    least advanced first), in a fixed number of queries whatever the number of units."""
    if not permissions.can_use(user):
        return {}
    today = timezone.localdate()
    panel = current_and_next_stage(today=today)
    due = None
    if permissions.writable_unit_ids(user) != frozenset():
        start, end = recent_periods(today=today, count=1)[0]
        due_on = rules.due_date(end)
        units = writable_units(user)
        readable = permissions.readable_unit_ids(user)
        if readable is not None:
            units = units.filter(pk__in=readable)
        counts = period_status_counts(units, periods=[(start, end)], today=today)[0]
        # Least advanced first: nothing started, then returned, then drafts; then by name.
        urgency = Case(
            When(report_status__isnull=True, then=Value(0)),
            When(report_status=ReportStatus.RETURNED, then=Value(1)),
            default=Value(2),
        )
        first = list(
            units_by_report_status(units, start=start, status="due")
            .annotate(report_status=_report_status(start))
            .order_by(urgency, "name", "pk")[:DASHBOARD_DUE_SHOWN]
        )
        items = [
            {
                "unit": unit,
                "status": status_of(
                    MonitoringReport(status=unit.report_status) if unit.report_status else None,
                    due_on=due_on,
                    today=today,
                ),
                "due_on": due_on,
            }
            for unit in first
        ]
        due = {
            "period_start": start,
            "due_on": due_on,
            "overdue": counts["overdue"],
            "due_soon": counts["due"] - counts["overdue"],
            "filed": counts["done"],
            "items": items,
            "more": counts["due"] - len(items),
            "more_url": (
                f"{reverse('monitoring:overview')}?status=due"
                if permissions.can_see_region(user)
                else reverse("monitoring:report_list")
            ),
        }
    return {"monitoring_panel": {**panel, "reports_due": due["items"] if due else [], "due": due, "today": today}}


def evaluations_for_user(user) -> QuerySet[Evaluation]:
    return _by_unit(Evaluation.objects.select_related("unit", "evaluated_by"), user).order_by(
        "-period_start", "unit__name"
    )


def elections_with_stage_counts() -> QuerySet[Election]:
    return Election.objects.annotate(stage_count=Count("stages")).order_by("-voting_day")
