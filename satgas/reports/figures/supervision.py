"""Task forces, monitoring reports and evaluations, vulnerable points."""

import datetime as dt

from django.db.models import Avg, Count, Q, Sum
from django.utils import timezone

from .. import wording
from ..periods import Semester
from .common import Scope, pct, total, unit_rows

# --- Task forces -------------------------------------------------------------------------------


def taskforces(scope: Scope, semester: Semester) -> dict:
    """Task forces whose term overlaps the period. Only a decreed one (ACTIVE or ENDED) is *formed*: a
    DRAFT is a proposal, listed under ``drafts``, and its unit counts as without a task force."""
    from satgas.taskforces.models import MemberRole, Membership, TaskForce, TaskForceStatus
    from satgas.taskforces.selectors import current_q

    formed_statuses = {TaskForceStatus.ACTIVE, TaskForceStatus.ENDED}
    first, last = semester.first_day, semester.last_day
    forces = list(
        TaskForce.objects.filter(unit_id__in=scope.all_ids, term_starts_on__lte=last)
        .filter(Q(term_ends_on__isnull=True) | Q(term_ends_on__gte=first))
        .exclude(status=TaskForceStatus.ENDED, ended_on__lt=first)
        .select_related("election", "inauguration")
        .order_by("unit__name", "election__voting_day", "pk")
    )
    counts: dict[int, dict] = {}
    in_period = Q(started_on__gte=first, started_on__lte=last)
    for row in (
        Membership.objects.filter(task_force_id__in=[f.pk for f in forces])
        .order_by()
        .values("task_force_id", "role")
        .annotate(
            current=Count("id", filter=current_q(last)),
            started=Count("id", filter=in_period),
            replaced=Count("id", filter=in_period & Q(replaces__isnull=False)),
            ended=Count("id", filter=Q(ended_on__gte=first, ended_on__lte=last)),
        )
    ):
        entry = counts.setdefault(row["task_force_id"], {"started": 0, "ended": 0, "replaced": 0})
        entry[row["role"]] = row["current"]
        for key in ("started", "ended", "replaced"):
            entry[key] += row[key]
    rows, drafts = [], []
    for force in forces:
        c = counts.get(force.pk, {"started": 0, "ended": 0, "replaced": 0})
        current = {role: c.get(role, 0) for role in MemberRole.values}
        required = force.required()
        inauguration = getattr(force, "inauguration", None)
        held_on = inauguration.held_on if inauguration and inauguration.held_on <= last else None
        (rows if force.status in formed_statuses else drafts).append(
            {
                **scope.ref(force.unit_id),
                "election": force.election.name,
                "status": force.status,
                "status_label": wording.TASKFORCE_STATUS.get(force.status, force.status),
                "decree_number": force.decree_number or "",
                "decree_date": force.decree_date.isoformat() if force.decree_date else "",
                "inaugurated_on": held_on.isoformat() if held_on else "",
                **{f"required_{r.lower()}": required[r] for r in MemberRole.values},
                **{f"current_{r.lower()}": current[r] for r in MemberRole.values},
                "members": sum(current.values()),
                "complete": all(current[r] >= required[r] for r in MemberRole.values),
                "started": c["started"],
                "ended": c["ended"],
                "replaced": c["replaced"],
            }
        )
    with_force = {r["unit_id"] for r in rows}
    with_draft = {r["unit_id"] for r in drafts}
    without = [
        {**scope.ref(u["id"]), "has_draft": u["id"] in with_draft} for u in scope.units if u["id"] not in with_force
    ]
    summed = ["members", "started", "ended", "replaced", *[f"current_{r.lower()}" for r in MemberRole.values]]
    totals = {
        "task_forces": len(rows),
        "drafts": len(drafts),
        "active": sum(1 for r in rows if r["status"] == TaskForceStatus.ACTIVE),
        "complete": sum(1 for r in rows if r["complete"]),
        "inaugurated": sum(1 for r in rows if r["inaugurated_on"]),
        **total(rows, summed),
        "units_without": len(without),
    }
    return {"total": totals, "rows": rows, "drafts": drafts, "units_without": without}


# --- Monitoring ----------------------------------------------------------------------------------


def monitoring_periods(semester: Semester) -> list[tuple[dt.date, dt.date]]:
    """The monitoring periods (``SATGAS_MONITORING_PERIOD_MONTHS``) that start within the semester."""
    from satgas.monitoring import rules as monitoring_rules

    out = []
    start, end = monitoring_rules.period_containing(semester.first_day)
    if start < semester.first_day:
        start, end = monitoring_rules.period_after(start)
    while start <= semester.last_day:
        out.append((start, end))
        start, end = monitoring_rules.period_after(start)
    return out


def grade_counts(scores: dict[int, int]) -> dict[str, int]:
    """Evaluations per grade, graded by the monitoring app's own ``Evaluation.grade`` (its thresholds)."""
    from satgas.monitoring.models import Evaluation

    grades = dict.fromkeys(["A", "B", "C", "D", "E"], 0)
    for score, n in scores.items():
        grade = Evaluation(score=score).grade
        grades[grade] = grades.get(grade, 0) + n
    return grades


