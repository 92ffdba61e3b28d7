"""The six-monthly report to the Secretary General: one per office and semester, with frozen versions.

The workflow (which status may follow which) is declared once in ``rules.py``;
only ``services`` change ``SemesterReport.status``. Every generation is kept as a
``SemesterReportVersion`` holding the frozen numbers (``snapshot``), the text,
and the PDF and XLSX bytes with their SHA-256 — in the database, so web and
worker processes need no shared disk and a database backup contains them.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .periods import Semester


class ReportStatus(models.TextChoices):
    DRAFT = "DRAFT", _("Draft")
    APPROVED = "APPROVED", _("Approved")
    QUEUED = "QUEUED", _("Queued for sending")
    SENDING = "SENDING", _("Sending")
    DELIVERED = "DELIVERED", _("Delivered")
    FAILED = "FAILED", _("Delivery failed")


class VersionReason(models.TextChoices):
    GENERATED = "generated", _("Generated")
    REGENERATED = "regenerated", _("Regenerated from current data")
    NARRATIVE = "narrative edited", _("Text edited")


def _empty_list():
    return []


class SemesterReport(models.Model):
    """An office's report for one semester; its versions hold what was generated."""

    office = models.ForeignKey(
        "personnel.Unit", verbose_name=_("office"), on_delete=models.PROTECT, related_name="semester_reports"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    half = models.PositiveSmallIntegerField(_("semester"))
    status = models.CharField(
        _("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT, editable=False
    )
    letter_number = models.CharField(_("letter number"), max_length=120, unique=True, editable=False)
    letter_seq = models.PositiveIntegerField(editable=False)
    letter_year = models.PositiveSmallIntegerField(editable=False)
    # The letter (official Indonesian wording, edited by admins before approval).
    sifat = models.CharField(_("nature (Sifat)"), max_length=60, default="Biasa")
    lampiran = models.CharField(_("enclosure (Lampiran)"), max_length=120, default="Satu berkas")
    hal = models.CharField(_("subject (Hal)"), max_length=300)
    summary = models.TextField(_("summary"), blank=True)
    obstacles = models.TextField(_("obstacles"), blank=True)
    recommendations = models.TextField(_("recommendations"), blank=True)
    follow_up_plan = models.TextField(_("follow-up plan"), blank=True)
    narrative_edited = models.BooleanField(default=False, editable=False)
    tembusan = models.JSONField(_("copies (Tembusan)"), default=_empty_list, blank=True)
    # Delivery.
    recipients_to = models.JSONField(_("recipients (To)"), default=_empty_list, blank=True)
    recipients_cc = models.JSONField(_("recipients (Cc)"), default=_empty_list, blank=True)
    approved_version = models.ForeignKey(
        "SemesterReportVersion",
        verbose_name=_("approved version"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True, editable=False)
    approved_automatically = models.BooleanField(default=False, editable=False)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    sent_at = models.DateTimeField(_("send requested"), null=True, blank=True, editable=False)
    claim_token = models.UUIDField(null=True, blank=True, editable=False)
    claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    attempts = models.PositiveSmallIntegerField(_("delivery attempts"), default=0, editable=False)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True, editable=False)
    delivered_to = models.JSONField(default=_empty_list, blank=True, editable=False)
    # Recipients the SMTP server refused while accepting the message for the others: {address: "550 reason"}.
    refused_recipients = models.JSONField(default=dict, blank=True, editable=False)
    message_id = models.CharField(_("message id"), max_length=255, blank=True, editable=False)
    last_error = models.TextField(_("last delivery error"), blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("six-monthly report")
        verbose_name_plural = _("six-monthly reports")
        ordering = ["-year", "-half", "office__name"]
        permissions = [("approve_semesterreport", "Can approve a six-monthly report for sending")]
        constraints = [
            models.UniqueConstraint(fields=["office", "year", "half"], name="semester_report_one_per_office_period"),
            models.CheckConstraint(condition=Q(half__in=[1, 2]), name="semester_report_half_1_or_2"),
            models.CheckConstraint(condition=Q(year__gte=2000, year__lte=2999), name="semester_report_year_range"),
            models.CheckConstraint(condition=Q(status__in=ReportStatus.values), name="semester_report_status_valid"),
            models.CheckConstraint(
                condition=Q(status="DRAFT") | Q(approved_version__isnull=False),
                name="semester_report_approved_has_version",
            ),
            models.CheckConstraint(
                condition=~Q(status="SENDING") | Q(claim_token__isnull=False, claimed_at__isnull=False),
                name="semester_report_sending_is_claimed",
            ),
            models.CheckConstraint(
                condition=~Q(status="DELIVERED") | (Q(delivered_at__isnull=False) & ~Q(message_id="")),
                name="semester_report_delivered_has_message",
            ),
        ]

    def __str__(self):
        return f"{self.office} {self.period}"

    @property
    def period(self) -> Semester:
        return Semester(self.year, self.half)

    @property
    def narrative(self) -> dict:
        return {f: getattr(self, f) for f in NARRATIVE_FIELDS}

    @property
    def letter(self) -> dict:
        return {f: getattr(self, f) for f in LETTER_FIELDS}


NARRATIVE_FIELDS = ("summary", "obstacles", "recommendations", "follow_up_plan")
LETTER_FIELDS = ("sifat", "lampiran", "hal", "tembusan")


class SemesterReportVersion(models.Model):
    """One generation of a report: frozen numbers, text, and the exact documents with their hashes."""

    report = models.ForeignKey(SemesterReport, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveSmallIntegerField(_("version"))
    reason = models.CharField(_("reason"), max_length=20, choices=VersionReason.choices)
    snapshot = models.JSONField(_("figures"))
    text = models.JSONField(_("letter text"))
    letter_date = models.DateField(_("letter date"))
    # The number the letter of this version carries (a version made in a later year gets that year's number).
    letter_number = models.CharField(_("letter number"), max_length=120, blank=True)
    pdf = models.BinaryField(editable=False)
    xlsx = models.BinaryField(editable=False)
    pdf_sha256 = models.CharField(_("SHA-256 of the PDF"), max_length=64, db_index=True)
    xlsx_sha256 = models.CharField(_("SHA-256 of the XLSX"), max_length=64, db_index=True)
    pdf_size = models.PositiveIntegerField(default=0)
    xlsx_size = models.PositiveIntegerField(default=0)
    generated_at = models.DateTimeField(_("generated"))
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("report version")
        verbose_name_plural = _("report versions")
        ordering = ["report", "number"]
        constraints = [
            models.UniqueConstraint(fields=["report", "number"], name="semester_report_version_unique"),
            models.CheckConstraint(condition=Q(number__gte=1), name="semester_report_version_positive"),
        ]

    def __str__(self):
        return f"{self.report} v{self.number}"


class LetterCounter(models.Model):
    """The last letter number an office handed out in a year; claimed under a row lock (gap-free)."""

    office = models.ForeignKey("personnel.Unit", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["office", "year"], name="semester_letter_counter_unique")]

    def __str__(self):
        return f"{self.office_id} {self.year}: {self.last}"
