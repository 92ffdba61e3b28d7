"""Violation cases: received, outcome, categories, sanctions, handling times."""

import statistics

from django.db.models import Count, Exists, OuterRef, Q

from .. import wording
from ..periods import Semester
from .common import Scope, total, unit_rows


def _median_days(pairs) -> float | None:
    days = [(end - start).total_seconds() / 86400 for start, end in pairs if start and end]
    return wording.round_half_up(statistics.median(days), 1) if days else None


def violations(scope: Scope, semester: Semester) -> dict:
    from satgas.violations.models import Case, CaseStatus, CaseTransition, Sanction

    start, end, ids = semester.start, semester.end, scope.all_ids
    cases = Case.objects.filter(unit_id__in=ids, received_at__gte=start, received_at__lt=end).order_by()

    def moved_to(status):
        return Exists(CaseTransition.objects.filter(case=OuterRef("pk"), to_status=status, at__lt=end))

    flags = {
        "was_proven": moved_to(CaseStatus.PROVEN),
        "was_not_proven": moved_to(CaseStatus.NOT_PROVEN),
        "was_dismissed": moved_to(CaseStatus.DISMISSED),
        "was_referred": moved_to(CaseStatus.REFERRED),
    }
    values: dict[int, dict] = {}
    for row in (
        cases.annotate(**flags)
        .values("unit_id")
        .annotate(
            received=Count("id"),
            proven=Count("id", filter=Q(was_proven=True)),
            not_proven=Count("id", filter=Q(was_not_proven=True)),
            dismissed=Count("id", filter=Q(was_dismissed=True)),
            referred=Count("id", filter=Q(was_referred=True)),
            confidential=Count("id", filter=Q(confidential=True)),
        )
    ):
        unit_id = row.pop("unit_id")
        row["in_progress"] = row["received"] - row["proven"] - row["not_proven"] - row["dismissed"] - row["referred"]
        values[unit_id] = row
    sanctions_in_period = Sanction.objects.filter(
        case__unit_id__in=ids, decree_date__gte=semester.first_day, decree_date__lte=semester.last_day
    ).order_by()
    for unit_id, n in (
        sanctions_in_period.values("case__unit_id").annotate(n=Count("id")).values_list("case__unit_id", "n")
    ):
        values.setdefault(unit_id, {})["sanctions"] = n
    outcome_keys = list(wording.OUTCOMES)
    keys = ["received", *outcome_keys, "confidential", "sanctions"]
    rows = unit_rows(scope, values, dict.fromkeys(keys, 0), summed=keys)
    totals = total(rows, keys)

    categories = []
    for row in cases.values("categories__kind", "categories__name", "categories__order").annotate(
        n=Count("id", distinct=True)
    ):
        kind = row["categories__kind"] or ""
        categories.append(
            {
                "kind": kind,
                "kind_label": wording.CATEGORY_KINDS.get(kind, kind),
                "name": row["categories__name"] or wording.CATEGORY_KINDS[""],
                "order": row["categories__order"] or 0,
                "cases": row["n"],
            }
        )
    kind_order = {"ETHICS": 0, "DISCIPLINARY": 1, "": 2}
    categories.sort(key=lambda c: (kind_order.get(c["kind"], 3), c["order"], c["name"]))
    for c in categories:
        del c["order"]
    merged: dict[tuple, dict] = {}
    for row in cases.values("unit_id", "categories__name").annotate(n=Count("id", distinct=True)):
        ref = scope.ref(row["unit_id"])
        category = row["categories__name"] or wording.CATEGORY_KINDS[""]
        entry = merged.setdefault((ref["unit_id"], category), {**ref, "category": category, "cases": 0})
        entry["cases"] += row["n"]
    position = {u["id"]: i for i, u in enumerate(scope.units)}
    by_unit_category = sorted(merged.values(), key=lambda r: (position.get(r["unit_id"], len(position)), r["category"]))

    sanction_counts: dict[str, int] = {}
    for row in sanctions_in_period.values("kind", "ethics_form", "discipline_level", "contract_form").annotate(
        n=Count("id")
    ):
        detail = row["ethics_form"] or row["discipline_level"] or row["contract_form"]
        key = f"{row['kind']}:{detail}"
        sanction_counts[key] = sanction_counts.get(key, 0) + row["n"]
    sanctions = [
        {"key": key, "label": label, "count": sanction_counts[key]}
        for key, label in wording.SANCTIONS.items()
        if key in sanction_counts
    ]
    sanctions += [
        {"key": key, "label": key, "count": n} for key, n in sanction_counts.items() if key not in wording.SANCTIONS
    ]

    timings = list(cases.values_list("received_at", "verified_at", "closed_at"))
    totals["median_days_verification"] = _median_days((r, v) for r, v, _c in timings if v and v < end)
    totals["median_days_closure"] = _median_days((r, c) for r, _v, c in timings if c and c < end)
    return {
        "total": totals,
        "rows": rows,
        "categories": categories,
        "by_unit_category": by_unit_category,
        "outcomes": [{"key": k, "label": wording.OUTCOMES[k], "count": totals[k]} for k in outcome_keys],
        "sanctions": sanctions,
    }
