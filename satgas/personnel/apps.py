from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PersonnelConfig(AppConfig):
    name = "satgas.personnel"
    label = "personnel"
    verbose_name = _("Personnel")

    def ready(self):
        from satgas.core import aggregates

        from .models import Person, Unit

        aggregates.watch(aggregates.REGISTRY, Person, Unit)
        from satgas.core.models import register_action_labels

        register_action_labels(
            {
                "person.created": _("Added to the registry"),
                "person.updated": _("Details changed"),
                "person.moved": _("Moved to another unit"),
                "person.email_change_requested": _("New email address requested"),
                "person.email_confirmed": _("New email address confirmed"),
                "person.email_change_cancelled": _("Change of email address cancelled"),
                "unit.created": _("Unit created"),
                "unit.updated": _("Unit changed"),
                "import.uploaded": _("Import file uploaded"),
                "import.confirmed": _("Import confirmed"),
                "import.cancelled": _("Import cancelled"),
            }
        )
