"""Read queries of socialization sessions; visibility comes from ``permissions``."""

from dataclasses import dataclass

from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, OuterRef, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from satgas.personnel.models import Person, PersonStatus, Unit
from satgas.personnel.selectors import person_search, persons_in_scope

from . import permissions
from .models import Attendance, AttendanceImport, CheckinAttempt, SessionMaterial, SocializationSession

SessionUnit = SocializationSession.units.through


def sessions_for_user(user) -> QuerySet[SocializationSession]:
    """Every session ``user`` may see (those that include one of their visible units)."""
    qs = SocializationSession.objects.select_related("election")
    unit_ids = permissions.visible_unit_ids(user)
    if unit_ids is None:
        return qs
    if not unit_ids:
        return qs.none()
    return qs.filter(Exists(SessionUnit.objects.filter(socializationsession_id=OuterRef("pk"), unit_id__in=unit_ids)))


def session_list_for_user(user) -> QuerySet[SocializationSession]:
    return (
        sessions_for_user(user)
        .prefetch_related(Prefetch("units", queryset=Unit.objects.order_by("name")))
        .annotate(attendance_count=Count("attendances"))
        .order_by("-starts_at", "-id")
    )


def session_get_for_user(user, pk) -> SocializationSession:
    """The session (units prefetched), or 404 when ``user`` may not see it."""
    qs = (
        sessions_for_user(user)
        .select_related("created_by")
        .prefetch_related(Prefetch("units", queryset=Unit.objects.order_by("name")))
    )
    return get_object_or_404(qs, pk=pk)


def session_get_by_checkin_code(code: str) -> SocializationSession:
    return get_object_or_404(SocializationSession.objects.prefetch_related("units"), checkin_code=code)


def session_units_visible_to(user) -> QuerySet[Unit]:
    """Units offered in the list filter."""
    unit_ids = permissions.visible_unit_ids(user)
    qs = Unit.objects.filter(is_active=True).order_by("name")
    return qs if unit_ids is None else qs.filter(pk__in=unit_ids)


def units_for_new_session(user, *, include: SocializationSession | None = None) -> QuerySet[Unit]:
    """Units a session may be for; ``include``'s own units stay choosable even if now inactive."""
    unit_ids = permissions.creatable_unit_ids(user)
    condition = Q(is_active=True)
    if unit_ids is not None:
        condition &= Q(pk__in=unit_ids)
    if include is not None:
        condition |= Q(pk__in=[unit.pk for unit in include.units.all()])
    return Unit.objects.filter(condition).order_by("name")


# --- Attendance and materials ---------------------------------------------------


def shared_device_q():
    """A self check-in from a browser that was used for another person too (any session, refused attempts too)."""
    same_device = CheckinAttempt.objects.filter(device_id=OuterRef("device_id"))
    other_person = same_device.exclude(person_id=OuterRef("person_id"))
    return ~Q(device_id="") & Exists(other_person)


def attendances_for(session: SocializationSession, *, unit_ids=None) -> QuerySet[Attendance]:
    """Attendance rows of a session, optionally only of people now in ``unit_ids``; ``shared_device`` flags
    self check-ins from a browser that was used for more than one person."""
    qs = (
        session.attendances.select_related("person", "person__unit", "recorded_by")
        .annotate(shared_device=ExpressionWrapper(shared_device_q(), output_field=BooleanField()))
        .order_by("person__full_name", "person_id")
    )
    if unit_ids is not None:
        qs = qs.filter(person__unit_id__in=unit_ids)
    return qs


def attendance_get(session: SocializationSession, pk) -> Attendance:
    return get_object_or_404(session.attendances.select_related("person", "session"), pk=pk)


def attendance_import_get(session: SocializationSession, pk) -> AttendanceImport:
    return get_object_or_404(session.attendance_imports.defer("content"), pk=pk)


