from django.contrib import admin

from .models import Election, ElectionStage


class StageInline(admin.TabularInline):
    model = ElectionStage
    extra = 0


@admin.register(Election)
class ElectionAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "voting_day", "starts_on", "ends_on"]
    inlines = [StageInline]
