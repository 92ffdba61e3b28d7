from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    """No public sign-up: accounts exist only for people in the registry,
    created by admins or by the personnel import."""

    def is_open_for_signup(self, request):
        return False
