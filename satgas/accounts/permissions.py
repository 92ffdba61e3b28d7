"""Who may manage logins and roles: regional admins only."""

from .roles import roles_for


def can_manage_accounts(user) -> bool:
    return roles_for(user).is_regional_admin
