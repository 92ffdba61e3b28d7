import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from satgas.core.files import private_storage


class DocumentKind(models.TextChoices):
    OATH = "OATH", _("Neutrality oath (Ikrar Netralitas)")
    PACT = "PACT", _("Integrity pact (Pakta Integritas)")


class OathDocument(models.Model):
    """An oath or pact text; its wording lives in numbered versions."""

    kind = models.CharField(_("kind"), max_length=8, choices=DocumentKind.choices)
    title = models.CharField(_("title"), max_length=200, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("oath document")
        verbose_name_plural = _("oath documents")
        ordering = ["kind", "title"]

    def __str__(self):
        return self.title


class ConfirmMode(models.TextChoices):
    EACH = "EACH", _("Confirm each commitment")
    WHOLE = "WHOLE", _("Confirm the whole text")


class VersionStatus(models.TextChoices):
    DRAFT = "DRAFT", _("Draft")
    PUBLISHED = "PUBLISHED", _("Published")


class OathVersion(models.Model):
    """One wording of a document. Published versions never change."""

    document = models.ForeignKey(OathDocument, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("heading"), max_length=200)
    preamble = models.TextField(_("opening text"), blank=True)
    closing = models.TextField(_("closing text"), blank=True)
    confirm_mode = models.CharField(
        _("confirmation"), max_length=8, choices=ConfirmMode.choices, default=ConfirmMode.EACH
    )
    status = models.CharField(_("status"), max_length=10, choices=VersionStatus.choices, default=VersionStatus.DRAFT)
    text_sha256 = models.CharField(_("SHA-256 of the text"), max_length=64, blank=True, editable=False)
    published_at = models.DateTimeField(_("published"), null=True, blank=True, editable=False)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("text version")
        verbose_name_plural = _("text versions")
        ordering = ["document", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="version_unique_number"),
            models.CheckConstraint(
                condition=Q(status="DRAFT") | (Q(published_at__isnull=False) & ~Q(text_sha256="")),
                name="version_published_has_hash",
            ),
        ]

    def __str__(self):
        return f"{self.document} v{self.number}"

    def save(self, *args, **kwargs):
        if self.pk and OathVersion.objects.filter(pk=self.pk, status=VersionStatus.PUBLISHED).exists():
            raise ValidationError(_("A published version can never change; create a new version instead."))
        super().save(*args, **kwargs)

    @property
    def is_published(self) -> bool:
        return self.status == VersionStatus.PUBLISHED

    def canonical_text(self, commitments=None) -> str:
        """The exact text that is hashed and signed."""
        items = commitments if commitments is not None else list(self.commitments.order_by("order"))
        lines = [self.title.strip(), "", self.preamble.strip(), ""]
        lines += [f"{i}. {c.text.strip()}" for i, c in enumerate(items, start=1)]
        lines += ["", self.closing.strip()]
        return "\n".join(lines).strip() + "\n"

    def compute_sha256(self, commitments=None) -> str:
        return hashlib.sha256(self.canonical_text(commitments).encode("utf-8")).hexdigest()


