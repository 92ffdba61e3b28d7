from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PersonnelConfig(AppConfig):
    name = "satgas.personnel"
    label = "personnel"
    verbose_name = _("Personnel")

    def ready(self):
        from satgas.core import aggregates, jobs

        from . import services
        from .models import RUNNING_IMPORT_STATUSES, Person, PersonnelImport, Unit

        aggregates.watch(aggregates.REGISTRY, Person, Unit)
        # An import whose worker died (its lease ran out) is resumed, then failed with advice (satgas.core.jobs).
        jobs.register(
            "personnel-import",
            jobs.JobKind(
                model=PersonnelImport,
                leased=RUNNING_IMPORT_STATUSES,
                resume=services.personnel_import_resume,
                fail=services.personnel_import_fail_stalled,
            ),
        )
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
                "import.retried": _("Import started again"),
                "import.stalled": _("Import interrupted and stopped"),
            }
        )
