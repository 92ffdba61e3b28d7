"""Vulnerable points, monitoring reports (with frozen versions), evaluations and reminders."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from satgas.core.files import private_storage


class RiskLevel(models.IntegerChoices):
    LOW = 1, _("Low")
    MEDIUM = 2, _("Medium")
    HIGH = 3, _("High")


class PointStatus(models.TextChoices):
    OPEN = "OPEN", _("Open")
    MITIGATED = "MITIGATED", _("Mitigated")
    CLOSED = "CLOSED", _("Closed")


SCALE = [MinValueValidator(1), MaxValueValidator(5)]


class VulnerablePoint(models.Model):
    """A titik rawan: what could go wrong in a unit during one election stage."""

    unit = models.ForeignKey("personnel.Unit", on_delete=models.PROTECT, related_name="vulnerable_points")
    stage = models.ForeignKey("elections.ElectionStage", on_delete=models.PROTECT, related_name="vulnerable_points")
    description = models.TextField(_("what could go wrong"))
    likelihood = models.PositiveSmallIntegerField(_("likelihood (1–5)"), validators=SCALE)
    impact = models.PositiveSmallIntegerField(_("impact (1–5)"), validators=SCALE)
    risk_level = models.PositiveSmallIntegerField(_("risk level"), choices=RiskLevel.choices, editable=False)
    mitigation = models.TextField(_("mitigation"), blank=True)
    owner = models.CharField(_("owner"), max_length=160, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=PointStatus.choices, default=PointStatus.OPEN)
    review_on = models.DateField(_("review date"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("vulnerable point")
        verbose_name_plural = _("vulnerable points")
        ordering = ["unit__name", "stage__starts_on", "-risk_level", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(likelihood__gte=1, likelihood__lte=5), name="vp_likelihood_1_5"),
            models.CheckConstraint(condition=Q(impact__gte=1, impact__lte=5), name="vp_impact_1_5"),
            models.CheckConstraint(condition=Q(risk_level__in=RiskLevel.values), name="vp_risk_level_valid"),
        ]

    def __str__(self):
        return f"{self.unit} · {self.stage}: {self.description[:60]}"


class ReportStatus(models.TextChoices):
    DRAFT = "DRAFT", _("Draft")
    SUBMITTED = "SUBMITTED", _("Submitted")
    RETURNED = "RETURNED", _("Returned")
    ACCEPTED = "ACCEPTED", _("Accepted")


class MonitoringReport(models.Model):
    """A unit's monitoring report for one period; edited only while draft or returned."""

    unit = models.ForeignKey("personnel.Unit", on_delete=models.PROTECT, related_name="monitoring_reports")
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period until"))
    due_on = models.DateField(_("due"))
    status = models.CharField(_("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT)
    activities = models.TextField(_("activities"), blank=True)
    other_media = models.TextField(_("other media and direct observation"), blank=True)
    findings = models.TextField(_("findings"), blank=True)
    obstacles = models.TextField(_("obstacles"), blank=True)
    recommendations = models.TextField(_("recommendations"), blank=True)
    review_comment = models.TextField(_("comment of the regional office"), blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("monitoring report")
        verbose_name_plural = _("monitoring reports")
        ordering = ["-period_start", "unit__name"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "period_start"], name="monitoring_report_one_per_unit_period"),
            models.CheckConstraint(condition=Q(period_end__gte=F("period_start")), name="monitoring_period_valid"),
            models.CheckConstraint(condition=Q(status__in=ReportStatus.values), name="monitoring_status_valid"),
        ]

    def __str__(self):
        return f"{self.unit} {self.period_start:%Y-%m}"


class SocialMediaWatch(models.Model):
    """One line of the social-media log: a platform, what was watched, how many posts were reviewed."""

    report = models.ForeignKey(MonitoringReport, on_delete=models.CASCADE, related_name="watches")
    platform = models.CharField(_("platform"), max_length=40)
    accounts = models.TextField(_("accounts or groups watched"))
    posts_reviewed = models.PositiveIntegerField(_("posts reviewed"), default=0)

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return f"{self.platform}: {self.posts_reviewed}"


class FlaggedPost(models.Model):
    report = models.ForeignKey(MonitoringReport, on_delete=models.CASCADE, related_name="flagged_posts")
    platform = models.CharField(_("platform"), max_length=40)
    url = models.URLField(_("URL"), max_length=500)
    posted_on = models.DateField(_("date"))
    description = models.CharField(_("short description"), max_length=500)
    case = models.OneToOneField(
        "violations.Case", on_delete=models.SET_NULL, null=True, blank=True, related_name="flagged_post"
    )

    class Meta:
        ordering = ["posted_on", "pk"]

    def __str__(self):
        return self.url


class Attachment(models.Model):
    report = models.ForeignKey(MonitoringReport, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(storage=private_storage, max_length=200)
    display_name = models.CharField(max_length=120)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return self.display_name


class ReportVersion(models.Model):
    """What was submitted, frozen: one per submission."""

    report = models.ForeignKey(MonitoringReport, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField()
    snapshot = models.JSONField()
    submitted_at = models.DateTimeField()
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(max_length=10, choices=ReportStatus.choices, blank=True)
    outcome_comment = models.TextField(blank=True)

    class Meta:
        ordering = ["report", "number"]
        constraints = [models.UniqueConstraint(fields=["report", "number"], name="monitoring_version_unique")]

    def __str__(self):
        return f"{self.report} v{self.number}"


class Evaluation(models.Model):
    """The regional office's evaluation of a unit for one period."""

    unit = models.ForeignKey("personnel.Unit", on_delete=models.PROTECT, related_name="monitoring_evaluations")
    period_start = models.DateField(_("period from"))
    score = models.PositiveSmallIntegerField(_("score (0–100)"), validators=[MaxValueValidator(100)])
    notes = models.TextField(_("notes"), blank=True)
    evaluated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    evaluated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit", "period_start"], name="monitoring_evaluation_unique"),
            models.CheckConstraint(condition=Q(score__lte=100), name="monitoring_score_0_100"),
        ]

    def __str__(self):
        return f"{self.unit} {self.period_start:%Y-%m}: {self.score}"

    @property
    def grade(self) -> str:
        for floor, grade in ((85, "A"), (70, "B"), (55, "C"), (40, "D")):
            if self.score >= floor:
                return grade
        return "E"


class Reminder(models.Model):
    """A reminder sent for a report's period on a day: at most one per unit, period and day."""

    unit = models.ForeignKey("personnel.Unit", on_delete=models.CASCADE, related_name="+")
    period_start = models.DateField()
    sent_on = models.DateField()
    overdue = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit", "period_start", "sent_on"], name="monitoring_reminder_once_a_day")
        ]

    def __str__(self):
        return f"{self.unit_id} {self.period_start} {self.sent_on}"
