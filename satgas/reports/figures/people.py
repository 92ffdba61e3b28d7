"""Personnel, socialization coverage, oath and pact coverage."""

from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from satgas.personnel.models import Person, PersonStatus

from .. import wording
from ..periods import JAKARTA, Semester
from .common import OTHER, Scope, pct, total, unit_ref, unit_rows


def personnel(scope: Scope) -> dict:
    values: dict[int, dict] = {}
    for row in (
        Person.objects.filter(status=PersonStatus.ACTIVE, unit_id__in=scope.all_ids)
        .order_by()
        .values("unit_id", "employment_type")
        .annotate(n=Count("id"))
    ):
        entry = values.setdefault(row["unit_id"], {})
        entry[row["employment_type"]] = entry.get(row["employment_type"], 0) + row["n"]
    for entry in values.values():
        entry["total"] = sum(entry.get(t, 0) for t in wording.EMPLOYMENT_TYPES)
    keys = [*wording.EMPLOYMENT_TYPES, "total"]
    rows = unit_rows(scope, values, dict.fromkeys(keys, 0), summed=keys)
    return {"total": total(rows, keys), "rows": rows}


def socialization(scope: Scope, semester: Semester) -> dict:
    from satgas.socialization.models import Attendance, SocializationSession

    start, end, ids = semester.start, semester.end, scope.all_ids
    session_units = SocializationSession.units.through.objects.filter(
        unit_id__in=ids, socializationsession__starts_at__gte=start, socializationsession__starts_at__lt=end
    )
    sessions_by_unit = dict(
        session_units.order_by()
        .values("unit_id")
        .annotate(n=Count("socializationsession_id", distinct=True))
        .values_list("unit_id", "n")
    )
    in_scope = Exists(
        SocializationSession.units.through.objects.filter(socializationsession_id=OuterRef("pk"), unit_id__in=ids)
    )
    sessions = [
        {
            "title": s["title"],
            "date": timezone.localtime(s["starts_at"]).date().isoformat(),
            "mode": s["mode"],
            "mode_label": "Daring" if s["mode"] == "VIDEO_CALL" else "Luring",
            "units": s["unit_count"],
            "attendees": s["attendees"],
        }
        for s in SocializationSession.objects.filter(in_scope, starts_at__gte=start, starts_at__lt=end)
        .annotate(
            unit_count=Count("units", filter=Q(units__in=ids), distinct=True),
            attendees=Count("attendances", filter=Q(attendances__person__unit_id__in=ids), distinct=True),
        )
        .order_by("starts_at", "pk")
        .values("title", "starts_at", "mode", "unit_count", "attendees")
    ]
    attended_in_period = Exists(
        Attendance.objects.filter(person=OuterRef("pk"), session__starts_at__gte=start, session__starts_at__lt=end)
    )
    attended_before_end = Exists(Attendance.objects.filter(person=OuterRef("pk"), session__starts_at__lt=end))
    values: dict[int, dict] = {}
    for row in (
        Person.objects.filter(status=PersonStatus.ACTIVE, unit_id__in=ids)
        .annotate(in_period=attended_in_period, covered=attended_before_end)
        .order_by()
        .values("unit_id")
        .annotate(
            active=Count("id"),
            attended=Count("id", filter=Q(in_period=True)),
            covered_n=Count("id", filter=Q(covered=True)),
        )
    ):
        values[row["unit_id"]] = {"active": row["active"], "attended": row["attended"], "covered": row["covered_n"]}
    for unit_id, n in sessions_by_unit.items():
        values.setdefault(unit_id, {})["sessions"] = n
    keys = ["sessions", "active", "attended", "covered"]
    rows = unit_rows(scope, values, dict.fromkeys(keys, 0), summed=keys)
    for row in rows:
        row["percent"] = pct(row["covered"], row["active"])
    totals = total(rows, ["active", "attended", "covered"])
    totals["sessions"] = len(sessions)
    totals["percent"] = pct(totals["covered"], totals["active"])
    return {"total": totals, "rows": rows, "sessions": sessions}


def signed_by_q(semester: Semester):
    """Signatures made by the period's last day, Asia/Jakarta: a paper form counts from the day it was
    signed on paper (``paper_signed_on``), not the day someone typed it in."""
    from satgas.oaths.models import Signature

    return (
        Signature.objects.valid()  # a signature voided by an admin ("Bukan saya") never counts
        .annotate(signed_on=Coalesce("paper_signed_on", TruncDate("signed_at", tzinfo=JAKARTA)))
        .filter(signed_on__lte=semester.last_day)
    )


