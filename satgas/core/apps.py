from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "satgas.core"
    label = "core"

    def ready(self):
        from django.core.checks import register
        from django.utils.translation import gettext_lazy as _

        from .checks import tasks_fit_the_visibility_timeout
        from .models import register_action_labels

        register(tasks_fit_the_visibility_timeout)
        register_action_labels(
            {
                "outbox.retried": _("Background task started again"),
                "outbox.dismissed": _("Background task dismissed"),
            }
        )
