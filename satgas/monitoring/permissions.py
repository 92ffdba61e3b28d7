"""Who may do what with monitoring: the only place that decides.

* Regional admins manage every unit's vulnerable points, review every report,
  record evaluations and edit elections and stages.
* A unit's task-force members manage their unit's vulnerable points and file
  its monitoring reports; they read their unit's evaluations.
* Leaders read: the regional ones everything, unit heads their units.
* Staff members and outsiders see nothing here.
"""

from satgas.accounts.roles import roles_for


def can_use(user) -> bool:
    roles = roles_for(user)
    return roles.is_regional_admin or roles.is_leader or roles.is_taskforce


def readable_unit_ids(user) -> frozenset[int] | None:
    """Units whose monitoring ``user`` reads; ``None`` means all, empty means none."""
    roles = roles_for(user)
    if not can_use(user):
        return frozenset()
    return roles.readable_unit_ids()


def writable_unit_ids(user) -> frozenset[int] | None:
    """Units whose points and reports ``user`` writes; ``None`` means all."""
    roles = roles_for(user)
    if roles.is_regional_admin:
        return None
    return roles.taskforce_unit_ids


def can_write_unit(user, unit_id: int) -> bool:
    ids = writable_unit_ids(user)
    return ids is None or unit_id in ids


def can_file_report(user, unit_id: int) -> bool:
    """Filing (editing, submitting) is the unit task force's job; admins may help."""
    return can_write_unit(user, unit_id)


def can_review(user) -> bool:
    return roles_for(user).is_regional_admin


def can_evaluate(user) -> bool:
    return roles_for(user).is_regional_admin


def can_see_region(user) -> bool:
    """The regional matrix and status overview."""
    return roles_for(user).sees_whole_region


def can_manage_elections(user) -> bool:
    return roles_for(user).is_regional_admin


def can_flag_to_case(user, unit_id: int) -> bool:
    return roles_for(user).is_regional_admin or unit_id in roles_for(user).taskforce_unit_ids