def oaths(scope: Scope, semester: Semester) -> dict:
    """Per campaign overlapping the period: required, signed by the period's end, per unit (3 queries)."""
    from satgas.oaths.models import Campaign, CampaignStatus

    start, end, ids = semester.start, semester.end, scope.all_ids
    through = Campaign.units.through
    campaigns = list(
        Campaign.objects.filter(opens_at__lt=end, closes_at__gte=start)
        .exclude(status=CampaignStatus.DRAFT)
        .filter(Exists(through.objects.filter(campaign_id=OuterRef("pk"), unit_id__in=ids)))
        .select_related("version__document", "election")
        .order_by("opens_at", "pk")
    )
    if not campaigns:
        return {"campaigns": [], "rows": unit_rows(scope, {}, {"required": 0, "signed": 0, "percent": None})}
    units_of: dict[int, set[int]] = {}
    for campaign_id, unit_id in through.objects.filter(
        campaign_id__in=[c.pk for c in campaigns], unit_id__in=ids
    ).values_list("campaign_id", "unit_id"):
        units_of.setdefault(campaign_id, set()).add(unit_id)
    signed = signed_by_q(semester)
    signed_flags = {f"s{c.pk}": Exists(signed.filter(campaign_id=c.pk, person=OuterRef("pk"))) for c in campaigns}
    counts = {f"n{c.pk}": Count("id", filter=Q(**{f"s{c.pk}": True})) for c in campaigns}
    # (unit, employment type) -> active head count and signatures per campaign: one query for all campaigns.
    cells = {
        (row.pop("unit_id"), row.pop("employment_type")): row
        for row in Person.objects.filter(status=PersonStatus.ACTIVE, unit_id__in=ids)
        .annotate(**signed_flags)
        .order_by()
        .values("unit_id", "employment_type")
        .annotate(active=Count("id"), **counts)
    }
    by_unit: dict[int, list[dict]] = {}
    for (unit_id, employment_type), cell in cells.items():
        by_unit.setdefault(unit_id, []).append({**cell, "employment_type": employment_type})
    combined: dict[int, dict] = {}
    out = []
    for campaign in campaigns:
        types = set(campaign.employment_types or wording.EMPLOYMENT_TYPES)
        asked_units = units_of.get(campaign.pk, set())
        per_unit: dict[int, dict] = {}
        for unit_id in asked_units:
            asked = [cell for cell in by_unit.get(unit_id, []) if cell["employment_type"] in types]
            per_unit[unit_id] = {
                "required": sum(cell["active"] for cell in asked),
                "signed": sum(cell[f"n{campaign.pk}"] for cell in asked),
            }
            entry = combined.setdefault(unit_id, {"required": 0, "signed": 0})
            entry["required"] += per_unit[unit_id]["required"]
            entry["signed"] += per_unit[unit_id]["signed"]
        rows = [{**unit_ref(u), **per_unit[u["id"]]} for u in scope.units if u["id"] in asked_units]
        others = [per_unit[i] for i in scope.inactive_ids if i in asked_units]
        if any(o["required"] or o["signed"] for o in others):
            rows.append({**OTHER, **total(others, ["required", "signed"])})
        for row in rows:
            row["percent"] = pct(row["signed"], row["required"])
        sums = total(rows, ["required", "signed"])
        out.append(
            {
                "title": campaign.title,
                "kind": campaign.version.document.kind,
                "kind_label": wording.DOCUMENT_KINDS.get(campaign.version.document.kind, ""),
                "document": str(campaign.version.document.title),
                "version": campaign.version.number,
                "election": campaign.election.name,
                "opens_on": timezone.localtime(campaign.opens_at).date().isoformat(),
                "closes_on": timezone.localtime(campaign.closes_at).date().isoformat(),
                "status": campaign.status,
                "status_label": wording.CAMPAIGN_STATUS.get(campaign.status, campaign.status),
                **sums,
                "percent": pct(sums["signed"], sums["required"]),
                "rows": rows,
            }
        )
    unit_rows_ = unit_rows(scope, combined, {"required": 0, "signed": 0}, summed=["required", "signed"])
    for row in unit_rows_:
        row["percent"] = pct(row["signed"], row["required"])
    return {"campaigns": out, "rows": unit_rows_}
