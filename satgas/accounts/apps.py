from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "satgas.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from satgas.core import aggregates

        from .models import User

        aggregates.watch(aggregates.REGISTRY, User, unless_only=["last_login", "password"])
        from satgas.core.models import register_action_labels

        register_action_labels(
            {
                "account.created": _("Login created"),
                "account.activated": _("Login reactivated"),
                "account.deactivated": _("Login deactivated"),
                "account.email_changed": _("Login address changed"),
                "account.email_kept": _("Login address kept"),
                "role.granted": _("Role granted"),
                "role.revoked": _("Role removed"),
            }
        )
