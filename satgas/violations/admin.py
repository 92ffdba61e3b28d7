from django.contrib import admin

from .models import ViolationCategory


@admin.register(ViolationCategory)
class ViolationCategoryAdmin(admin.ModelAdmin):
    """Reference data: admins edit names, order and the active flag here (cases are handled in the app)."""

    list_display = ["name", "kind", "usual_level", "order", "is_active"]
    list_editable = ["order", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "code"]
