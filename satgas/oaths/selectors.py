"""Read queries of oaths and campaigns; visibility decided once here."""

from django.core.paginator import Paginator
from django.db.models import Count, Exists, FilteredRelation, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404

from satgas.accounts.roles import roles_for
from satgas.core import aggregates
from satgas.personnel.models import Person, PersonStatus, Unit
from satgas.personnel.selectors import persons_in_scope

from .models import Campaign, CampaignStatus, OathVersion, Signature


def campaigns_for_user(user) -> QuerySet[Campaign]:
    """Campaigns the user may follow: admins all, unit roles those covering their units."""
    roles = roles_for(user)
    qs = Campaign.objects.select_related("version__document", "election")
    if roles.sees_whole_region:
        return qs
    unit_ids = roles.readable_unit_ids() or frozenset()
    if not unit_ids:
        return qs.none()
    return qs.filter(units__in=unit_ids).exclude(status=CampaignStatus.DRAFT).distinct()


def campaign_get_for_user(user, pk) -> Campaign:
    return get_object_or_404(campaigns_for_user(user), pk=pk)


def campaign_unit_ids(campaign: Campaign, user=None) -> list[int]:
    """The campaign's units, limited to those the user may read."""
    ids = list(campaign.units.values_list("pk", flat=True))
    if user is None:
        return ids
    readable = roles_for(user).readable_unit_ids()
    return ids if readable is None else [i for i in ids if i in readable]


def _signed(campaign: Campaign):
    return Exists(Signature.objects.valid().filter(campaign=campaign, person=OuterRef("pk")))


def campaign_required(campaign: Campaign, unit_ids) -> QuerySet[Person]:
    return persons_in_scope(unit_ids=unit_ids, employment_types=campaign.employment_types)


COMPLIANCE_PAGE_SIZE = 50


def _asked_in_unit(campaign: Campaign) -> QuerySet[Person]:
    """The people of the outer unit asked to sign (the unit itself is already in scope)."""
    return Person.objects.filter(
        unit=OuterRef("pk"), status=PersonStatus.ACTIVE, employment_type__in=campaign.employment_types
    )


def _with_signature(campaign: Campaign, people: QuerySet[Person]) -> QuerySet[Person]:
    """``people`` each joined to their signature of ``campaign`` if any (a LEFT JOIN: count "signature")."""
    return people.annotate(
        signature=FilteredRelation(
            "oath_signatures",
            condition=Q(oath_signatures__campaign=campaign, oath_signatures__voided_at__isnull=True),
        )
    )


def campaign_compliance_units(campaign: Campaign, unit_ids) -> QuerySet[Unit]:
    """The campaign's units (of ``unit_ids``) where anyone is asked to sign, by name."""
    return Unit.objects.filter(pk__in=unit_ids).filter(Exists(_asked_in_unit(campaign))).order_by("name", "pk")


def campaign_compliance(campaign: Campaign, unit_ids, *, page: str | int | None = 1) -> dict:
    """Per unit where anyone is asked to sign (50 units a page, by name): required, signed and percentage; and
    the totals over every unit. Four queries whatever the region's size: the number of units, the page's units,
    their two counts (grouped over those units' people only), and one aggregate for the totals; the counts are
    kept in the cache until a signature, the campaign or the registry changes (``satgas.core.aggregates``)."""
    page_obj = Paginator(campaign_compliance_units(campaign, unit_ids), COMPLIANCE_PAGE_SIZE).get_page(page)
    page_unit_ids = [u.pk for u in page_obj.object_list]
    counts = aggregates.cached(
        "oaths.compliance_rows",
        (campaign.pk, page_unit_ids, sorted(campaign.employment_types)),
        lambda: {
            row["unit_id"]: (row["required"], row["signed"])
            # A few thousand people: an index probe per person for their signature beats joining every signature.
            for row in campaign_required(campaign, page_unit_ids)
            .annotate(is_signed=_signed(campaign))
            .values("unit_id")
            .annotate(required=Count("pk"), signed=Count("pk", filter=Q(is_signed=True)))
            .order_by()
        },
        topics=[aggregates.REGISTRY, aggregates.campaign_topic(campaign.pk)],
    )
    rows = []
    for unit in page_obj.object_list:
        required, signed = counts.get(unit.pk, (0, 0))
        rows.append(
            {
                "unit_id": unit.pk,
                "unit__name": unit.name,
                "unit__code": unit.code,
                "required": required,
                "signed": signed,
                "percent": round(100 * signed / required, 1) if required else 0.0,
            }
        )
    totals = {"required": 0, "signed": 0}
    if page_obj.paginator.count:
        totals = campaign_totals(campaign, unit_ids)
    return {
        "rows": rows,
        "page": page_obj,
        "required": totals["required"],
        "signed": totals["signed"],
        "percent": round(100 * totals["signed"] / totals["required"], 1) if totals["required"] else 0.0,
    }


def campaign_totals(campaign: Campaign, unit_ids) -> dict:
    """Required and signed over ``unit_ids``: one pass joining the people to the campaign's signatures (probing
    per person is ~2x slower), ~150 ms at 200,000 people, so kept in the cache until a signature, the campaign
    or the registry changes."""
    return aggregates.cached(
        "oaths.campaign_totals",
        (campaign.pk, sorted(unit_ids), sorted(campaign.employment_types)),
        lambda: _with_signature(campaign, campaign_required(campaign, unit_ids)).aggregate(
            required=Count("pk"), signed=Count("signature")
        ),
        topics=[aggregates.REGISTRY, aggregates.campaign_topic(campaign.pk)],
    )


