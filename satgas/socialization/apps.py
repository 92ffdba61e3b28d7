from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SocializationConfig(AppConfig):
    name = "satgas.socialization"
    label = "socialization"
    verbose_name = _("Socialization")

    def ready(self):
        from satgas.core import jobs
        from satgas.core.models import register_action_labels

        from . import services
        from .models import ATTENDANCE_IMPORT_RUNNING, AttendanceImport

        # A list whose worker died (its lease ran out) is resumed, then failed with a message (satgas.core.jobs).
        jobs.register(
            "attendance-import",
            jobs.JobKind(
                model=AttendanceImport,
                leased=ATTENDANCE_IMPORT_RUNNING,
                resume=services.attendance_import_resume,
                fail=services.attendance_import_fail_stalled,
            ),
        )

        register_action_labels(
            {
                "socialization.created": _("Socialization session created"),
                "socialization.updated": _("Socialization session changed"),
                "socialization.checkin_opened": _("Self check-in opened"),
                "socialization.checkin_closed": _("Self check-in closed"),
                "socialization.material_uploaded": _("Session material uploaded"),
                "attendance.added": _("Attendance recorded"),
                "attendance.removed": _("Attendance removed"),
                "attendance.import_started": _("Attendance list uploaded"),
                "attendance.import_cancelled": _("Attendance list cancelled"),
                "attendance.import_retried": _("Attendance list read again"),
                "attendance.import_stalled": _("Attendance list interrupted and stopped"),
            }
        )
