"""Violation reports ("cases"): intake, handling, clarification and sanctions.

The workflow itself (which status may follow which) is declared once in
``rules.py``; only ``services.case_transition`` changes ``Case.status``.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from satgas.core.files import private_storage
from satgas.core.limits import EARLIEST, TEXT_LONG_MAX, TEXT_NOTE_MAX


class CategoryKind(models.TextChoices):
    ETHICS = "ETHICS", _("Code of ethics")
    DISCIPLINARY = "DISCIPLINARY", _("Disciplinary")


class DisciplineLevel(models.TextChoices):
    LIGHT = "LIGHT", _("Light")
    MODERATE = "MODERATE", _("Moderate")
    HEAVY = "HEAVY", _("Heavy")


class ViolationCategory(models.Model):
    """Reference data (domain.md section 5), editable by admins in the Django admin."""

    kind = models.CharField(_("kind"), max_length=12, choices=CategoryKind.choices)
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    usual_level = models.CharField(
        _("usual discipline level"),
        max_length=10,
        choices=DisciplineLevel.choices,
        blank=True,
        help_text=_("For disciplinary categories: the level the regulations usually give."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("violation category")
        verbose_name_plural = _("violation categories")
        ordering = ["kind", "order", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=CategoryKind.values), name="violation_category_kind_valid"),
            models.CheckConstraint(
                condition=Q(kind="DISCIPLINARY") | Q(usual_level=""), name="violation_category_level_disciplinary"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.name}"


class CaseStatus(models.TextChoices):
    RECEIVED = "RECEIVED", _("Received")
    VERIFICATION = "VERIFICATION", _("Verification")
    CLARIFICATION = "CLARIFICATION", _("Clarification")
    DECISION = "DECISION", _("Awaiting decision")
    NOT_PROVEN = "NOT_PROVEN", _("Not proven")
    PROVEN = "PROVEN", _("Proven")
    FOLLOW_UP = "FOLLOW_UP", _("Follow-up (recommendation forwarded)")
    SANCTIONED = "SANCTIONED", _("Sanction recorded")
    CLOSED = "CLOSED", _("Closed")
    DISMISSED = "DISMISSED", _("Dismissed at verification")
    REFERRED = "REFERRED", _("Referred elsewhere")


class Intake(models.TextChoices):
    ONLINE = "ONLINE", _("Online form (signed in)")
    ANONYMOUS = "ANONYMOUS", _("Anonymous public form")
    PAPER = "PAPER", _("Paper")
    PHONE = "PHONE", _("Phone")
    IN_PERSON = "IN_PERSON", _("In person")


class Channel(models.TextChoices):
    SOCIAL_MEDIA = "SOCIAL_MEDIA", _("Social media")
    EVENT = "EVENT", _("Event or gathering")
    OTHER = "OTHER", _("Other")


class Platform(models.TextChoices):
    FACEBOOK = "FACEBOOK", "Facebook"
    INSTAGRAM = "INSTAGRAM", "Instagram"
    TIKTOK = "TIKTOK", "TikTok"
    X = "X", "X (Twitter)"
    YOUTUBE = "YOUTUBE", "YouTube"
    WHATSAPP = "WHATSAPP", "WhatsApp"
    OTHER = "OTHER", _("Other platform")


class CaseCounter(models.Model):
    """The last number handed out in a year; claimed with ``select_for_update``
    in the transaction that creates the case, so numbers are gap-free."""

    year = models.PositiveSmallIntegerField(unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.year}: {self.last}"


class Case(models.Model):
    number = models.CharField(_("case number"), max_length=60, unique=True, editable=False)
    year = models.PositiveSmallIntegerField(editable=False)
    seq = models.PositiveIntegerField(editable=False)
    # The reported person: from the registry, or described when unknown.
    reported_person = models.ForeignKey(
        "personnel.Person",
        verbose_name=_("reported person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reported_description = models.TextField(_("description of the reported person"), blank=True)
    unit = models.ForeignKey("personnel.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    incident_date = models.DateField(_("date of the incident"))
    incident_place = models.CharField(_("place of the incident"), max_length=255, blank=True)
    election = models.ForeignKey(
        "elections.Election", verbose_name=_("election"), null=True, blank=True, on_delete=models.PROTECT
    )
    stage = models.ForeignKey(
        "elections.ElectionStage", verbose_name=_("election stage"), null=True, blank=True, on_delete=models.PROTECT
    )
    categories = models.ManyToManyField(ViolationCategory, verbose_name=_("categories"), blank=True)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    platform = models.CharField(_("platform"), max_length=12, choices=Platform.choices, blank=True)
    channel_url = models.URLField(_("link to the post"), max_length=500, blank=True)
    description = models.TextField(_("what happened"))
    confidential = models.BooleanField(
        _("confidential"),
        default=False,
        help_text=_("Only regional admins and the assigned handlers see a confidential case."),
    )
    intake = models.CharField(_("received through"), max_length=10, choices=Intake.choices)
    # The reporter: an account, or a name/contact recorded by staff; anonymous
    # reporters are known only by the hash of their receipt code.
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reporter_name = models.CharField(_("reporter's name"), max_length=200, blank=True)
    reporter_contact = models.CharField(_("reporter's contact"), max_length=200, blank=True)
    receipt_hash = models.CharField(max_length=64, unique=True, editable=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=CaseStatus.choices, default=CaseStatus.RECEIVED, editable=False
    )
    status_changed_at = models.DateTimeField(default=timezone.now, editable=False)
    due_on = models.DateField(_("due"), null=True, blank=True, editable=False)
    received_at = models.DateTimeField(_("received"), default=timezone.now, editable=False)
    verified_at = models.DateTimeField(_("verification finished"), null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("violation case")
        verbose_name_plural = _("violation cases")
        ordering = ["-received_at", "-id"]
        permissions = [("view_reporter_identity", "Can see who reported a violation")]
        constraints = [
            models.UniqueConstraint(fields=["year", "seq"], name="violation_case_unique_seq"),
            models.CheckConstraint(condition=Q(status__in=CaseStatus.values), name="violation_case_status_valid"),
            models.CheckConstraint(condition=Q(intake__in=Intake.values), name="violation_case_intake_valid"),
            models.CheckConstraint(
                condition=Q(reported_person__isnull=False) | ~Q(reported_description=""),
                name="violation_case_reported_known_or_described",
            ),
            models.CheckConstraint(
                condition=~Q(channel="SOCIAL_MEDIA") | ~Q(platform=""), name="violation_case_social_has_platform"
            ),
            models.CheckConstraint(
                condition=~Q(intake="ANONYMOUS") | (Q(reporter__isnull=True) & Q(reporter_name="")),
                name="violation_case_anonymous_has_no_identity",
            ),
            models.CheckConstraint(
                condition=~Q(intake="ONLINE") | Q(reporter__isnull=False), name="violation_case_online_has_reporter"
            ),
            models.CheckConstraint(condition=Q(seq__gte=1), name="violation_case_seq_positive"),
            # The input rules (satgas/core/limits.py), kept by the database too.
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("description"), TEXT_LONG_MAX),
                name="violation_case_description_bounded",
                violation_error_message=_("The description is too long."),
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("reported_description"), TEXT_NOTE_MAX),
                name="violation_case_reported_description_bounded",
                violation_error_message=_("The description of the reported person is too long."),
            ),
            models.CheckConstraint(
                condition=Q(incident_date__gte=EARLIEST),
                name="violation_case_incident_date_plausible",
                violation_error_message=_("The date of the incident is not plausible."),
            ),
        ]
        indexes = [
            models.Index(fields=["status", "due_on"]),
            models.Index(fields=["unit", "status"]),
            # The case list's order: the newest page is read from this index instead of sorting every case.
            models.Index(fields=["-received_at", "-id"], name="violation_case_newest"),
        ]

    def __str__(self):
        return self.number

    @property
    def is_open(self) -> bool:
        from .rules import OPEN_STATUSES

        return self.status in OPEN_STATUSES

    def is_overdue(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.is_open and self.due_on is not None and self.due_on < today


class CaseTransition(models.Model):
    """Who moved the case, when and why: the case's history."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=16, choices=CaseStatus.choices)
    to_status = models.CharField(max_length=16, choices=CaseStatus.choices)
    reason = models.TextField(_("reason"))
    forwarded_to = models.CharField(_("forwarded / referred to"), max_length=200, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
        constraints = [models.CheckConstraint(condition=~Q(reason=""), name="violation_transition_has_reason")]

    def __str__(self):
        return f"{self.case_id}: {self.from_status} -> {self.to_status}"


class Assignment(models.Model):
    """A handler on a case; ending it (reassignment) keeps the row as history."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assignments")
    handler = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    assigned_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["assigned_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "handler"], condition=Q(ended_at__isnull=True), name="violation_assignment_one_active"
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=models.F("assigned_at")),
                name="violation_assignment_ends_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.case_id} / {self.handler_id}"


class Note(models.Model):
    """Internal note: handlers only, never shown to the reporter."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    body = models.TextField(_("note"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("body"), TEXT_NOTE_MAX), name="violation_note_bounded"
            ),
        ]

    def __str__(self):
        return f"{self.case_id} note {self.pk}"


