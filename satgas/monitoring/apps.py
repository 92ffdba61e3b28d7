from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "satgas.monitoring"
    label = "monitoring"
    verbose_name = _("Monitoring")

    def ready(self):
        from satgas.core import aggregates

        from .models import MonitoringReport

        aggregates.watch(aggregates.MONITORING, MonitoringReport)
