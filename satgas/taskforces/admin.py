"""Read-only Django admin for superusers; every change goes through the app's pages and services."""

from django.contrib import admin

from .models import DecreeCounter, Inauguration, Membership, RegionalDefaults, TaskForce


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(TaskForce)
class TaskForceAdmin(ReadOnlyAdmin):
    list_display = ["unit", "election", "status", "decree_number", "decree_date"]
    list_filter = ["status", "election"]
    search_fields = ["unit__name", "decree_number"]


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin):
    list_display = ["person", "task_force", "role", "started_on", "ended_on"]
    list_filter = ["role"]
    search_fields = ["person__full_name", "person__nip", "person__nik"]


admin.site.register([Inauguration, RegionalDefaults, DecreeCounter], ReadOnlyAdmin)