def campaign_non_signers(campaign: Campaign, unit_ids) -> QuerySet[Person]:
    return (
        campaign_required(campaign, unit_ids)
        .annotate(is_signed=_signed(campaign))
        .filter(is_signed=False)
        .select_related("unit")
        .order_by("unit__name", "full_name", "id")
    )


def campaign_signatures(campaign: Campaign, unit_ids, *, flagged_only: bool = False) -> QuerySet[Signature]:
    """Every signature (voided ones too, marked); ``flagged_only``: those reported "Bukan saya" not yet voided."""
    qs = Signature.objects.filter(campaign=campaign, person__unit_id__in=unit_ids)
    if flagged_only:
        qs = qs.filter(disputed_at__isnull=False, voided_at__isnull=True)
    return qs.select_related("person__unit", "recorded_by").order_by("-signed_at")


def campaign_flagged_count(campaign: Campaign, unit_ids) -> int:
    """Signatures reported "Bukan saya" by their person that no admin has voided yet (kept in the cache until a
    signature of the campaign or the registry changes, like the compliance figures)."""
    return aggregates.cached(
        "oaths.flagged",
        (campaign.pk, sorted(unit_ids)),
        lambda: Signature.objects.filter(
            campaign=campaign, person__unit_id__in=unit_ids, disputed_at__isnull=False, voided_at__isnull=True
        ).count(),
        topics=[aggregates.REGISTRY, aggregates.campaign_topic(campaign.pk)],
    )


def campaigns_for_person(person) -> list[tuple[Campaign, Signature | None]]:
    """Open campaigns a staff member must sign, and those they signed."""
    if person is None:
        return []
    signatures = {s.campaign_id: s for s in Signature.objects.valid().filter(person=person).select_related("campaign")}
    open_in_scope = Campaign.objects.filter(status=CampaignStatus.OPEN, units=person.unit_id)
    campaigns = {c.pk: c for c in open_in_scope.select_related("version", "election")}
    campaigns = {pk: c for pk, c in campaigns.items() if person.employment_type in c.employment_types}
    for campaign_id, signature in signatures.items():
        campaigns.setdefault(campaign_id, signature.campaign)
    ordered = sorted(campaigns.values(), key=lambda c: c.closes_at, reverse=True)
    return [(c, signatures.get(c.pk)) for c in ordered]


def campaigns_to_sign_for(person) -> QuerySet[Campaign]:
    """Non-draft campaigns whose units and employment types include the person."""
    campaigns = (
        Campaign.objects.select_related("version__document")
        .filter(units=person.unit_id)
        .exclude(status=CampaignStatus.DRAFT)
    )
    ids = [c.pk for c in campaigns if person.employment_type in c.employment_types]
    return Campaign.objects.select_related("version__document").filter(pk__in=ids)


def signature_by_code(code: str) -> Signature | None:
    code = (code or "").strip().upper().replace("-", "")
    if not code.isalnum() or len(code) != 20:
        return None
    return (
        Signature.objects.select_related("person__unit", "campaign", "version__document")
        .filter(verification_code=code)
        .first()
    )


def signature_get_for_user(user, pk) -> Signature:
    """The signer themself, admins, and the unit roles of the signer's unit."""
    roles = roles_for(user)
    qs = Signature.objects.select_related("person__unit", "campaign", "version__document", "voided_by", "signed_by")
    if not roles.sees_whole_region:
        readable = roles.readable_unit_ids() or frozenset()
        qs = qs.filter(Q(person_id=roles.person_id) | Q(person__unit_id__in=readable))
    return get_object_or_404(qs, pk=pk)


def versions_all() -> QuerySet[OathVersion]:
    return OathVersion.objects.select_related("document").annotate(commitment_count=Count("commitments"))


def oath_coverage_by_unit(*, election, unit_ids) -> dict[int, dict]:
    """Per unit: active staff and how many signed a campaign of ``election``."""
    signed = Exists(Signature.objects.valid().filter(person=OuterRef("pk"), campaign__election=election))
    rows = (
        Person.objects.filter(status=PersonStatus.ACTIVE, unit_id__in=unit_ids)
        .annotate(has_signed=signed)
        .values("unit_id")
        .annotate(staff=Count("id"), signed=Count("id", filter=Q(has_signed=True)))
    )
    return {row["unit_id"]: {"staff": row["staff"], "signed": row["signed"]} for row in rows}


def coverage_table(*, user, election_id=None) -> dict:
    """Per unit the user may read: active staff, socialized and signed, for one election."""
    from satgas.elections.models import Election
    from satgas.personnel.selectors import units_for_user
    from satgas.socialization.selectors import attendance_coverage_by_unit

    elections = list(Election.objects.all())
    election = next((e for e in elections if str(e.pk) == str(election_id)), elections[0] if elections else None)
    units = list(units_for_user(user).filter(is_active=True).order_by("name"))
    unit_ids = [u.pk for u in units]
    oath = oath_coverage_by_unit(election=election, unit_ids=unit_ids) if election else {}
    socialized = attendance_coverage_by_unit(unit_ids=unit_ids, election=election)
    rows = []
    for unit in units:
        staff = oath.get(unit.pk, {}).get("staff", 0)
        if not staff:
            continue
        signed = oath.get(unit.pk, {}).get("signed", 0)
        attended = socialized.get(unit.pk, 0)
        rows.append(
            {
                "unit": unit,
                "staff": staff,
                "signed": signed,
                "attended": attended,
                "signed_pct": round(100 * signed / staff, 1),
                "attended_pct": round(100 * attended / staff, 1),
            }
        )
    return {"rows": rows, "elections": elections, "election": election}
