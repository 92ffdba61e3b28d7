import datetime as dt

from .models import Election, ElectionStage


def elections_all():
    return Election.objects.order_by("-voting_day")


def stages_on(day: dt.date):
    """Stages of any election running on ``day``."""
    return ElectionStage.objects.filter(starts_on__lte=day, ends_on__gte=day).select_related("election")
