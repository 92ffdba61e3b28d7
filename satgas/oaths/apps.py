from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OathsConfig(AppConfig):
    name = "satgas.oaths"
    label = "oaths"
    verbose_name = _("Neutrality oath")

    def ready(self):
        from satgas.core import aggregates

        from .models import Campaign, Signature

        def campaign_topics(instance, reverse=False, pk_set=None, **kwargs):
            if isinstance(instance, Signature):
                return [aggregates.campaign_topic(instance.campaign_id)]
            if not reverse:  # a campaign saved, deleted, or its units changed
                return [aggregates.campaign_topic(instance.pk)]
            if pk_set is None:  # a unit's campaigns cleared: which ones is not known
                return [aggregates.REGISTRY]
            return [aggregates.campaign_topic(pk) for pk in pk_set]

        aggregates.watch(campaign_topics, Signature, Campaign, m2m=[Campaign.units.through])
        from satgas.core.models import register_action_labels

        register_action_labels(
            {
                "oath.signature_disputed": _("Signature reported “Bukan saya”"),
                "oath.signature_voided": _("Signature voided"),
            }
        )
