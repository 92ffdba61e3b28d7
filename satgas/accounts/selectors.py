from django.db.models import Prefetch, QuerySet

from .models import Role, RoleAssignment, User


def account_of(person) -> User | None:
    return User.objects.filter(person=person).prefetch_related("role_assignments__unit").first()


def users_with_roles(*, search: str = "") -> QuerySet[User]:
    qs = User.objects.select_related("person__unit").prefetch_related(
        Prefetch("role_assignments", queryset=RoleAssignment.objects.select_related("unit"))
    )
    if search:
        qs = qs.filter(email__icontains=search) | qs.filter(full_name__icontains=search)
    return qs.order_by("email")


def regional_admin_emails() -> list[str]:
    """Addresses of the active regional admins (alerts that need one of them)."""
    return sorted(
        set(
            RoleAssignment.objects.filter(role=Role.REGIONAL_ADMIN, user__is_active=True)
            .exclude(user__email="")
            .values_list("user__email", flat=True)
        )
    )
