from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "satgas.reports"
    label = "reports"
    verbose_name = _("Six-monthly reports")

    def ready(self):
        from django.core.checks import register

        from satgas.core.health import register_check
        from satgas.core.models import register_action_labels

        from .checks import lease_outlasts_the_task
        from .health import check_deliveries
        from .permissions import sync_approver_group

        # The group carrying the approval permission is declared in code.
        post_migrate.connect(sync_approver_group, sender=self, dispatch_uid="reports-approver-group")
        # /healthz degrades (still 200) while a report's delivery failed or a claim is stale.
        register_check("semester_reports", check_deliveries, critical=False)
        register(lease_outlasts_the_task)
        register_action_labels(
            {
                "report.generated": _("Six-monthly report generated"),
                "report.regenerated": _("Six-monthly report regenerated"),
                "report.text_updated": _("Letter text edited"),
                "report.recipients": _("Recipients changed"),
                "report.approved": _("Report approved"),
                "report.send_requested": _("Sending requested"),
                "report.resend_requested": _("Sending requested again"),
                "report.delivery_retry": _("Delivery attempt failed; will retry"),
                "report.delivery_failed": _("Delivery failed"),
                "report.delivery_interrupted": _("Delivery interrupted"),
                "report.delivered": _("Report delivered"),
            }
        )
