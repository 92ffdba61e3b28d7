from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TaskForcesConfig(AppConfig):
    name = "satgas.taskforces"
    label = "taskforces"
    verbose_name = _("Task forces")

    def ready(self):
        from satgas.core import aggregates

        from .models import Membership, TaskForce

        aggregates.watch(aggregates.TASKFORCES, TaskForce, Membership)
        from satgas.accounts.roles import register_taskforce_units_provider
        from satgas.core.models import register_action_labels

        from .selectors import taskforce_unit_ids_for_person

        # An active membership gives the unit task-force role, computed per request.
        register_taskforce_units_provider(taskforce_unit_ids_for_person)
        register_action_labels(
            {
                "taskforce.created": _("Task force created"),
                "taskforce.updated": _("Task force changed"),
                "taskforce.status": _("Task force status changed"),
                "taskforce.decree": _("Appointment decree recorded"),
                "taskforce.member_added": _("Member added"),
                "taskforce.member_ended": _("Membership ended"),
                "taskforce.member_replaced": _("Member replaced"),
                "taskforce.members_imported": _("Members imported"),
                "taskforce.inaugurated": _("Inauguration recorded"),
                "taskforce.defaults_updated": _("Task-force defaults changed"),
            }
        )
