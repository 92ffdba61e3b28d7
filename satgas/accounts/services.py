"""Creating logins and granting roles; every change is audited."""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse

from satgas.core.email import email_enqueue
from satgas.core.services import audit_record

from .models import Role, RoleAssignment, User
from .roles import forget_roles


class AccountError(Exception):
    """A rule about accounts was broken; ``code`` says which."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@transaction.atomic
def account_create_for_person(*, actor, person, email: str | None = None, notify: bool = True) -> User:
    """Create the login of a person in the registry (no password: they sign in
    with an emailed code or set one through "forgot password")."""
    email = (email or person.email or "").strip().lower()
    if not email:
        raise AccountError("no_email")
    if User.objects.filter(person=person).exists():
        raise AccountError("already_has_account")
    if User.objects.filter(email__iexact=email).exists():
        raise AccountError("email_taken")
    try:
        with transaction.atomic():
            user = User.objects.create_user(email=email, full_name=person.full_name, person=person)
    except IntegrityError:
        raise AccountError("email_taken") from None
    audit_record(actor=actor, action="account.created", target=person, changes={"account": [None, email]})
    if notify:
        email_enqueue(
            to=[email],
            template="account_created",
            context={
                "name": person.full_name,
                "email": email,
                "login_url": settings.SATGAS_SITE_URL + reverse("account_login"),
                "code_login_url": settings.SATGAS_SITE_URL + reverse("account_request_login_code"),
            },
        )
    return user


def account_email_follow(*, person, old_email: str, new_email: str, actor) -> None:
    """The person's confirmed (or admin-set) address changed: their login follows it, so sign-in codes and reset
    links go to it and not to the previous address. Left as is when another login uses the new address (noted in
    the audit trail) or when the address was removed."""
    from allauth.account.models import EmailAddress

    user = User.objects.filter(person=person).first()
    new_email = (new_email or "").strip().lower()
    if user is None or not new_email or user.email.lower() == new_email:
        return
    if User.objects.filter(email__iexact=new_email).exclude(pk=user.pk).exists():
        audit_record(
            actor=actor, action="account.email_kept", target=person, note=f"{new_email} is used by another login"
        )
        return
    previous = user.email
    user.email = new_email
    user.save(update_fields=["email"])
    # allauth's own address records would still let the old address receive codes.
    EmailAddress.objects.filter(user=user).delete()
    audit_record(actor=actor, action="account.email_changed", target=person, changes={"login": [previous, new_email]})


@transaction.atomic
def role_grant(*, actor, user: User, role: str, unit=None) -> RoleAssignment:
    if role == Role.UNIT_TASKFORCE and unit is None:
        raise AccountError("unit_required")
    if role == Role.REGIONAL_ADMIN:
        unit = None
    assignment, created = RoleAssignment.objects.get_or_create(user=user, role=role, unit=unit)
    if created:
        target = user.person or user
        audit_record(
            actor=actor,
            action="role.granted",
            target=target,
            changes={"role": [None, f"{Role(role).label} {unit or ''}".strip()]},
        )
    forget_roles(user)
    return assignment


@transaction.atomic
def role_revoke(*, actor, assignment: RoleAssignment) -> None:
    user = assignment.user
    if assignment.role == Role.REGIONAL_ADMIN and actor.pk == user.pk:
        raise AccountError("cannot_revoke_own_admin")
    label = str(assignment)
    assignment.delete()
    audit_record(actor=actor, action="role.revoked", target=user.person or user, changes={"role": [label, None]})
    forget_roles(user)


@transaction.atomic
def account_set_active(*, actor, user: User, active: bool) -> User:
    if actor.pk == user.pk and not active:
        raise AccountError("cannot_deactivate_self")
    if user.is_active != active:
        user.is_active = active
        user.save(update_fields=["is_active"])
        audit_record(
            actor=actor,
            action="account.activated" if active else "account.deactivated",
            target=user.person or user,
        )
    return user
