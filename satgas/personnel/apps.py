from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PersonnelConfig(AppConfig):
    name = "satgas.personnel"
    label = "personnel"
    verbose_name = _("Personnel")
