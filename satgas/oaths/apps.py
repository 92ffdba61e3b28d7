from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OathsConfig(AppConfig):
    name = "satgas.oaths"
    label = "oaths"
    verbose_name = _("Neutrality oath")

    def ready(self):
        from satgas.core import aggregates

        from .models import Campaign, Signature

        aggregates.watch(aggregates.OATHS, Signature, Campaign, m2m=[Campaign.units.through])
