from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse

from .roles import roles_for


class RequireAdminMFAMiddleware:
    """Send regional admins without an authenticator to the TOTP set-up page.

    Active when ``SATGAS_REQUIRE_ADMIN_MFA`` is on (the production default).
    """

    allowed_prefixes = ("/accounts/", "/static/", "/healthz", "/i18n/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.SATGAS_REQUIRE_ADMIN_MFA and self._must_enrol(request):
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)

    def _must_enrol(self, request) -> bool:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return False
        if request.path.startswith(self.allowed_prefixes):
            return False
        if not roles_for(user).is_regional_admin:
            return False
        from allauth.mfa.models import Authenticator

        return not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
