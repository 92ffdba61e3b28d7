from django.contrib import admin

from .models import SemesterReport


@admin.register(SemesterReport)
class SemesterReportAdmin(admin.ModelAdmin):
    """Read-only: reports are generated, approved and sent in the app, through services."""

    list_display = ["office", "year", "half", "status", "letter_number", "delivered_at"]
    list_filter = ["status", "year"]
    exclude = ["approved_version"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
