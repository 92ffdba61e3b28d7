from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "satgas.core"
    label = "core"

    def ready(self):
        from django.contrib import admin

        from .forms import apply_input_rules_to_admin

        apply_input_rules_to_admin(admin.site)  # django.contrib.admin comes first: its registry is complete
