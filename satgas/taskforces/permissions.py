"""Who may do what with task forces: the only place that decides.

* Regional admins: everything (task forces, members, decrees, inaugurations,
  badges, the regional defaults). Decrees come from the regional office, so
  nobody else changes an appointment.
* Leaders and unit task-force members: read the task forces of the units they
  may read (``Roles.readable_unit_ids``), including the decree.
* Staff and outsiders: nothing (lists answer 403, objects 404 through
  ``selectors.taskforces_for_user``).
"""

from satgas.accounts.roles import roles_for


def can_view_taskforces(user) -> bool:
    roles = roles_for(user)
    return roles.sees_whole_region or roles.is_leader or roles.is_taskforce


def can_manage_taskforces(user) -> bool:
    return roles_for(user).is_regional_admin


def can_manage_defaults(user) -> bool:
    return roles_for(user).is_regional_admin


def can_print_badges(user) -> bool:
    return roles_for(user).is_regional_admin
