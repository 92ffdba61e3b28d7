from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from satgas.core.limits import EARLIEST, LATEST


def _plausible(*fields) -> Q:
    """Every date of ``fields`` within the input rules' range (satgas/core/limits.py)."""
    condition = Q()
    for name in fields:
        condition &= Q(**{f"{name}__gte": EARLIEST, f"{name}__lte": LATEST})
    return condition


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
            models.CheckConstraint(
                condition=_plausible("voting_day", "starts_on", "ends_on"),
                name="election_dates_plausible",
                violation_error_message=_("Election dates must fall between 2000 and 2100."),
            ),
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
            models.CheckConstraint(
                condition=_plausible("starts_on", "ends_on"),
                name="stage_dates_plausible",
                violation_error_message=_("Election dates must fall between 2000 and 2100."),
            ),
            models.UniqueConstraint(fields=["election", "name"], name="stage_unique_name"),
        ]

    def __str__(self):
        return self.name
