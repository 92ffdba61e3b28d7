"""Read queries of the personnel registry; visibility decided once here."""

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from satgas.accounts.roles import roles_for
from satgas.core import aggregates

from .models import EmploymentType, Person, PersonnelImport, PersonStatus, Placement, Unit


def persons_for_user(user) -> QuerySet[Person]:
    """Every person ``user`` may see."""
    roles = roles_for(user)
    qs = Person.objects.select_related("unit")
    if roles.sees_whole_region:
        return qs
    unit_ids = roles.readable_unit_ids() or frozenset()
    condition = Q(unit_id__in=unit_ids)
    if roles.person_id:
        condition |= Q(pk=roles.person_id)
    if not unit_ids and not roles.person_id:
        return qs.none()
    return qs.filter(condition)


def person_get_for_user(user, pk) -> Person:
    """The person, or 404 when ``user`` may not see them."""
    return get_object_or_404(persons_for_user(user), pk=pk)


def own_person(*, user) -> Person | None:
    if not user.is_authenticated or not user.person_id:
        return None
    return Person.objects.select_related("unit").filter(pk=user.person_id).first()


def person_search(qs: QuerySet[Person], text: str) -> QuerySet[Person]:
    """Match name (each word) or the NIP/NIK, with or without spaces."""
    text = (text or "").strip()
    if not text:
        return qs
    digits = text.replace(" ", "")
    if digits.isdigit():
        return qs.filter(Q(nip__startswith=digits) | Q(nik__startswith=digits))
    for word in text.split():
        qs = qs.filter(full_name__icontains=word)
    return qs


def units_for_user(user) -> QuerySet[Unit]:
    roles = roles_for(user)
    qs = Unit.objects.select_related("parent", "head")
    ids = roles.readable_unit_ids()
    if ids is None:
        return qs
    return qs.filter(pk__in=ids)


def unit_choices(units: QuerySet[Unit] | None = None) -> QuerySet[Unit]:
    """``units`` (default: all) as a filter's options: only what the label shows, nothing joined (a region's
    unit filter lists hundreds of them on every list page)."""
    units = Unit.objects.all() if units is None else units
    return units.select_related(None).only("pk", "code", "name")


def unit_get_for_user(user, pk) -> Unit:
    return get_object_or_404(units_for_user(user), pk=pk)


def units_with_counts(user) -> QuerySet[Unit]:
    return units_for_user(user).annotate(
        active_count=Count("personnel", filter=Q(personnel__status=PersonStatus.ACTIVE)),
        asn_count=Count(
            "personnel",
            filter=Q(personnel__status=PersonStatus.ACTIVE, personnel__employment_type__in=["PNS", "PPPK"]),
        ),
        ppnpn_count=Count(
            "personnel",
            filter=Q(personnel__status=PersonStatus.ACTIVE, personnel__employment_type=EmploymentType.PPNPN),
        ),
    )


def unit_tree(user) -> list[tuple[Unit, int]]:
    """Units in tree order with their depth, for indented lists."""
    units = list(units_with_counts(user).order_by("name"))
    by_parent: dict[int | None, list[Unit]] = {}
    ids = {u.pk for u in units}
    for unit in units:
        parent = unit.parent_id if unit.parent_id in ids else None
        by_parent.setdefault(parent, []).append(unit)
    out: list[tuple[Unit, int]] = []

    def walk(parent_id, depth):
        for unit in by_parent.get(parent_id, []):
            out.append((unit, depth))
            walk(unit.pk, depth + 1)

    walk(None, 0)
    return out


def email_change_pending(person: Person):
    """The person's change of address waiting for its confirmation, if any."""
    from .models import EmailChange, EmailChangeStatus

    return (
        EmailChange.objects.select_related("requested_by")
        .filter(person=person, status=EmailChangeStatus.PENDING)
        .first()
    )


def email_changes_of(person: Person, limit: int = 5) -> list:
    """The latest changes of address asked for the person (pending first), with who asked and decided."""
    from .models import EmailChange

    return list(
        EmailChange.objects.select_related("requested_by", "decided_by")
        .filter(person=person)
        .order_by("-requested_at", "-id")[:limit]
    )


def placements_of(person: Person) -> QuerySet[Placement]:
    return person.placements.select_related("unit", "created_by").order_by("-started_on", "-id")


def dashboard_summary(*, user) -> dict:
    """Head counts for the dashboard: active people per employment type (one grouped query, no join), those
    with a login (a count over the logins), so "without a login" is the difference; and the units. Kept in the
    cache until the registry changes (a full count of the region's people on every dashboard otherwise)."""
    roles = roles_for(user)
    if not (roles.sees_whole_region or roles.is_leader or roles.is_taskforce):
        return {}
    scope = None if roles.sees_whole_region else (sorted(roles.readable_unit_ids() or ()), roles.person_id)
    return aggregates.cached("personnel.dashboard", scope, lambda: _head_counts(user), topics=[aggregates.REGISTRY])


def _head_counts(user) -> dict:
    from satgas.accounts.models import User

    qs = persons_for_user(user).filter(status=PersonStatus.ACTIVE)
    by_type = dict(qs.order_by().values_list("employment_type").annotate(n=Count("*")))
    totals = {
        "pns": by_type.get(EmploymentType.PNS, 0),
        "pppk": by_type.get(EmploymentType.PPPK, 0),
        "ppnpn": by_type.get(EmploymentType.PPNPN, 0),
        "total": sum(by_type.values()),
    }
    with_account = User.objects.filter(person__in=qs.values("pk")).count()
    totals["without_account"] = totals["total"] - with_account
    totals["units"] = units_for_user(user).filter(is_active=True).count()
    return totals


def imports_for_user(user) -> QuerySet[PersonnelImport]:
    if not roles_for(user).is_regional_admin:
        return PersonnelImport.objects.none()
    return PersonnelImport.objects.select_related("uploaded_by").defer("content", "issues")


def import_get_for_user(user, pk) -> PersonnelImport:
    return get_object_or_404(PersonnelImport.objects.filter(pk__in=imports_for_user(user).values("pk")), pk=pk)


def persons_in_scope(*, unit_ids, employment_types=None) -> QuerySet[Person]:
    """Active employees of the given units (optionally only some employment types)."""
    qs = Person.objects.filter(status=PersonStatus.ACTIVE, unit_id__in=unit_ids)
    if employment_types:
        qs = qs.filter(employment_type__in=employment_types)
    return qs


def person_find_by_identity(number: str) -> Person | None:
    """The person whose NIP or NIK is ``number`` (spaces ignored)."""
    from .identity import normalize_number

    number = normalize_number(number)
    if not number:
        return None
    return Person.objects.select_related("unit").filter(Q(nip=number) | Q(nik=number)).first()
