import datetime as dt
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from satgas.core.files import DOCUMENT_KINDS, private_storage, storage_name
from satgas.core.models import LeasedJob

# Self check-in is accepted from this long before the start until this long after the end.
CHECKIN_OPENS_BEFORE = dt.timedelta(minutes=30)
CHECKIN_CLOSES_AFTER = dt.timedelta(minutes=60)

MATERIAL_KINDS = {kind.code: kind for kind in DOCUMENT_KINDS}


def new_checkin_code() -> str:
    """An unguessable token for the public check-in link (128 bits)."""
    return secrets.token_urlsafe(16)


class SessionMode(models.TextChoices):
    IN_PERSON = "IN_PERSON", _("In person")
    VIDEO_CALL = "VIDEO_CALL", _("Video call")


class CheckinState(models.TextChoices):
    OPEN = "OPEN", _("Open")
    CLOSED = "CLOSED", _("Closed by the organiser")
    NOT_YET = "NOT_YET", _("Not open yet")
    OVER = "OVER", _("Over")


class SocializationSession(models.Model):
    """A neutrality socialization session (*sosialisasi netralitas*) for one or more units."""

    title = models.CharField(_("title"), max_length=200)
    election = models.ForeignKey(
        "elections.Election",
        verbose_name=_("election"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="socialization_sessions",
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    mode = models.CharField(_("mode"), max_length=12, choices=SessionMode.choices, default=SessionMode.IN_PERSON)
    location_or_link = models.CharField(
        _("place or meeting link"), max_length=500, help_text=_("The room and address, or the video-call link.")
    )
    speaker = models.CharField(_("speaker"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    units = models.ManyToManyField(
        "personnel.Unit", verbose_name=_("units"), related_name="socialization_sessions", blank=False
    )
    checkin_code = models.CharField(max_length=32, unique=True, default=new_checkin_code, editable=False)
    checkin_open = models.BooleanField(_("self check-in open"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("socialization session")
        verbose_name_plural = _("socialization sessions")
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["starts_at"]), models.Index(fields=["ends_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="socialization_ends_after_start"),
            models.CheckConstraint(condition=Q(mode__in=SessionMode.values), name="socialization_mode_valid"),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("The session must end after it starts.")})

    @property
    def checkin_opens_at(self) -> dt.datetime:
        return self.starts_at - CHECKIN_OPENS_BEFORE

    @property
    def checkin_closes_at(self) -> dt.datetime:
        return self.ends_at + CHECKIN_CLOSES_AFTER

    def checkin_state(self, now: dt.datetime) -> str:
        """Whether self check-in is accepted at ``now``."""
        if not self.checkin_open:
            return CheckinState.CLOSED
        if now < self.checkin_opens_at:
            return CheckinState.NOT_YET
        if now > self.checkin_closes_at:
            return CheckinState.OVER
        return CheckinState.OPEN


def material_upload_to(instance: "SessionMaterial", filename: str) -> str:
    # The original file name is never part of the stored path.
    return storage_name("socialization", MATERIAL_KINDS[instance.kind])


class SessionMaterial(models.Model):
    """A document used in a session (slides, handout), kept in private storage."""

    session = models.ForeignKey(SocializationSession, on_delete=models.CASCADE, related_name="materials")
    file = models.FileField(storage=private_storage, upload_to=material_upload_to, max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    kind = models.CharField(_("kind"), max_length=8, choices=[(k.code, k.label) for k in DOCUMENT_KINDS])
    size = models.PositiveIntegerField(_("size"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("session material")
        verbose_name_plural = _("session materials")
        ordering = ["uploaded_at", "id"]

    def __str__(self):
        return self.original_name

    @property
    def file_kind(self):
        return MATERIAL_KINDS[self.kind]


class AttendanceMethod(models.TextChoices):
    PICKED = "PICKED", _("Picked from the list")
    IMPORTED = "IMPORTED", _("Imported from a list of numbers")
    SELF_CHECKIN = "SELF_CHECKIN", _("Self check-in")


class Attendance(models.Model):
    """One person attended one session; recording it twice changes nothing."""

    session = models.ForeignKey(SocializationSession, on_delete=models.CASCADE, related_name="attendances")
    person = models.ForeignKey(
        "personnel.Person",
        verbose_name=_("employee"),
        on_delete=models.PROTECT,
        related_name="socialization_attendances",
    )
    method = models.CharField(_("recorded by way of"), max_length=12, choices=AttendanceMethod.choices)
    recorded_at = models.DateTimeField(_("recorded at"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Self check-in: the browser it came from (presence.device_id); one browser checks in one person per session.
    device_id = models.CharField(max_length=32, blank=True, default="", db_default="", editable=False)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        ordering = ["recorded_at", "id"]
        indexes = [models.Index(fields=["person", "session"])]
        constraints = [
            models.UniqueConstraint(fields=["session", "person"], name="attendance_once_per_session"),
            models.CheckConstraint(condition=Q(method__in=AttendanceMethod.values), name="attendance_method_valid"),
            models.UniqueConstraint(
                fields=["session", "device_id"], condition=~Q(device_id=""), name="attendance_one_person_per_device"
            ),
        ]

    def __str__(self):
        return f"{self.person_id} @ {self.session_id}"


class CheckinAttempt(models.Model):
    """A self check-in by an identified person from a browser, accepted or refused (presence.py).

    A device that appears here with more than one person flags its check-ins on the attendance list.
    """

    session = models.ForeignKey(SocializationSession, on_delete=models.CASCADE, related_name="checkin_attempts")
    person = models.ForeignKey("personnel.Person", on_delete=models.CASCADE, related_name="+")
    device_id = models.CharField(max_length=32)
    accepted = models.BooleanField()
    at = models.DateTimeField()

    class Meta:
        verbose_name = _("check-in attempt")
        verbose_name_plural = _("check-in attempts")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["device_id", "person"])]

    def __str__(self):
        return f"{self.device_id[:8]} {self.person_id} @ {self.session_id}"


class AttendanceImportStatus(models.TextChoices):
    PENDING = "PENDING", _("Waiting")
    RUNNING = "RUNNING", _("Reading the list")
    DONE = "DONE", _("Done")
    FAILED = "FAILED", _("Failed")
    CANCELLED = "CANCELLED", _("Cancelled")


ATTENDANCE_IMPORT_RUNNING = frozenset({AttendanceImportStatus.PENDING, AttendanceImportStatus.RUNNING})


class AttendanceImport(LeasedJob, models.Model):
    """A list of NIP/NIK (typed, pasted or a spreadsheet) recorded as a session's attendance by a Celery task.

    A leased job (``satgas.core.jobs``): a run whose worker died is resumed by the sweep, then failed with a
    message; the organiser can cancel it while it waits or runs and try a failed or stalled one again.

    The file is kept in the database until the task has read it (any web or worker process can read it); the
    outcome keeps counts and numbers only, never the name or unit of someone outside the session's units.
    """

    session = models.ForeignKey(SocializationSession, on_delete=models.CASCADE, related_name="attendance_imports")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    filename = models.CharField(_("file name"), max_length=255, blank=True)
    content = models.BinaryField(blank=True, editable=False)
    numbers_text = models.TextField(blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=AttendanceImportStatus.choices, default=AttendanceImportStatus.PENDING
    )
    outcome = models.JSONField(default=dict, blank=True)
    failure = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("attendance import")
        verbose_name_plural = _("attendance imports")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=AttendanceImportStatus.values), name="attendance_import_status_valid"
            )
        ]

    def __str__(self):
        return f"{self.session_id} {self.filename or '-'} ({self.status})"

    @property
    def is_running(self) -> bool:
        return self.status in ATTENDANCE_IMPORT_RUNNING

    @property
    def is_stalled(self) -> bool:
        """Running, but its lease ran out: the sweep resumes it soon; the organiser may try again now."""
        from django.utils import timezone

        return self.is_running and self.lease_until is not None and self.lease_until < timezone.now()

    @property
    def can_cancel(self) -> bool:
        return self.is_running

    @property
    def can_retry(self) -> bool:
        # The file is dropped once read: a failed list can be tried again only while it is still kept.
        has_input = bool(self.numbers_text) or bool(self.content)
        return has_input and (self.status == AttendanceImportStatus.FAILED or self.is_stalled)
