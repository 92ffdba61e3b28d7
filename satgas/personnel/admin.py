"""Read-mostly Django admin for superusers; day-to-day work uses the app's pages."""

from django.contrib import admin

from .models import Person, PersonnelImport, Placement, Unit


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "unit_type", "unit_class", "parent", "is_active"]
    list_filter = ["unit_type", "is_active"]
    search_fields = ["code", "name"]
    raw_id_fields = ["head", "parent"]


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["full_name", "employment_type", "nip", "nik", "unit", "status"]
    list_filter = ["employment_type", "status", "unit"]
    search_fields = ["full_name", "nip", "nik"]
    list_select_related = ["unit"]
    readonly_fields = [f.name for f in Person._meta.fields]

    def has_add_permission(self, request):
        return False  # use the registry pages, which record the audit trail


@admin.register(Placement)
class PlacementAdmin(admin.ModelAdmin):
    list_display = ["person", "unit", "started_on", "ended_on"]
    raw_id_fields = ["person"]
    readonly_fields = ["person", "unit", "started_on", "ended_on", "reason", "created_by"]

    def has_add_permission(self, request):
        return False  # every field is read-only (an empty row crashed): moves are made on the person's page


@admin.register(PersonnelImport)
class PersonnelImportAdmin(admin.ModelAdmin):
    list_display = ["filename", "uploaded_by", "status", "created_at"]
    exclude = ["content"]
    readonly_fields = ["filename", "uploaded_by", "status", "counts", "created_at", "applied_at", "applied_by"]

    def has_add_permission(self, request):
        return False  # files are uploaded, checked and confirmed on the import page
