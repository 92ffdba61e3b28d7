"""Who may do what in the personnel registry: the only place that decides.

* Regional admins: everything (units, personnel, moves, imports, audit trail).
* Leaders: read the registry of the whole region (regional leader) or of their
  unit; they change nothing.
* Unit task-force members: read their unit's registry and keep it current
  (edit details, status); moving people between units and importing stay with
  the regional office.
* Staff: read their own record.
"""

from satgas.accounts.roles import roles_for


def can_list_personnel(user) -> bool:
    roles = roles_for(user)
    return roles.sees_whole_region or roles.is_leader or roles.is_taskforce


def can_create_person(user) -> bool:
    return roles_for(user).is_regional_admin


def can_edit_person(user, person) -> bool:
    roles = roles_for(user)
    return roles.is_regional_admin or person.unit_id in roles.taskforce_unit_ids


def can_move_person(user, person) -> bool:
    return roles_for(user).is_regional_admin


def can_view_audit(user, person) -> bool:
    return roles_for(user).is_regional_admin


def can_manage_account(user, person) -> bool:
    return roles_for(user).is_regional_admin


def can_import(user) -> bool:
    return roles_for(user).is_regional_admin


def can_export(user) -> bool:
    return can_list_personnel(user)


def can_list_units(user) -> bool:
    return can_list_personnel(user)


def can_manage_units(user) -> bool:
    return roles_for(user).is_regional_admin


def can_see_email_changes(user, person) -> bool:
    """Pending and past changes of address: whoever may edit the person, and the person."""
    return can_edit_person(user, person) or roles_for(user).person_id == person.pk


def can_cancel_email_change(user, person) -> bool:
    return can_see_email_changes(user, person)


def can_change_own_email(user) -> bool:
    return roles_for(user).is_staff_member
