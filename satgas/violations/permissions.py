"""Who may do what with violation cases: the only place that decides.

* Anyone signed in with a role or a personnel record (admins, task-force
  members, staff) files a report; anyone at all uses the anonymous public form.
* Regional admins and task-force members enter reports received on paper, by
  phone or in person.
* Handling: regional admins handle every case; task-force members handle the
  non-confidential cases of their units; confidential cases: regional admins and
  the assigned handlers, and an assignment counts only while its holder is still
  a task-force member of the case's unit.
* Conflicts of interest: the reported person and the head of the case's unit
  never see or handle the case, whatever their role.
* The reporter's identity: only handlers who also hold the Django permission
  ``violations.view_reporter_identity`` (granted through the group
  ``IDENTITY_GROUP``, declared here and synced after migrations); every view is
  audited.
* Leaders read the dashboard (aggregates of the units they read), not cases.
"""

from satgas.accounts.roles import roles_for

IDENTITY_PERMISSION = "violations.view_reporter_identity"
IDENTITY_GROUP = "Violation handlers: reporter identity"


def can_file_report(user) -> bool:
    roles = roles_for(user)
    return roles.is_regional_admin or roles.is_taskforce or roles.is_staff_member


def can_enter_offline_report(user) -> bool:
    roles = roles_for(user)
    return roles.is_regional_admin or roles.is_taskforce


def can_list_cases(user) -> bool:
    roles = roles_for(user)
    return roles.is_regional_admin or roles.is_taskforce


def can_view_dashboard(user) -> bool:
    roles = roles_for(user)
    return roles.sees_whole_region or roles.is_leader or roles.is_taskforce


def is_conflicted(user, case) -> bool:
    """The reported person, or the head of the case's unit."""
    person_id = roles_for(user).person_id
    return person_id is not None and person_id in (case.reported_person_id, case.unit.head_id)


def can_handle(user, case, *, assigned: bool | None = None) -> bool:
    roles = roles_for(user)
    if not roles.authenticated or is_conflicted(user, case):
        return False
    if roles.is_regional_admin:
        return True
    if case.unit_id not in roles.taskforce_unit_ids:
        # An assignment only counts while its holder still serves on that unit's task force:
        # ending the membership ends the access at once.
        return False
    if not case.confidential:
        return True
    if assigned is None:
        assigned = case.assignments.filter(handler=user, ended_at__isnull=True).exists()
    return assigned


def can_assign(user, case) -> bool:
    roles = roles_for(user)
    return not is_conflicted(user, case) and (roles.is_regional_admin or case.unit_id in roles.taskforce_unit_ids)


def can_be_handler(candidate, case) -> bool:
    """Who may be assigned: regional admins, the unit's task-force members; never someone conflicted."""
    roles = roles_for(candidate)
    if not candidate.is_active or is_conflicted(candidate, case):
        return False
    return roles.is_regional_admin or case.unit_id in roles.taskforce_unit_ids


def can_view_reporter_identity(user, case, *, assigned: bool | None = None) -> bool:
    return can_handle(user, case, assigned=assigned) and user.has_perm(IDENTITY_PERMISSION)


def sync_identity_group(**kwargs) -> None:
    """post_migrate: the group that carries the identity permission (idempotent)."""
    from django.contrib.auth.models import Group, Permission

    permission = Permission.objects.filter(
        content_type__app_label="violations", codename="view_reporter_identity"
    ).first()
    if permission is None:  # permissions not created yet (e.g. a partial migrate)
        return
    group, _created = Group.objects.get_or_create(name=IDENTITY_GROUP)
    group.permissions.add(permission)
