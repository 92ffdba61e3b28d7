from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "satgas.core"
    label = "core"
