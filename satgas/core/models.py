from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Human labels of audit actions; each app adds its own in AppConfig.ready().
ACTION_LABELS: dict[str, str] = {}


def register_action_labels(labels: dict) -> None:
    ACTION_LABELS.update(labels)


class AuditEvent(models.Model):
    """Who did what to which object, and when. Rows are only ever added."""

    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=64)
    target_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    target_id = models.CharField(max_length=64)
    target_repr = models.CharField(_("object"), max_length=255)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id", "-created_at"])]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.target_repr}"

    @property
    def action_label(self) -> str:
        return str(ACTION_LABELS.get(self.action, self.action))


class FormSubmission(models.Model):
    """A create form's one-time token, claimed in the transaction that creates the record (``core.submissions``).

    Unique per (form, who, token): a second request with the same token finds this row and gets the first result
    instead of creating a second record. Kept ``SATGAS_FORM_SUBMISSION_KEEP_DAYS``; the token itself is stored only
    as a hash, and ``secret`` (a receipt code to show again) is encrypted with a key derived from the token and
    erased after ``SATGAS_FORM_SECRET_SECONDS``.
    """

    scope = models.CharField(max_length=100)
    owner = models.CharField(max_length=100)
    token_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    result_url = models.CharField(max_length=500, blank=True)
    result_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    result_id = models.CharField(max_length=64, blank=True)
    secret = models.TextField(blank=True)
    secret_expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "owner", "token_hash"], name="core_form_submission_once"),
        ]

    def __str__(self):
        return f"{self.scope} {self.created_at:%Y-%m-%d %H:%M}"
