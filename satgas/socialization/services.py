"""Every change to socialization sessions, their materials and attendance."""

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from satgas.core import jobs, outbox
from satgas.core.files import DOCUMENT_KINDS, check_upload
from satgas.core.services import audit_record, diff_fields
from satgas.core.text import strip_control
from satgas.personnel.identity import normalize_number
from satgas.personnel.models import Person, PersonStatus

from .models import (
    ATTENDANCE_IMPORT_RUNNING,
    Attendance,
    AttendanceImport,
    AttendanceImportStatus,
    AttendanceMethod,
    CheckinAttempt,
    CheckinState,
    SessionMaterial,
    SocializationSession,
)

logger = logging.getLogger(__name__)

SESSION_FIELDS = [
    "title",
    "election",
    "starts_at",
    "ends_at",
    "mode",
    "location_or_link",
    "speaker",
    "notes",
    "checkin_open",
]
AUDIT_NAMES_SHOWN = 20
LISTED = 500  # numbers listed per kind of problem after an attendance import


class SocializationError(Exception):
    """A rule of socialization sessions was broken."""


class CheckinRefused(Exception):
    """Self check-in refused; ``reason`` says why (see ``attendance_self_checkin``)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _snapshot(session: SocializationSession, units=None) -> dict:
    data = {f: getattr(session, f) for f in SESSION_FIELDS}
    data["starts_at"] = _local(data["starts_at"])
    data["ends_at"] = _local(data["ends_at"])
    if units is not None:
        data["units"] = ", ".join(sorted(u.code for u in units))
    return data


def _local(value):
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else value


def _user(actor):
    return actor if getattr(actor, "pk", None) else None


# --- Sessions ---------------------------------------------------------------


@transaction.atomic
def session_create(*, actor, units, **data) -> SocializationSession:
    units = list(units)
    if not units:
        raise SocializationError("A session is for at least one unit.")
    session = SocializationSession(created_by=_user(actor), **data)
    session.full_clean()
    session.save()
    session.units.set(units)
    audit_record(
        actor=actor,
        action="socialization.created",
        target=session,
        changes=diff_fields({}, _snapshot(session, units)),
    )
    return session


@transaction.atomic
def session_update(*, actor, session: SocializationSession, units=None, **data) -> SocializationSession:
    session = SocializationSession.objects.select_for_update().get(pk=session.pk)
    old_units = list(session.units.all())
    before = _snapshot(session, old_units)
    for key, value in data.items():
        setattr(session, key, value)
    session.full_clean()
    session.save()
    new_units = old_units
    if units is not None:
        new_units = list(units)
        if not new_units:
            raise SocializationError("A session is for at least one unit.")
        session.units.set(new_units)
    changes = diff_fields(before, _snapshot(session, new_units))
    if changes:
        audit_record(actor=actor, action="socialization.updated", target=session, changes=changes)
    return session


@transaction.atomic
def session_set_checkin_open(*, actor, session: SocializationSession, is_open: bool) -> SocializationSession:
    changed = SocializationSession.objects.filter(pk=session.pk, checkin_open=not is_open).update(
        checkin_open=is_open, updated_at=timezone.now()
    )
    if changed:
        audit_record(
            actor=actor,
            action="socialization.checkin_opened" if is_open else "socialization.checkin_closed",
            target=session,
            changes={"checkin_open": [not is_open, is_open]},
        )
    session.checkin_open = is_open
    return session


# --- Attendance ---------------------------------------------------------------


@dataclass
class AttendanceResult:
    added: list[Person] = field(default_factory=list)
    already: list[Person] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    # Numbers of people outside the session's units: their name and unit are not the organiser's to see.
    outside: list[str] = field(default_factory=list)
    inactive: list[Person] = field(default_factory=list)  # in the session's units, no longer active

    @property
    def problems(self) -> int:
        return len(self.unknown) + len(self.outside) + len(self.inactive)

    def summary(self) -> dict:
        """What the organiser is shown afterwards (JSON): counts, numbers, and names only of their own units.

        Each list keeps its first ``LISTED`` entries (a pasted page of garbage stays a short page); ``*_total``
        say how many there were."""
        return {
            "added": len(self.added),
            "already": len(self.already),
            "unknown": self.unknown[:LISTED],
            "unknown_total": len(self.unknown),
            "outside": self.outside[:LISTED],
            "outside_total": len(self.outside),
            "inactive": [{"number": p.identity_number, "name": p.full_name} for p in self.inactive[:LISTED]],
            "inactive_total": len(self.inactive),
        }


def _session_unit_ids(session) -> set[int]:
    return set(session.units.values_list("pk", flat=True))


@transaction.atomic
def attendance_add(
    *, actor, session: SocializationSession, persons, method: str, now: dt.datetime | None = None
) -> AttendanceResult:
    """Record that ``persons`` attended; people already recorded are reported, not added twice.

    Every person must be an active employee of one of the session's units.
    """
    persons = list({p.pk: p for p in persons}.values())
    unit_ids = _session_unit_ids(session)
    wrong = [p for p in persons if p.status != PersonStatus.ACTIVE or p.unit_id not in unit_ids]
    if wrong:
        raise SocializationError(f"Not active employees of the session's units: {[p.pk for p in wrong]}")
    if method not in AttendanceMethod.values:
        raise SocializationError(f"Unknown method {method!r}")
    result = AttendanceResult()
    if not persons:
        return result
    existing = set(
        Attendance.objects.filter(session=session, person__in=[p.pk for p in persons]).values_list(
            "person_id", flat=True
        )
    )
    result.already = [p for p in persons if p.pk in existing]
    new = [p for p in persons if p.pk not in existing]
    now = now or timezone.now()
    rows = [
        Attendance(session=session, person=p, method=method, recorded_at=now, recorded_by=_user(actor)) for p in new
    ]
    for row in rows:
        # Related objects are already loaded and the unique constraint guards duplicates in the
        # database: validating them row by row would cost queries per person.
        row.full_clean(exclude=["session", "person", "recorded_by"], validate_unique=False, validate_constraints=False)
    # A concurrent recording of the same person is silently skipped by the constraint.
    Attendance.objects.bulk_create(rows, ignore_conflicts=True)
    result.added = new
    if new:
        names = ", ".join(f"{p.full_name} ({p.identity_number})" for p in new[:AUDIT_NAMES_SHOWN])
        if len(new) > AUDIT_NAMES_SHOWN:
            names += f" … (+{len(new) - AUDIT_NAMES_SHOWN})"
        audit_record(
            actor=actor,
            action="attendance.added",
            target=session,
            changes={"attendance": [None, f"+{len(new)} ({AttendanceMethod(method).label})"]},
            note=names,
        )
    return result


@transaction.atomic
def attendance_import(*, actor, session: SocializationSession, numbers: list[str]) -> AttendanceResult:
    """Record attendance from a list of NIP/NIK numbers, reporting those that cannot be added.

    A number of someone outside the session's units (active or not) is reported as such, by its number only.
    """
    numbers = list(dict.fromkeys(n for n in (normalize_number(strip_control(str(x))) for x in numbers) if n))
    found: dict[str, Person] = {}
    if numbers:
        for person in Person.objects.filter(Q(nip__in=numbers) | Q(nik__in=numbers)):
            for number in (person.nip, person.nik):
                if number:
                    found[number] = person
    unit_ids = _session_unit_ids(session)
    accepted: dict[int, Person] = {}
    unknown, outside, inactive = [], [], {}
    for number in numbers:
        person = found.get(number)
        if person is None:
            unknown.append(number)
        elif person.unit_id not in unit_ids:
            outside.append(number)
        elif person.status != PersonStatus.ACTIVE:
            inactive[person.pk] = person
        else:
            accepted[person.pk] = person
    result = attendance_add(actor=actor, session=session, persons=accepted.values(), method=AttendanceMethod.IMPORTED)
    result.unknown, result.outside, result.inactive = unknown, outside, list(inactive.values())
    return result


@transaction.atomic
def attendance_import_start(*, actor, session: SocializationSession, numbers_text: str = "", upload=None):
    """Keep the typed list and the uploaded file, and queue their reading (a worker reads spreadsheets)."""
    job = AttendanceImport(
        session=session,
        uploaded_by=actor,
        numbers_text=strip_control(numbers_text or ""),  # control characters are never part of a number
        filename=strip_control(upload.name or "", multiline=False)[:255] if upload else "",
        content=upload.read() if upload else b"",
        lease_until=jobs.waiting_lease(),
    )
    job.full_clean(exclude=["content"])
    job.save()
    audit_record(actor=actor, action="attendance.import_started", target=session, note=job.filename)
    outbox.enqueue(ATTENDANCE_IMPORT_TASK, args=[job.pk], key=f"attendance-import-{job.pk}")
    return job


# A list is read in a Celery task holding a lease on the job (``satgas.core.jobs``); a job whose worker died is
# resumed by the sweep, then failed with a message; the organiser can cancel or try again.
ATTENDANCE_IMPORT_TASK = "satgas.socialization.tasks.attendance_import_run"
ATTENDANCE_IMPORT_TIME_LIMIT = 5 * 60
ATTENDANCE_IMPORT_SOFT_TIME_LIMIT = 4 * 60 + 30


class _ImportAbandoned(Exception):
    """The run no longer holds the job (cancelled, or taken over after its lease ran out)."""


def attendance_import_run(*, import_id: int) -> AttendanceImport | None:
    """Read a queued list and record the attendance (the task). Claims the job first: a duplicated task does
    nothing, a task resumed after a killed worker takes it over; the attendance and the job's outcome are written
    in one transaction, only while the run still holds the job (a cancelled job changes nothing)."""
    from celery.exceptions import SoftTimeLimitExceeded

    from .parsing import ImportFileError, numbers_from_file, numbers_from_text

    token = jobs.claim(
        AttendanceImport,
        import_id,
        waiting=[AttendanceImportStatus.PENDING],
        running=AttendanceImportStatus.RUNNING,
        held=Q(status=AttendanceImportStatus.RUNNING, run_token__isnull=True),
        lease_seconds=ATTENDANCE_IMPORT_TIME_LIMIT,
    )
    if token is None:
        return None
    job = AttendanceImport.objects.select_related("session", "uploaded_by").get(pk=import_id)
    mine = AttendanceImport.objects.filter(pk=import_id, run_token=token)
    ended = {"finished_at": timezone.now(), "run_token": None, "lease_until": None}

    try:
        numbers = numbers_from_text(job.numbers_text)
        if job.content:
            numbers += numbers_from_file(bytes(job.content), job.filename)
        if not numbers:
            raise ImportFileError(gettext("The list holds no NIP or NIK."))
        with transaction.atomic():
            if not jobs.still_holds(AttendanceImport, import_id, token, lock=True):
                raise _ImportAbandoned()
            result = attendance_import(actor=job.uploaded_by, session=job.session, numbers=numbers)
            if not mine.update(status=AttendanceImportStatus.DONE, outcome=result.summary(), content=b"", **ended):
                raise _ImportAbandoned()  # cancelled meanwhile: the attendance is rolled back with the outcome
    except _ImportAbandoned:
        logger.info("Attendance import %s: cancelled or taken over; this run stops without changes", import_id)
        return None
    except SoftTimeLimitExceeded:
        logger.warning("Attendance import %s hit its time limit; the sweep resumes or fails it", import_id)
        mine.update(lease_until=timezone.now())
        return None
    except ImportFileError as exc:
        # The file cannot be read: trying again would not help (the organiser uploads a corrected one).
        mine.update(status=AttendanceImportStatus.FAILED, failure=str(exc), content=b"", **ended)
    except Exception:
        logger.exception("Attendance import %s failed", import_id)
        mine.update(
            status=AttendanceImportStatus.FAILED,
            failure=gettext(
                "The import stopped because of an unexpected error; nothing was changed. Try again, "
                "and contact the administrator if it happens again."
            ),
            **ended,
        )
        raise
    return AttendanceImport.objects.get(pk=import_id)


@transaction.atomic
def attendance_import_cancel(*, actor, job: AttendanceImport) -> AttendanceImport:
    """Cancel a list that is waiting or being read (a run in progress notices and changes nothing)."""
    changed = AttendanceImport.objects.filter(pk=job.pk, status__in=ATTENDANCE_IMPORT_RUNNING).update(
        status=AttendanceImportStatus.CANCELLED,
        run_token=None,
        lease_until=None,
        content=b"",
        finished_at=timezone.now(),
    )
    if not changed:
        raise SocializationError("import_not_cancellable")
    audit_record(actor=actor, action="attendance.import_cancelled", target=job.session, note=job.filename)
    job.refresh_from_db()
    return job


@transaction.atomic
def attendance_import_retry(*, actor, job: AttendanceImport) -> AttendanceImport:
    """Read a failed (or stalled) list again from the beginning."""
    job = AttendanceImport.objects.select_for_update().get(pk=job.pk)
    if not job.can_retry:
        raise SocializationError("import_not_retryable")
    AttendanceImport.objects.filter(pk=job.pk).update(
        status=AttendanceImportStatus.PENDING,
        run_token=None,
        lease_until=jobs.waiting_lease(),
        rescues=0,
        failure="",
        finished_at=None,
    )
    audit_record(actor=actor, action="attendance.import_retried", target=job.session, note=job.filename)
    outbox.enqueue(ATTENDANCE_IMPORT_TASK, args=[job.pk])
    job.refresh_from_db()
    return job


def attendance_import_resume(job: AttendanceImport) -> None:
    """The sweep found ``job`` stalled: queue its reading again (idempotently)."""
    outbox.enqueue(ATTENDANCE_IMPORT_TASK, args=[job.pk], key=f"attendance-import:{job.pk}:resume-{job.rescues}")


def attendance_import_fail_stalled(job: AttendanceImport, _message: str = "") -> None:
    """The sweep gave up on ``job``: failed with a message the organiser can act on."""
    failure = gettext(
        "Reading this list was interrupted %(count)s times and did not finish; no attendance was recorded. "
        "Click “Try again”, or split the list into smaller ones."
    ) % {"count": job.rescues + 1}
    AttendanceImport.objects.filter(pk=job.pk, status__in=ATTENDANCE_IMPORT_RUNNING).update(
        status=AttendanceImportStatus.FAILED, failure=failure, run_token=None, lease_until=None
    )
    audit_record(actor=None, action="attendance.import_stalled", target=job.session, note=failure[:200])


def _attempt_record(*, session, person, device_id: str, accepted: bool, now) -> None:
    CheckinAttempt.objects.create(session=session, person=person, device_id=device_id, accepted=accepted, at=now)


def attendance_self_checkin(
    *, session: SocializationSession, number: str, birth_date: dt.date, device_id: str, now: dt.datetime | None = None
) -> tuple[Person, bool]:
    """Check a person in by their NIP/NIK and birth date from the browser ``device_id``; ``(person, newly_recorded)``.

    Raises ``CheckinRefused`` with reason ``CheckinState.CLOSED / NOT_YET /
    OVER`` outside the check-in window, ``"identity"`` when no active employee
    has this number and birth date (the same answer whether the number exists
    or not), ``"not_in_units"`` when the person is not in the session's units
    (the page answers both alike), and ``"device_used"`` when this browser already
    checked in someone else for this session (a database constraint: one browser,
    one person, per session). Every attempt by an identified person is recorded
    with the device (``CheckinAttempt``).
    """
    now = now or timezone.now()
    state = session.checkin_state(now)
    if state != CheckinState.OPEN:
        raise CheckinRefused(state)
    if not device_id:
        raise CheckinRefused("no_device")
    number = normalize_number(number)
    person = None
    if number:
        person = (
            Person.objects.filter(Q(nip=number) | Q(nik=number), status=PersonStatus.ACTIVE)
            .select_related("unit")
            .first()
        )
    unit_ids = _session_unit_ids(session)  # read whoever typed: a refusal takes the same work either way
    if person is None or person.birth_date is None or person.birth_date != birth_date:
        raise CheckinRefused("identity")
    if person.unit_id not in unit_ids:
        # Not recorded as an attempt: the refusal must cost what an unknown number costs (the answer tells nothing).
        raise CheckinRefused("not_in_units")
    if Attendance.objects.filter(session=session, person=person).exists():
        _attempt_record(session=session, person=person, device_id=device_id, accepted=True, now=now)
        return person, False
    try:
        with transaction.atomic():
            attendance = Attendance(
                session=session,
                person=person,
                method=AttendanceMethod.SELF_CHECKIN,
                recorded_at=now,
                device_id=device_id,
            )
            # The database decides "once per person" and "one person per browser" (concurrent requests).
            attendance.full_clean(
                exclude=["session", "person", "recorded_by"], validate_unique=False, validate_constraints=False
            )
            attendance.save()
            _attempt_record(session=session, person=person, device_id=device_id, accepted=True, now=now)
            audit_record(
                actor=None,
                action="attendance.added",
                target=session,
                changes={"attendance": [None, f"+1 ({AttendanceMethod.SELF_CHECKIN.label})"]},
                note=f"{person.full_name} ({person.identity_number})",
            )
    except IntegrityError:
        # The same person from another tab or phone at the same moment, or this browser for someone else.
        if Attendance.objects.filter(session=session, person=person).exists():
            return person, False
        _attempt_record(session=session, person=person, device_id=device_id, accepted=False, now=now)
        raise CheckinRefused("device_used") from None
    return person, True


@transaction.atomic
def attendance_remove(*, actor, attendance: Attendance) -> None:
    """Undo a wrongly recorded attendance."""
    session, person = attendance.session, attendance.person
    deleted, _ = Attendance.objects.filter(pk=attendance.pk).delete()
    if deleted:
        audit_record(
            actor=actor,
            action="attendance.removed",
            target=session,
            changes={"attendance": [f"{person.full_name} ({person.identity_number})", None]},
        )


# --- Materials ------------------------------------------------------------------


@transaction.atomic
def material_upload(*, actor, session: SocializationSession, upload) -> SessionMaterial:
    """Store a document for the session; refuses (``ValidationError``) what is not a document by content."""
    kind = check_upload(upload, kinds=DOCUMENT_KINDS, max_bytes=settings.SATGAS_UPLOAD_MAX_BYTES)
    original = (upload.name or "").replace("\\", "/").rsplit("/", 1)[-1][:255] or f"materi.{kind.extension}"
    material = SessionMaterial(
        session=session, original_name=original, kind=kind.code, size=upload.size, uploaded_by=_user(actor)
    )
    material.file.save("upload", upload, save=False)  # the name is replaced by upload_to
    try:
        material.full_clean()
        material.save()
        audit_record(
            actor=actor,
            action="socialization.material_uploaded",
            target=session,
            changes={"materials": [None, original]},
            note=f"{kind.label}, {upload.size} B",
        )
    except Exception:
        material.file.delete(save=False)
        raise
    return material
