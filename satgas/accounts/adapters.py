"""allauth hooks: no public sign-up, and failed logins counted per client and account (issue 13.8).

allauth's own ``login_failed`` limit keyed on the account ("5/5m/key") locked an account for everyone, so anyone
typing wrong passwords for a colleague kept them out. It is left per IP only (``ACCOUNT_RATE_LIMITS``); the
per-account part is ``LOGIN_GUARD``: failures count per (client, account), back off progressively, and the
per-account cap closes an account for at most a minute (``satgas.core.ratelimit.Guard``).
"""

from allauth.account.adapter import DefaultAccountAdapter
from django import forms

from satgas.core.ratelimit import Guard, wait_message
from satgas.core.views import client_ip

LOGIN_GUARD = Guard("login", free=5, base=30, ceiling=3600, target_limit=30, target_block=60)
# Emails asked for an account (sign-in codes, password resets): each request counts, so one client cannot flood a
# mailbox; another client is held at most a minute.
MAIL_REQUEST_GUARD = Guard("login-mail", free=3, base=60, ceiling=3600, target_limit=6, target_block=60)


def client_of(request) -> str:
    return (client_ip(request) if request is not None else None) or "unknown"


def login_target(credentials: dict) -> str:
    return (credentials.get("email") or credentials.get("username") or "").strip().lower()


class AccountAdapter(DefaultAccountAdapter):
    """No public sign-up: accounts exist only for people in the registry,
    created by admins or by the personnel import."""

    def is_open_for_signup(self, request):
        return False

    def pre_authenticate(self, request, **credentials):
        super().pre_authenticate(request, **credentials)  # allauth: per-IP limit only
        wait = LOGIN_GUARD.wait(client=client_of(request), target=login_target(credentials))
        if wait:
            self._rollback_login_failed_rl_usage()
            raise forms.ValidationError(wait_message(wait), code="too_many_login_attempts")

    def authenticate(self, request, **credentials):
        user = super().authenticate(request, **credentials)
        if user is not None:
            LOGIN_GUARD.succeeded(client=client_of(request), target=login_target(credentials))
        return user

    def authentication_failed(self, request, **credentials):
        LOGIN_GUARD.failed(client=client_of(request), target=login_target(credentials))

    def login(self, request, user):
        """A successful sign-in (password or emailed code): this client is known for this account."""
        super().login(request, user)
        for guard in (LOGIN_GUARD, MAIL_REQUEST_GUARD):
            guard.succeeded(client=client_of(request), target=(user.email or "").lower())
