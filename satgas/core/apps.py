from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "satgas.core"
    label = "core"

    def ready(self):
        from django.contrib import admin

        from .forms import apply_input_rules_to_admin

        apply_input_rules_to_admin(admin.site)  # django.contrib.admin comes first: its registry is complete

        from django.core.checks import register
        from django.utils.translation import gettext_lazy as _

        from .checks import tasks_fit_the_visibility_timeout
        from .models import register_action_labels, register_task_labels

        register(tasks_fit_the_visibility_timeout)
        register_action_labels(
            {
                "outbox.retried": _("Background task started again"),
                "outbox.dismissed": _("Background task dismissed"),
            }
        )
        register_task_labels(
            {
                "satgas.core.tasks.send_templated_email": _("Send an email"),
                "satgas.core.tasks.jobs_sweep": _("Resume interrupted jobs"),
                "satgas.oaths.tasks.oath_reminders_dispatch": _("Prepare oath reminders"),
                "satgas.oaths.tasks.oath_reminders_send": _("Send a batch of oath reminders"),
                "satgas.oaths.tasks.oath_reminders_before_closing": _("Daily oath reminders before closing"),
                "satgas.oaths.tasks.oath_campaigns_close_expired": _("Close expired oath campaigns"),
                "satgas.personnel.tasks.personnel_import_check": _("Check a personnel import file"),
                "satgas.personnel.tasks.personnel_import_apply": _("Import personnel"),
                "satgas.reports.tasks.semester_report_deliver": _("Deliver a six-monthly report"),
                "satgas.reports.tasks.semester_reports_dispatch": _("Generate the six-monthly reports"),
                "satgas.reports.tasks.semester_reports_sweep": _("Check six-monthly report deliveries"),
                "satgas.violations.tasks.violation_digest_send": _("Daily digest of violation cases"),
                "satgas.monitoring.tasks.monitoring_reminders_send": _("Monitoring report reminders"),
            }
        )
        from . import lookups  # noqa: F401 - registers the integer-range lookups
