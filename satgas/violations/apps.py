from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ViolationsConfig(AppConfig):
    name = "satgas.violations"
    label = "violations"
    verbose_name = _("Violations")

    def ready(self):
        from satgas.core.models import register_action_labels

        from .permissions import sync_identity_group

        # The group holding the reporter-identity permission is declared in code.
        post_migrate.connect(sync_identity_group, sender=self, dispatch_uid="violations-identity-group")
        register_action_labels(
            {
                "violation.reported": _("Violation reported"),
                "violation.status": _("Case status changed"),
                "violation.assigned": _("Handler assigned"),
                "violation.unassigned": _("Handler removed"),
                "violation.note": _("Internal note added"),
                "violation.message": _("Message to the reporter"),
                "violation.reporter_message": _("Message from the reporter"),
                "violation.clarification": _("Clarification recorded"),
                "violation.sanction": _("Sanction recorded"),
                "violation.evidence": _("Evidence added"),
                "violation.evidence_viewed": _("Evidence opened"),
                "violation.identity_viewed": _("Reporter identity viewed"),
            }
        )
