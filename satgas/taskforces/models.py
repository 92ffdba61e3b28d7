"""Task forces per unit and election, their members over time, decrees and inaugurations."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

DEFAULT_DECREE_PATTERN = "W.10-{nomor}.KP.05.02 TAHUN {tahun}"


class TaskForceStatus(models.TextChoices):
    DRAFT = "DRAFT", _("Draft")
    ACTIVE = "ACTIVE", _("Active")
    ENDED = "ENDED", _("Ended")


class MemberRole(models.TextChoices):
    LEADER = "LEADER", _("Team leader")
    SECRETARY = "SECRETARY", _("Secretary")
    MEMBER = "MEMBER", _("Member")


# The wording of the decree and the badges (official Indonesian titles, not UI text).
DECREE_TITLES = {MemberRole.LEADER: "Ketua Tim", MemberRole.SECRETARY: "Sekretaris", MemberRole.MEMBER: "Anggota"}
ROLE_ORDER = {MemberRole.LEADER: 0, MemberRole.SECRETARY: 1, MemberRole.MEMBER: 2}


class InaugurationMode(models.TextChoices):
    IN_PERSON = "IN_PERSON", _("In person")
    VIDEO = "VIDEO", _("Video call")


class RegionalDefaults(models.Model):
    """The regional office's defaults for new task forces: one row only."""

    leaders = models.PositiveSmallIntegerField(_("team leaders"), default=2)
    secretaries = models.PositiveSmallIntegerField(_("secretaries"), default=2)
    members = models.PositiveSmallIntegerField(_("members"), default=8)
    decree_pattern = models.CharField(
        _("decree number pattern"),
        max_length=120,
        default=DEFAULT_DECREE_PATTERN,
        help_text=_(
            "Tokens: {nomor} running number of the year (required), {tahun} year, {bulan} month (01–12), "
            "{bulan_romawi} month in Roman numerals, {kode_unit} code of the unit."
        ),
    )
    decree_place = models.CharField(_("place of the decree"), max_length=80, default="Semarang")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("task-force defaults")
        verbose_name_plural = _("task-force defaults")
        constraints = [models.CheckConstraint(condition=Q(id=1), name="taskforce_defaults_single_row")]

    def __str__(self):
        return str(_("Task-force defaults"))


class DecreeCounter(models.Model):
    """The last generated decree number of a year; claimed under a row lock."""

    year = models.PositiveSmallIntegerField(unique=True)
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.year}: {self.last_number}"


class TaskForce(models.Model):
    """The neutrality task force of one unit for one election."""

    unit = models.ForeignKey("personnel.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    election = models.ForeignKey(
        "elections.Election", verbose_name=_("election"), on_delete=models.PROTECT, related_name="task_forces"
    )
    status = models.CharField(_("status"), max_length=8, choices=TaskForceStatus.choices, default=TaskForceStatus.DRAFT)
    required_leaders = models.PositiveSmallIntegerField(_("required team leaders"))
    required_secretaries = models.PositiveSmallIntegerField(_("required secretaries"))
    required_members = models.PositiveSmallIntegerField(_("required members"))
    term_starts_on = models.DateField(_("term starts"))
    term_ends_on = models.DateField(_("term ends"), null=True, blank=True)
    decree_number = models.CharField(_("decree number"), max_length=120, null=True, blank=True, unique=True)
    decree_date = models.DateField(_("decree date"), null=True, blank=True)
    decree_number_generated = models.BooleanField(default=False, editable=False)
    signatory_name = models.CharField(_("signed by"), max_length=200, blank=True)
    signatory_nip = models.CharField(_("NIP of the signatory"), max_length=18, blank=True)
    signatory_title = models.CharField(_("position of the signatory"), max_length=200, blank=True)
    activation_reason = models.TextField(_("reason for activating with an incomplete composition"), blank=True)
    activated_at = models.DateTimeField(_("activated"), null=True, blank=True, editable=False)
    ended_on = models.DateField(_("ended on"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("task force")
        verbose_name_plural = _("task forces")
        ordering = ["unit__name", "-election__voting_day"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "election"], name="taskforce_one_per_unit_and_election"),
            models.CheckConstraint(condition=Q(status__in=TaskForceStatus.values), name="taskforce_status_valid"),
            models.CheckConstraint(
                condition=Q(term_ends_on__isnull=True) | Q(term_ends_on__gte=F("term_starts_on")),
                name="taskforce_term_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(status="ENDED") | Q(ended_on__isnull=True), name="taskforce_only_ended_has_end"
            ),
        ]

    def __str__(self):
        return f"Satgas {self.unit} · {self.election}"

    def required(self) -> dict[str, int]:
        return {
            MemberRole.LEADER: self.required_leaders,
            MemberRole.SECRETARY: self.required_secretaries,
            MemberRole.MEMBER: self.required_members,
        }


class Membership(models.Model):
    """One person holding one role in one task force for a period; never deleted."""

    task_force = models.ForeignKey(TaskForce, on_delete=models.PROTECT, related_name="memberships")
    person = models.ForeignKey(
        "personnel.Person", verbose_name=_("employee"), on_delete=models.PROTECT, related_name="taskforce_memberships"
    )
    role = models.CharField(_("role in the task force"), max_length=10, choices=MemberRole.choices)
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("until"), null=True, blank=True)
    end_reason = models.CharField(_("reason for ending"), max_length=255, blank=True)
    replaces = models.OneToOneField(
        "self",
        verbose_name=_("replaces"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replaced_by",
    )
    inaugurated = models.BooleanField(_("inaugurated"), default=False)
    badge_issued = models.BooleanField(_("hand badge issued"), default=False)
    badge_code = models.CharField(_("badge code"), max_length=32, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("task-force membership")
        verbose_name_plural = _("task-force memberships")
        ordering = ["task_force", "started_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["task_force", "person"],
                condition=Q(ended_on__isnull=True),
                name="membership_one_current_role_per_person",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="membership_ends_after_start",
            ),
            models.CheckConstraint(condition=Q(role__in=MemberRole.values), name="membership_role_valid"),
        ]
        indexes = [models.Index(fields=["person", "ended_on"]), models.Index(fields=["task_force", "ended_on"])]

    def __str__(self):
        return f"{self.person.full_name} · {self.get_role_display()}"

    @property
    def decree_title(self) -> str:
        return DECREE_TITLES[self.role]

    def is_current(self, on) -> bool:
        return self.started_on <= on and (self.ended_on is None or self.ended_on > on)


class Inauguration(models.Model):
    """The inauguration ceremony (pengukuhan) of a task force."""

    task_force = models.OneToOneField(TaskForce, on_delete=models.PROTECT, related_name="inauguration")
    held_on = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200)
    mode = models.CharField(_("attendance"), max_length=10, choices=InaugurationMode.choices)
    led_by = models.CharField(_("led by"), max_length=200)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("inauguration")
        verbose_name_plural = _("inaugurations")
        constraints = [models.CheckConstraint(condition=Q(mode__in=InaugurationMode.values), name="inauguration_mode")]

    def __str__(self):
        return f"{self.task_force} · {self.held_on}"
