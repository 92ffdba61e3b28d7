from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _

from satgas.core.models import LeasedJob

from . import identity


class UnitType(models.TextChoices):
    KANWIL = "KANWIL", _("Regional office")
    DIVISION = "DIVISI", _("Division")
    LAPAS = "LAPAS", "Lapas"
    RUTAN = "RUTAN", "Rutan"
    BAPAS = "BAPAS", "Bapas"
    LPKA = "LPKA", "LPKA"
    RUPBASAN = "RUPBASAN", "Rupbasan"
    KANIM = "KANIM", _("Immigration office")


class Unit(models.Model):
    """An office in the tree: the regional office, its divisions and technical units."""

    code = models.CharField(
        _("code"),
        max_length=32,
        unique=True,
        help_text=_("Short code used in spreadsheets, e.g. LAPAS-SMG."),
    )
    name = models.CharField(_("name"), max_length=200)
    unit_type = models.CharField(_("type"), max_length=16, choices=UnitType.choices)
    unit_class = models.CharField(_("class"), max_length=32, blank=True, help_text=_("E.g. I, IIA, IIB, II TPI."))
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent office"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    address = models.TextField(_("address"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("email"), blank=True)
    head = models.ForeignKey(
        "Person",
        verbose_name=_("head of unit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    head_title = models.CharField(_("head's title"), max_length=120, blank=True, help_text=_("E.g. Kepala Lapas."))
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=~Q(parent=models.F("id")), name="unit_not_own_parent"),
            models.CheckConstraint(condition=Q(code=Upper("code")), name="unit_code_uppercase"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.code:
            self.code = self.code.strip().upper()
        # Walk up the tree: a unit may not become its own ancestor.
        node, seen = self.parent, set()
        while node is not None and node.pk not in seen:
            if self.pk and node.pk == self.pk:
                raise ValidationError({"parent": _("A unit cannot be placed under itself or one of its sub-units.")})
            seen.add(node.pk)
            node = node.parent


class EmploymentType(models.TextChoices):
    PNS = "PNS", "PNS"
    PPPK = "PPPK", "PPPK"
    PPNPN = "PPNPN", "PPNPN"


ASN_TYPES = (EmploymentType.PNS, EmploymentType.PPPK)


class PersonStatus(models.TextChoices):
    ACTIVE = "ACTIVE", _("Active")
    MOVED = "MOVED", _("Moved out")
    RETIRED = "RETIRED", _("Retired")


class Sex(models.TextChoices):
    MALE = identity.MALE, _("Male")
    FEMALE = identity.FEMALE, _("Female")


class Person(models.Model):
    """An employee (ASN or PPNPN) in the personnel registry."""

    full_name = models.CharField(_("full name"), max_length=200, help_text=_("With academic titles."))
    employment_type = models.CharField(_("employment type"), max_length=8, choices=EmploymentType.choices)
    nip = models.CharField("NIP", max_length=18, null=True, blank=True, unique=True)
    nik = models.CharField("NIK", max_length=16, null=True, blank=True, unique=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True, editable=False)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, blank=True, editable=False)
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="personnel")
    position = models.CharField(_("position"), max_length=200, blank=True)
    rank_grade = models.CharField(_("rank/grade"), max_length=100, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=PersonStatus.choices, default=PersonStatus.ACTIVE)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("employee")
        verbose_name_plural = _("employees")
        ordering = ["full_name", "id"]
        indexes = [
            models.Index(fields=["unit", "status"]),
            models.Index(fields=["full_name"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(employment_type__in=ASN_TYPES, nip__isnull=False)
                | Q(employment_type=EmploymentType.PPNPN, nik__isnull=False),
                name="person_has_identifier_for_type",
            ),
            models.CheckConstraint(
                condition=Q(employment_type__in=EmploymentType.values), name="person_employment_type_valid"
            ),
            models.CheckConstraint(condition=Q(status__in=PersonStatus.values), name="person_status_valid"),
        ]

    def __str__(self):
        return f"{self.full_name} ({self.identity_number})"

    @property
    def identity_number(self) -> str:
        return self.nip if self.employment_type in ASN_TYPES else self.nik

    @property
    def identity_label(self) -> str:
        return {"PNS": "NIP", "PPPK": "NI PPPK", "PPNPN": "NIK"}[self.employment_type]

    def clean(self):
        errors = {}
        self.nip = identity.normalize_number(self.nip) or None
        self.nik = identity.normalize_number(self.nik) or None
        info = None
        if self.employment_type in ASN_TYPES:
            if not self.nip:
                errors["nip"] = _("NIP is required for PNS and PPPK employees.")
            else:
                try:
                    info = identity.validate_for_type(self.employment_type, self.nip)
                except ValidationError as exc:
                    errors["nip"] = exc.messages
            if self.nik:
                try:
                    identity.validate_nik(self.nik)
                except ValidationError as exc:
                    errors["nik"] = exc.messages
        elif self.employment_type == EmploymentType.PPNPN:
            if self.nip:
                errors["nip"] = _("PPNPN staff have no NIP; leave it empty and fill in the NIK.")
            if not self.nik:
                errors["nik"] = _("NIK is required for PPNPN staff.")
            else:
                try:
                    info = identity.validate_nik(self.nik)
                except ValidationError as exc:
                    errors["nik"] = exc.messages
        if errors:
            raise ValidationError(errors)
        if info:
            self.birth_date, self.sex = info.birth_date, info.sex


class Placement(models.Model):
    """A period during which a person belonged to a unit (the move history)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="placements")
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("until"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("placement")
        verbose_name_plural = _("placements")
        ordering = ["-started_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=Q(ended_on__isnull=True), name="placement_one_open_per_person"
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="placement_ends_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.person_id} @ {self.unit_id} {self.started_on}–{self.ended_on or ''}"


class ImportStatus(models.TextChoices):
    PENDING = "PENDING", _("Waiting to be checked")
    VALIDATING = "VALIDATING", _("Checking")
    VALIDATED = "VALIDATED", _("Checked, waiting for confirmation")
    APPLYING = "APPLYING", _("Importing")
    APPLIED = "APPLIED", _("Imported")
    FAILED = "FAILED", _("Failed")
    CANCELLED = "CANCELLED", _("Cancelled")


class PersonnelImport(LeasedJob, models.Model):
    """An uploaded personnel spreadsheet, its preview and its outcome.

    The file is kept in the database so that any web or worker process can
    read it (no shared file system needed when scaling out). A check or an
    import in progress holds a lease (``satgas.core.jobs``): one whose worker
    died is resumed or failed by the sweep, never left "running".
    """

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    filename = models.CharField(_("file name"), max_length=255)
    content = models.BinaryField(editable=False)
    size = models.PositiveIntegerField(_("size"), default=0)
    strict = models.BooleanField(_("strict"), default=False, help_text=_("Import nothing if any row is invalid."))
    create_accounts = models.BooleanField(
        _("create accounts"),
        default=False,
        help_text=_("Create a login (sign-in by emailed code) for every imported person with an email address."),
    )
    status = models.CharField(_("status"), max_length=12, choices=ImportStatus.choices, default=ImportStatus.PENDING)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict, blank=True)
    issues = models.JSONField(default=list, blank=True)
    warnings = models.JSONField(default=list, blank=True)
    failure = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    validated_at = models.DateTimeField(null=True, blank=True)
    applied_at = models.DateTimeField(null=True, blank=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("personnel import")
        verbose_name_plural = _("personnel imports")
        ordering = ["-created_at"]
        constraints = [models.CheckConstraint(condition=Q(status__in=ImportStatus.values), name="import_status_valid")]

    def __str__(self):
        return f"{self.filename} ({self.created_at:%Y-%m-%d %H:%M})"

    @property
    def progress_percent(self) -> int:
        if not self.total_rows:
            return 0
        return min(100, round(100 * self.processed_rows / self.total_rows))

    @property
    def is_running(self) -> bool:
        return self.status in RUNNING_IMPORT_STATUSES

    @property
    def is_stalled(self) -> bool:
        """Running, but its lease ran out: the sweep resumes it soon; a person may try again now."""
        from django.utils import timezone

        return self.is_running and self.lease_until is not None and self.lease_until < timezone.now()

    @property
    def can_cancel(self) -> bool:
        return self.status in RUNNING_IMPORT_STATUSES or self.status == ImportStatus.VALIDATED

    @property
    def can_retry(self) -> bool:
        return self.status == ImportStatus.FAILED or self.is_stalled


RUNNING_IMPORT_STATUSES = frozenset({ImportStatus.PENDING, ImportStatus.VALIDATING, ImportStatus.APPLYING})


class EmailChangeStatus(models.TextChoices):
    PENDING = "PENDING", _("Waiting for confirmation")
    CONFIRMED = "CONFIRMED", _("Confirmed")
    CANCELLED = "CANCELLED", _("Cancelled")


class EmailChange(models.Model):
    """A change of a person's contact address asked by someone other than a regional admin: it takes effect only
    when confirmed from the new address (``Person.email`` is always an address the person confirmed or a regional
    admin set; invitations, reminders and sign-in codes go nowhere else)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="email_changes")
    old_email = models.EmailField(_("previous address"), blank=True)
    new_email = models.EmailField(_("new address"))
    status = models.CharField(
        _("status"), max_length=10, choices=EmailChangeStatus.choices, default=EmailChangeStatus.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision_note = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("change of email address")
        verbose_name_plural = _("changes of email address")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=Q(status="PENDING"), name="email_change_one_pending_per_person"
            ),
            models.CheckConstraint(condition=Q(status__in=EmailChangeStatus.values), name="email_change_status_valid"),
        ]

    def __str__(self):
        return f"{self.person_id}: {self.old_email or '-'} → {self.new_email} ({self.status})"