def monitoring(scope: Scope, semester: Semester, now: dt.datetime) -> dict:
    """Reports of the monitoring periods starting in the semester. A period is *due* once its due date
    (the monitoring app's ``due_date``: period end + ``SATGAS_MONITORING_DUE_DAYS``) is on or before the
    day the report is generated; later ones are *not yet due* and never counted as missing. Units
    deactivated since owe nothing (due 0) but their reports still count."""
    from satgas.monitoring import rules as monitoring_rules
    from satgas.monitoring.models import Evaluation, FlaggedPost, MonitoringReport, ReportStatus, SocialMediaWatch

    today = timezone.localdate(now)
    periods = monitoring_periods(semester)
    starts = [p[0] for p in periods]
    due_starts = [start for start, end in periods if monitoring_rules.due_date(end) <= today]
    handed_in = [ReportStatus.SUBMITTED, ReportStatus.RETURNED, ReportStatus.ACCEPTED]
    ids = scope.all_ids
    values: dict[int, dict] = {}
    for row in (
        MonitoringReport.objects.filter(unit_id__in=ids, period_start__in=starts)
        .order_by()
        .values("unit_id")
        .annotate(
            started=Count("id"),
            submitted=Count("id", filter=Q(status__in=handed_in)),
            submitted_due=Count("id", filter=Q(status__in=handed_in, period_start__in=due_starts)),
            accepted=Count("id", filter=Q(status=ReportStatus.ACCEPTED)),
            returned=Count("id", filter=Q(status=ReportStatus.RETURNED)),
        )
    ):
        values[row.pop("unit_id")] = row
    evaluations = Evaluation.objects.filter(unit_id__in=ids, period_start__in=starts).order_by()
    for row in evaluations.values("unit_id").annotate(evaluations=Count("id"), score_sum=Sum("score")):
        values.setdefault(row["unit_id"], {}).update(evaluations=row["evaluations"], score_sum=row["score_sum"])
    in_periods = {"report__unit_id__in": ids, "report__period_start__in": starts}
    for unit_id, posts in (
        SocialMediaWatch.objects.filter(**in_periods)
        .order_by()
        .values("report__unit_id")
        .annotate(posts=Sum("posts_reviewed"))
        .values_list("report__unit_id", "posts")
    ):
        values.setdefault(unit_id, {})["posts_reviewed"] = posts or 0
    for row in (
        FlaggedPost.objects.filter(**in_periods)
        .order_by()
        .values("report__unit_id")
        .annotate(n=Count("id"), cases=Count("id", filter=Q(case__isnull=False)))
    ):
        values.setdefault(row["report__unit_id"], {}).update(flagged=row["n"], flagged_to_case=row["cases"])
    for unit_id in scope.unit_ids:  # the units with a row owe a report for every period
        entry = values.setdefault(unit_id, {})
        entry["due"], entry["not_yet_due"] = len(due_starts), len(periods) - len(due_starts)
        entry["missing"] = len(due_starts) - entry.get("submitted_due", 0)
    keys = [
        "due",
        "not_yet_due",
        "started",
        "submitted",
        "accepted",
        "returned",
        "missing",
        "evaluations",
        "score_sum",
        "posts_reviewed",
        "flagged",
        "flagged_to_case",
    ]
    rows = unit_rows(scope, values, dict.fromkeys(keys, 0), summed=keys)
    for row in rows:
        row.pop("submitted_due", None)
        score_sum = row.pop("score_sum")
        row["average_score"] = wording.round_half_up(score_sum / row["evaluations"], 1) if row["evaluations"] else None
    keys.remove("score_sum")
    totals = total(rows, keys)
    scores = dict(evaluations.values("score").annotate(n=Count("id")).values_list("score", "n"))
    average = evaluations.aggregate(average=Avg("score"))["average"]
    totals["average_score"] = wording.round_half_up(average, 1) if average is not None else None
    totals["submitted_percent"] = pct(totals["due"] - totals["missing"], totals["due"])
    return {
        "periods": [[s.isoformat(), e.isoformat()] for s, e in periods],
        "due_periods": len(due_starts),
        "total": totals,
        "grades": grade_counts(scores),
        "rows": rows,
        "points": vulnerable_points(scope, semester),
    }


def vulnerable_points(scope: Scope, semester: Semester) -> dict:
    from satgas.monitoring.models import PointStatus, VulnerablePoint

    points = VulnerablePoint.objects.filter(
        unit_id__in=scope.all_ids, stage__starts_on__lte=semester.last_day, stage__ends_on__gte=semester.first_day
    ).order_by()
    levels = {1: "low", 2: "medium", 3: "high"}
    stages: dict[tuple, dict] = {}
    for row in points.values(
        "stage__election__name", "stage__name", "stage__starts_on", "stage__ends_on", "risk_level"
    ).annotate(n=Count("id"), open=Count("id", filter=Q(status=PointStatus.OPEN))):
        key = (row["stage__starts_on"], row["stage__election__name"], row["stage__name"])
        entry = stages.setdefault(
            key,
            {
                "election": row["stage__election__name"],
                "stage": row["stage__name"],
                "starts_on": row["stage__starts_on"].isoformat(),
                "ends_on": row["stage__ends_on"].isoformat(),
                **dict.fromkeys(["low", "medium", "high", "open", "total"], 0),
            },
        )
        entry[levels[row["risk_level"]]] += row["n"]
        entry["open"] += row["open"]
        entry["total"] += row["n"]
    values: dict[int, dict] = {}
    for row in points.values("unit_id", "risk_level").annotate(n=Count("id")):
        entry = values.setdefault(row["unit_id"], {})
        level = levels[row["risk_level"]]
        entry[level] = entry.get(level, 0) + row["n"]
        entry["total"] = entry.get("total", 0) + row["n"]
    keys = ["low", "medium", "high", "total"]
    rows = unit_rows(scope, values, dict.fromkeys(keys, 0), summed=keys)
    stage_rows = [stages[k] for k in sorted(stages)]
    return {
        "by_stage": stage_rows,
        "rows": rows,
        "total": {**total(rows, keys), "open": sum(s["open"] for s in stage_rows)},
    }
