from django.contrib import admin

from .models import Reminder


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    """Read-only log of reminders sent (everything else is edited in the app, through services)."""

    list_display = ["unit", "period_start", "sent_on", "overdue"]
    list_filter = ["overdue"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
