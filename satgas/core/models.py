from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Human labels of audit actions; each app adds its own in AppConfig.ready().
ACTION_LABELS: dict[str, str] = {}


def register_action_labels(labels: dict) -> None:
    ACTION_LABELS.update(labels)


# What each background task does, for the admins' Background work page; each app adds its own in ready().
TASK_LABELS: dict[str, str] = {}


def register_task_labels(labels: dict) -> None:
    TASK_LABELS.update(labels)


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


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    SENT = "sent", _("Handed to the worker")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Dismissed")


class OutboxMessage(models.Model):
    """A background task a write asked for, stored in the write's own transaction (``satgas.core.outbox``).

    The row is finished when its task has finished (``done``), not when it was handed to the broker: the relay
    hands it over again while it is not finished and its lease ran out, and the task runs once per row however
    often it was handed over."""

    task_name = models.CharField(_("task"), max_length=200)
    args = models.JSONField(default=list, blank=True)
    kwargs = models.JSONField(default=dict, blank=True)
    key = models.CharField(_("idempotency key"), max_length=200, null=True, blank=True, unique=True)
    status = models.CharField(
        _("status"), max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.PENDING, db_index=True
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    available_at = models.DateTimeField(_("due"))
    handed_over_at = models.DateTimeField(_("last handed over"), null=True, blank=True)
    started_at = models.DateTimeField(_("last started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    handovers = models.PositiveIntegerField(_("handed over"), default=0)
    attempts = models.PositiveIntegerField(_("runs started"), default=0)
    retries = models.PositiveIntegerField(_("retries"), default=0)
    run_token = models.UUIDField(null=True, blank=True)
    broker_run_id = models.CharField(max_length=64, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("background task")
        verbose_name_plural = _("background tasks")
        ordering = ["available_at", "id"]
        indexes = [
            models.Index(fields=["status", "available_at"], name="outbox_due"),
            models.Index(fields=["status", "lease_until"], name="outbox_lease"),
        ]
        constraints = [models.CheckConstraint(condition=models.Q(status__in=OutboxStatus.values), name="outbox_status")]

    def __str__(self):
        return f"{self.task_name} #{self.pk} ({self.status})"


class LeasedJob(models.Model):
    """Fields of a job a person waits for (an import, a check): who holds it and until when (``satgas.core.jobs``).

    ``run_token`` names the run that holds the job; ``lease_until`` is when that run (or the wait for it to start)
    is presumed lost; ``rescues`` counts how often the sweep had to resume it."""

    run_token = models.UUIDField(null=True, blank=True, editable=False)
    lease_until = models.DateTimeField(null=True, blank=True, editable=False)
    rescues = models.PositiveSmallIntegerField(default=0, editable=False)

    class Meta:
        abstract = True
