from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SocializationConfig(AppConfig):
    name = "satgas.socialization"
    label = "socialization"
    verbose_name = _("Socialization")

    def ready(self):
        from satgas.core.models import register_action_labels

        register_action_labels(
            {
                "socialization.created": _("Socialization session created"),
                "socialization.updated": _("Socialization session changed"),
                "socialization.checkin_opened": _("Self check-in opened"),
                "socialization.checkin_closed": _("Self check-in closed"),
                "socialization.material_uploaded": _("Session material uploaded"),
                "attendance.added": _("Attendance recorded"),
                "attendance.removed": _("Attendance removed"),
            }
        )