class OathCommitment(models.Model):
    version = models.ForeignKey(OathVersion, on_delete=models.CASCADE, related_name="commitments")
    order = models.PositiveSmallIntegerField(_("number"))
    text = models.TextField(_("commitment"))

    class Meta:
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        ordering = ["version", "order"]
        constraints = [models.UniqueConstraint(fields=["version", "order"], name="commitment_unique_order")]

    def __str__(self):
        return f"{self.order}. {self.text[:60]}"

    def save(self, *args, **kwargs):
        if OathVersion.objects.filter(pk=self.version_id, status=VersionStatus.PUBLISHED).exists():
            raise ValidationError(_("A published version can never change; create a new version instead."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if OathVersion.objects.filter(pk=self.version_id, status=VersionStatus.PUBLISHED).exists():
            raise ValidationError(_("A published version can never change; create a new version instead."))
        return super().delete(*args, **kwargs)


class CampaignStatus(models.TextChoices):
    DRAFT = "DRAFT", _("Draft")
    OPEN = "OPEN", _("Open")
    CLOSED = "CLOSED", _("Closed")


class Campaign(models.Model):
    """Asks the people of some units to sign one published version in a time window."""

    title = models.CharField(_("title"), max_length=200)
    version = models.ForeignKey(OathVersion, verbose_name=_("text"), on_delete=models.PROTECT, related_name="campaigns")
    election = models.ForeignKey(
        "elections.Election", verbose_name=_("election"), on_delete=models.PROTECT, related_name="oath_campaigns"
    )
    units = models.ManyToManyField("personnel.Unit", verbose_name=_("units"), related_name="oath_campaigns")
    employment_types = models.JSONField(_("employment types"), default=list)
    opens_at = models.DateTimeField(_("opens"))
    closes_at = models.DateTimeField(_("closes"))
    status = models.CharField(_("status"), max_length=8, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    opened_at = models.DateTimeField(null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("signing campaign")
        verbose_name_plural = _("signing campaigns")
        ordering = ["-opens_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(closes_at__gt=F("opens_at")), name="campaign_closes_after_open"),
            models.CheckConstraint(condition=Q(status__in=CampaignStatus.values), name="campaign_status_valid"),
        ]

    def __str__(self):
        return self.title

    def is_signable(self, now=None) -> bool:
        now = now or timezone.now()
        return self.status == CampaignStatus.OPEN and self.opens_at <= now < self.closes_at


class SignatureMethod(models.TextChoices):
    ONLINE = "ONLINE", _("Online")
    PAPER = "PAPER", _("Recorded from paper")


class SignatureQuerySet(models.QuerySet):
    def valid(self):
        """Signatures that count: not voided."""
        return self.filter(voided_at__isnull=True)


class Signature(models.Model):
    """One person's signature of one campaign's text: the evidence that holds up later."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="signatures")
    person = models.ForeignKey("personnel.Person", on_delete=models.PROTECT, related_name="oath_signatures")
    version = models.ForeignKey(OathVersion, on_delete=models.PROTECT, related_name="signatures")
    text_sha256 = models.CharField(_("SHA-256 of the text"), max_length=64)
    signed_at = models.DateTimeField(_("signed at"), default=timezone.now)
    method = models.CharField(_("method"), max_length=8, choices=SignatureMethod.choices)
    typed_name = models.CharField(_("typed name"), max_length=200)
    drawn_signature = models.TextField(_("drawn signature"), blank=True)
    confirmed_commitments = models.JSONField(default=list)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.TextField(_("browser"), blank=True)
    verification_code = models.CharField(_("verification code"), max_length=32, unique=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    paper_signed_on = models.DateField(_("signed on paper on"), null=True, blank=True)
    paper_scan = models.FileField(_("scan of the paper form"), storage=private_storage, blank=True, max_length=200)
    # The address the invitation link was sent to (empty when signed after logging in, or on paper).
    invitation_email = models.EmailField(_("invitation sent to"), blank=True, default="", db_default="")
    # "Bukan saya": the person said, from the confirmation sent to their address, that they did not sign.
    disputed_at = models.DateTimeField(_("reported as not signed by the person"), null=True, blank=True)
    dispute_ip = models.GenericIPAddressField(null=True, blank=True)
    # Voided by a regional admin: kept as evidence, no longer counted; the person signs again.
    voided_at = models.DateTimeField(_("voided"), null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    void_reason = models.TextField(_("reason for voiding"), blank=True, default="", db_default="")

    objects = SignatureQuerySet.as_manager()

    class Meta:
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        ordering = ["-signed_at"]
        constraints = [
            # One signature that counts per person and campaign; a voided one stays beside the new one.
            models.UniqueConstraint(
                fields=["campaign", "person"],
                condition=Q(voided_at__isnull=True),
                name="signature_one_valid_per_person_per_campaign",
            ),
            models.CheckConstraint(
                condition=Q(method="ONLINE") | (Q(method="PAPER") & Q(recorded_by__isnull=False) & ~Q(paper_scan="")),
                name="signature_paper_has_scan_and_recorder",
            ),
            models.CheckConstraint(
                condition=Q(voided_at__isnull=True) | (Q(voided_by__isnull=False) & ~Q(void_reason="")),
                name="signature_void_has_actor_and_reason",
            ),
        ]
        indexes = [models.Index(fields=["campaign", "person"])]

    def __str__(self):
        return f"{self.person_id} / {self.campaign_id}"

    @property
    def is_voided(self) -> bool:
        return self.voided_at is not None

    @property
    def is_disputed(self) -> bool:
        return self.disputed_at is not None and self.voided_at is None


class ReminderKind(models.TextChoices):
    INVITATION = "INVITATION", _("Invitation")
    REMINDER = "REMINDER", _("Reminder")


class ReminderStatus(models.TextChoices):
    CLAIMED = "CLAIMED", _("Being sent")
    SENDING = "SENDING", _("Handed to the mail server")
    SENT = "SENT", _("Sent")
    UNCERTAIN = "UNCERTAIN", _("Interrupted while handed over")


class ReminderLog(models.Model):
    """An invitation or reminder: at most one per person per campaign per day, recorded message by message
    (``satgas.oaths.reminders``): CLAIMED (committed before any SMTP traffic) → SENDING (the DATA phase started:
    the server may have it) → SENT (the server accepted it). A claim whose worker died is taken over after its
    lease; an attempt whose acceptance was never seen (UNCERTAIN: interrupted after DATA) is sent again with the
    same Message-ID. Only SENT is skipped."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="reminders")
    person = models.ForeignKey("personnel.Person", on_delete=models.CASCADE, related_name="+")
    sent_on = models.DateField()
    kind = models.CharField(max_length=12, choices=ReminderKind.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    email = models.EmailField(_("sent to"), blank=True, default="", db_default="")
    status = models.CharField(
        max_length=10, choices=ReminderStatus.choices, default=ReminderStatus.SENT, db_default=ReminderStatus.SENT
    )
    claim_token = models.UUIDField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    message_id = models.CharField(max_length=200, blank=True, default="", db_default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "person", "sent_on"], name="reminder_once_per_day"),
        ]

    def __str__(self):
        return f"{self.kind} {self.person_id} {self.sent_on}"