class MessageDirection(models.TextChoices):
    FROM_REPORTER = "IN", _("From the reporter")
    TO_REPORTER = "OUT", _("To the reporter")


class Message(models.Model):
    """Exchanged with the reporter (seen on the receipt-code status page)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="messages")
    direction = models.CharField(max_length=3, choices=MessageDirection.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(_("message"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(direction__in=MessageDirection.values), name="violation_message_dir"),
            models.CheckConstraint(
                condition=Q(direction="IN") | Q(author__isnull=False), name="violation_message_out_has_author"
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("body"), TEXT_NOTE_MAX), name="violation_message_bounded"
            ),
        ]

    def __str__(self):
        return f"{self.case_id} {self.direction} {self.pk}"


class Clarification(models.Model):
    """A meeting with the reported person (and their superior), with minutes."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="clarifications")
    held_on = models.DateField(_("held on"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    attendees = models.TextField(_("attendees"), help_text=_("The reported person, their superior, handlers."))
    minutes = models.TextField(_("minutes"))
    attachment = models.FileField(_("attachment"), storage=private_storage, blank=True, max_length=200)
    attachment_type = models.CharField(max_length=100, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["held_on", "id"]

    def __str__(self):
        return f"{self.case_id} clarification {self.held_on}"


class SanctionKind(models.TextChoices):
    ETHICS = "ETHICS", _("Ethics (moral sanction)")
    DISCIPLINARY = "DISCIPLINARY", _("Disciplinary")
    CONTRACT = "CONTRACT", _("PPNPN contract sanction")


class EthicsForm(models.TextChoices):
    CLOSED_STATEMENT = "CLOSED", _("Closed statement")
    OPEN_STATEMENT = "OPEN", _("Open statement")


class DisciplineForm(models.TextChoices):
    ORAL_REPRIMAND = "ORAL_REPRIMAND", _("Oral reprimand")
    WRITTEN_REPRIMAND = "WRITTEN_REPRIMAND", _("Written reprimand")
    DISSATISFACTION = "DISSATISFACTION", _("Written statement of dissatisfaction")
    # xgettext:no-python-format
    ALLOWANCE_CUT_6 = "ALLOWANCE_CUT_6", _("25% cut of performance allowance for 6 months")
    # xgettext:no-python-format
    ALLOWANCE_CUT_9 = "ALLOWANCE_CUT_9", _("25% cut of performance allowance for 9 months")
    # xgettext:no-python-format
    ALLOWANCE_CUT_12 = "ALLOWANCE_CUT_12", _("25% cut of performance allowance for 12 months")
    DEMOTION = "DEMOTION", _("Demotion one level for 12 months")
    NON_MANAGERIAL = "NON_MANAGERIAL", _("Moved to a non-managerial post for 12 months")
    DISMISSAL = "DISMISSAL", _("Honourable dismissal not at own request")
    DISHONOURABLE = "DISHONOURABLE", _("Dishonourable dismissal (party membership)")


# Which forms belong to which level (domain.md section 5); enforced by the database.
DISCIPLINE_FORMS = {
    DisciplineLevel.LIGHT: [
        DisciplineForm.ORAL_REPRIMAND,
        DisciplineForm.WRITTEN_REPRIMAND,
        DisciplineForm.DISSATISFACTION,
    ],
    DisciplineLevel.MODERATE: [
        DisciplineForm.ALLOWANCE_CUT_6,
        DisciplineForm.ALLOWANCE_CUT_9,
        DisciplineForm.ALLOWANCE_CUT_12,
    ],
    DisciplineLevel.HEAVY: [
        DisciplineForm.DEMOTION,
        DisciplineForm.NON_MANAGERIAL,
        DisciplineForm.DISMISSAL,
        DisciplineForm.DISHONOURABLE,
    ],
}


class ContractForm(models.TextChoices):
    ORAL_WARNING = "ORAL_WARNING", _("Oral warning")
    WRITTEN_WARNING = "WRITTEN_WARNING", _("Written warning")
    FINAL_WARNING = "FINAL_WARNING", _("Final written warning")
    TERMINATION = "TERMINATION", _("Contract termination")


def _level_matches_form():
    condition = Q()
    for level, forms in DISCIPLINE_FORMS.items():
        condition |= Q(discipline_level=level, discipline_form__in=[str(f) for f in forms])
    return condition


class Sanction(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="sanctions")
    kind = models.CharField(_("kind"), max_length=12, choices=SanctionKind.choices)
    ethics_form = models.CharField(_("moral sanction"), max_length=8, choices=EthicsForm.choices, blank=True)
    discipline_level = models.CharField(
        _("discipline level"), max_length=10, choices=DisciplineLevel.choices, blank=True
    )
    discipline_form = models.CharField(
        _("disciplinary sanction"), max_length=20, choices=DisciplineForm.choices, blank=True
    )
    contract_form = models.CharField(_("contract sanction"), max_length=16, choices=ContractForm.choices, blank=True)
    decree_number = models.CharField(_("decree number"), max_length=120)
    decree_date = models.DateField(_("decree date"))
    imposed_by = models.CharField(
        _("imposed by"), max_length=200, help_text=_("The staffing official who signed the decree (name, position).")
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("sanction")
        verbose_name_plural = _("sanctions")
        ordering = ["decree_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="ETHICS") & ~Q(ethics_form="") & Q(discipline_level="", contract_form=""))
                | (Q(kind="DISCIPLINARY") & _level_matches_form() & Q(ethics_form="", contract_form=""))
                | (Q(kind="CONTRACT") & ~Q(contract_form="") & Q(ethics_form="", discipline_level="")),
                name="violation_sanction_fields_match_kind",
            ),
            models.CheckConstraint(condition=~Q(decree_number=""), name="violation_sanction_has_decree"),
        ]

    def __str__(self):
        return f"{self.case_id} {self.get_kind_display()}"

    @property
    def label(self) -> str:
        if self.kind == SanctionKind.ETHICS:
            return self.get_ethics_form_display()
        if self.kind == SanctionKind.DISCIPLINARY:
            return f"{self.get_discipline_level_display()}: {self.get_discipline_form_display()}"
        return self.get_contract_form_display()


class Evidence(models.Model):
    """An evidence file; stored under a random name in private storage."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(storage=private_storage, max_length=200)
    content_type = models.CharField(max_length=100)
    original_name = models.CharField(_("file name"), max_length=120, help_text=_("Shown only; never used as a path."))
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")
        ordering = ["uploaded_at", "id"]

    def __str__(self):
        return self.original_name


class EvidenceLink(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="links")
    url = models.URLField(_("link"), max_length=500)
    note = models.CharField(_("note"), max_length=200, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["added_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(url__startswith="http://") | Q(url__startswith="https://"), name="violation_link_is_http"
            )
        ]

    def __str__(self):
        return self.url


class DigestLog(models.Model):
    """One digest per handler per day: claimed before sending (idempotent task)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sent_on = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "sent_on"], name="violation_digest_once_per_day")]

    def __str__(self):
        return f"{self.user_id} {self.sent_on}"
