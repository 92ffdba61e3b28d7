from django import forms
from django.utils.translation import gettext_lazy as _

from satgas.core.forms import StyledFormMixin
from satgas.personnel.models import Unit

from .models import Role


class RoleGrantForm(StyledFormMixin, forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    unit = forms.ModelChoiceField(
        label=_("Unit"),
        queryset=Unit.objects.filter(is_active=True),
        required=False,
        help_text=_("Required for task-force members; for leaders, empty means the whole region."),
    )

    def clean(self):
        data = super().clean()
        if data.get("role") == Role.UNIT_TASKFORCE and not data.get("unit"):
            self.add_error("unit", _("Choose the unit of this task-force member."))
        if data.get("role") == Role.REGIONAL_ADMIN and data.get("unit"):
            self.add_error("unit", _("The regional admin role covers the whole region; leave the unit empty."))
        return data


class AccountCreateForm(StyledFormMixin, forms.Form):
    email = forms.EmailField(label=_("Email"))
