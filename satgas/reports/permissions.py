"""Who may do what with six-monthly reports: the only place that decides.

* Regional admins and regional leaders see the archive, the reports, their
  versions and the verification page.
* Regional admins generate and regenerate reports, edit the text and the
  recipients, and send or resend them.
* Approving needs the Django permission ``reports.approve_semesterreport``
  (carried by the group ``APPROVER_GROUP``, declared here and synced after
  migrations) on top of seeing reports, and — when
  ``SATGAS_REPORT_APPROVAL_REQUIRES_MFA`` is on — an active TOTP authenticator.
* Everybody else (unit task forces, unit leaders, staff, outsiders) sees
  nothing: report pages answer 404.
"""

from django.conf import settings

from satgas.accounts.roles import roles_for

APPROVE_PERMISSION = "reports.approve_semesterreport"
APPROVER_GROUP = "Report approvers"


def can_view(user) -> bool:
    roles = roles_for(user)
    return roles.is_regional_admin or roles.is_regional_leader


def can_manage(user) -> bool:
    """Generate, regenerate, edit the text and recipients, send."""
    return roles_for(user).is_regional_admin


def has_mfa(user) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def approval_needs_mfa() -> bool:
    """``SATGAS_REPORT_APPROVAL_REQUIRES_MFA``; unset (None) follows ``SATGAS_REQUIRE_ADMIN_MFA``."""
    value = getattr(settings, "SATGAS_REPORT_APPROVAL_REQUIRES_MFA", None)
    return settings.SATGAS_REQUIRE_ADMIN_MFA if value is None else value


def approval_refusal(user) -> str | None:
    """Why ``user`` may not approve (``"permission"``, ``"mfa"``), or ``None`` when they may."""
    if not can_view(user) or not user.has_perm(APPROVE_PERMISSION):
        return "permission"
    if approval_needs_mfa() and not has_mfa(user):
        return "mfa"
    return None


def can_approve(user) -> bool:
    return approval_refusal(user) is None


def sync_approver_group(**kwargs) -> None:
    """post_migrate: the group that carries the approval permission (idempotent)."""
    from django.contrib.auth.models import Group, Permission

    permission = Permission.objects.filter(content_type__app_label="reports", codename="approve_semesterreport").first()
    if permission is None:  # permissions not created yet (e.g. a partial migrate)
        return
    group, _created = Group.objects.get_or_create(name=APPROVER_GROUP)
    group.permissions.add(permission)
