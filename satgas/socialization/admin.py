from django.contrib import admin

from .models import Attendance, SessionMaterial, SocializationSession


class MaterialInline(admin.TabularInline):
    model = SessionMaterial
    extra = 0
    fields = ["original_name", "kind", "size", "uploaded_by", "uploaded_at"]
    readonly_fields = fields
    can_delete = False


@admin.register(SocializationSession)
class SocializationSessionAdmin(admin.ModelAdmin):
    """Read-only: sessions are created and changed in the app (services, audit trail)."""

    list_display = ["title", "starts_at", "mode", "election", "checkin_open"]
    list_filter = ["mode", "election"]
    search_fields = ["title"]
    inlines = [MaterialInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Attendance)
class AttendanceAdmin(admin.ModelAdmin):
    list_display = ["session", "person", "method", "recorded_at"]
    list_filter = ["method"]
    list_select_related = ["session", "person"]
    search_fields = ["person__full_name", "person__nip", "person__nik"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
