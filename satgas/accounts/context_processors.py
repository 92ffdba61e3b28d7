from .roles import roles_for


def roles(request):
    """Expose the user's roles to templates (navigation, buttons)."""
    return {"roles": roles_for(getattr(request, "user", None))}