def has_attended(session: SocializationSession, person_id: int | None) -> bool:
    return bool(person_id) and session.attendances.filter(person_id=person_id).exists()


def pickable_persons(session: SocializationSession, text: str = "") -> QuerySet[Person]:
    """Active employees of the session's units, matching a name or NIP/NIK search."""
    unit_ids = [unit.pk for unit in session.units.all()]
    qs = persons_in_scope(unit_ids=unit_ids).select_related("unit").order_by("full_name", "id")
    return person_search(qs, text)


def attended_person_ids(session: SocializationSession) -> set[int]:
    return set(session.attendances.values_list("person_id", flat=True))


def materials_of(session: SocializationSession) -> QuerySet[SessionMaterial]:
    return session.materials.select_related("uploaded_by").order_by("uploaded_at", "id")


def material_get_for_user(user, pk) -> SessionMaterial:
    visible = sessions_for_user(user).values("pk")
    return get_object_or_404(SessionMaterial.objects.filter(session_id__in=visible).select_related("session"), pk=pk)


# --- Coverage ---------------------------------------------------------------------


def _attended(election=None):
    rows = Attendance.objects.filter(person=OuterRef("pk"))
    if election is not None:
        rows = rows.filter(session__election=election)
    return Exists(rows)


def attendance_coverage_by_unit(*, unit_ids, election=None) -> dict[int, int]:
    """For each unit id, how many distinct active persons now in that unit attended a session.

    Only sessions of ``election`` (an ``Election`` or its id) count when it is
    given; any session otherwise. A person who attended several sessions counts
    once; persons who left or retired are not counted. One aggregate query.
    Every id of ``unit_ids`` is a key of the result (0 when nobody attended).
    """
    unit_ids = list(unit_ids)
    if not unit_ids:
        return {}
    rows = (
        Person.objects.filter(status=PersonStatus.ACTIVE, unit_id__in=unit_ids)
        .filter(_attended(election))
        .order_by()
        .values("unit_id")
        .annotate(attended=Count("pk"))
        .values_list("unit_id", "attended")
    )
    counts = dict(rows)
    return {unit_id: counts.get(unit_id, 0) for unit_id in unit_ids}


@dataclass(frozen=True)
class CoverageRow:
    unit: Unit | None
    active: int
    attended: int

    @property
    def missing(self) -> int:
        return self.active - self.attended

    @property
    def percent(self) -> float | None:
        return round(100 * self.attended / self.active, 1) if self.active else None


def coverage_units_for_user(user) -> QuerySet[Unit]:
    unit_ids = permissions.coverage_unit_ids(user)
    qs = Unit.objects.filter(is_active=True)
    return qs if unit_ids is None else qs.filter(pk__in=unit_ids)


def coverage_table(*, user, election=None) -> tuple[list[CoverageRow], CoverageRow]:
    """Per visible unit with active staff: head count and how many attended; and the totals.

    Two queries whatever the number of units.
    """
    units = list(
        coverage_units_for_user(user)
        .annotate(active_count=Count("personnel", filter=Q(personnel__status=PersonStatus.ACTIVE)))
        .filter(active_count__gt=0)
        .order_by("name")
    )
    attended = attendance_coverage_by_unit(unit_ids=[u.pk for u in units], election=election)
    rows = [CoverageRow(unit=u, active=u.active_count, attended=attended[u.pk]) for u in units]
    total = CoverageRow(unit=None, active=sum(r.active for r in rows), attended=sum(r.attended for r in rows))
    return rows, total


def coverage_unit_get_for_user(user, pk) -> Unit:
    return get_object_or_404(coverage_units_for_user(user), pk=pk)


def persons_not_attended(*, unit_id: int, election=None) -> QuerySet[Person]:
    """Active employees of the unit who attended no session (of ``election`` when given)."""
    return (
        Person.objects.filter(status=PersonStatus.ACTIVE, unit_id=unit_id)
        .filter(~_attended(election))
        .order_by("full_name", "id")
    )
