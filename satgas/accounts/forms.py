from allauth.account.forms import RequestLoginCodeForm as AllauthRequestLoginCodeForm
from allauth.account.forms import ResetPasswordForm as AllauthResetPasswordForm
from django import forms
from django.utils.translation import gettext_lazy as _

from satgas.core.forms import InputRulesMixin, StyledFormMixin
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


# --- allauth forms (ACCOUNT_FORMS): codes and resets only to the login's own address -----------------------------


def _mail_request_allowed(form, email: str) -> None:
    """Count a request for a mail to ``email`` (per client and address); refuse while this client must wait."""
    from allauth.core import context

    from .adapters import MAIL_REQUEST_GUARD, client_of

    client = client_of(context.request)
    wait = MAIL_REQUEST_GUARD.wait(client=client, target=email.lower())
    if wait:
        from satgas.core.ratelimit import wait_message

        raise forms.ValidationError(wait_message(wait), code="too_many_login_attempts")
    MAIL_REQUEST_GUARD.failed(client=client, target=email.lower())


def _own_address(user, email: str) -> bool:
    """A sign-in code or reset link goes only to the login's own address (``User.email``: set by a regional
    admin or confirmed by the person), never to another address recorded for the user."""
    return bool(user) and (user.email or "").strip().lower() == (email or "").strip().lower()


class RequestLoginCodeForm(InputRulesMixin, AllauthRequestLoginCodeForm):
    def clean_email(self):
        email = (self.data.get("email") or "").strip()
        if email:
            _mail_request_allowed(self, email)
        email = super().clean_email()
        if email and not _own_address(getattr(self, "_user", None), email):
            self._user = None  # allauth then sends its "no account" mail, as for an unknown address
        return email


class ResetPasswordForm(InputRulesMixin, AllauthResetPasswordForm):
    def clean_email(self):
        email = (self.data.get("email") or "").strip()
        if email:
            _mail_request_allowed(self, email)
        email = super().clean_email()
        self.users = [user for user in self.users if _own_address(user, email)]
        return email
