from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class ElectionKind(models.TextChoices):
    GENERAL = "GENERAL", _("General election (Pemilu)")
    REGIONAL = "REGIONAL", _("Regional election (Pilkada)")


class Election(models.Model):
    """An election the task forces work for; its stages date the work."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=ElectionKind.choices)
    voting_day = models.DateField(_("voting day"))
    starts_on = models.DateField(_("first stage starts"))
    ends_on = models.DateField(_("last stage ends"))
    regulation = models.CharField(_("regulation"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("election")
        verbose_name_plural = _("elections")
        ordering = ["-voting_day"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="election_ends_after_start"),
        ]

    def __str__(self):
        return self.name


class ElectionStage(models.Model):
    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="stages")
    name = models.CharField(_("stage"), max_length=160)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("election stage")
        verbose_name_plural = _("election stages")
        ordering = ["election", "starts_on", "order"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="stage_ends_after_start"),
            models.UniqueConstraint(fields=["election", "name"], name="stage_unique_name"),
        ]

    def __str__(self):
        return self.name
