"""Who may do what with socialization sessions: the only place that decides.

* Regional admins: everything, for every unit.
* Unit task-force members: see the sessions that include one of their units;
  create sessions for their own units only; edit a session, record its
  attendance, upload its materials and show its check-in link only when
  *every* unit of the session is one of theirs (a joint session with another
  unit stays with the regional office or that unit's task force).
* Leaders: read only (the regional leader everything, a unit leader the
  sessions of their unit), attendance lists and coverage included.
* Staff: the sessions of their own unit and their materials, read only; they
  see whether they themselves attended, not who else did, nor the coverage.
* Anyone else: nothing.

Selectors turn ``visible_unit_ids`` into querysets; views answer 404 for an
invisible session and 403 for a forbidden action on a visible one.
"""

from satgas.accounts.roles import roles_for


def _session_unit_ids(session) -> set[int]:
    # ``units.all()`` so that a prefetch (detail and list pages) is reused.
    return {unit.pk for unit in session.units.all()}


def visible_unit_ids(user) -> frozenset[int] | None:
    """Units whose sessions ``user`` may see; ``None`` means every unit."""
    roles = roles_for(user)
    if roles.sees_whole_region:
        return None
    ids = set(roles.taskforce_unit_ids | roles.leader_unit_ids)
    if roles.person_unit_id:
        ids.add(roles.person_unit_id)
    return frozenset(ids)


def can_list_sessions(user) -> bool:
    roles = roles_for(user)
    return roles.sees_whole_region or roles.is_leader or roles.is_taskforce or roles.person_unit_id is not None


def can_create_session(user) -> bool:
    roles = roles_for(user)
    return roles.is_regional_admin or roles.is_taskforce


def creatable_unit_ids(user) -> frozenset[int] | None:
    """Units a new or edited session may be for; ``None`` means every unit."""
    roles = roles_for(user)
    if roles.is_regional_admin:
        return None
    return roles.taskforce_unit_ids


def can_manage_session(user, session) -> bool:
    """Edit, record or remove attendance, upload materials, open or close check-in."""
    roles = roles_for(user)
    if roles.is_regional_admin:
        return True
    unit_ids = _session_unit_ids(session)
    return bool(unit_ids) and unit_ids <= roles.taskforce_unit_ids


def can_view_attendance(user, session) -> bool:
    """The attendance list of a visible session (staff only learn their own)."""
    roles = roles_for(user)
    return roles.sees_whole_region or roles.is_leader or roles.is_taskforce


def attendance_visible_unit_ids(user, session) -> frozenset[int] | None:
    """Whose attendance ``user`` sees listed; ``None`` means every attendee.

    Those who manage the session see everyone (they must be able to correct
    the list); unit-level readers of a joint session see only the attendees
    now in their own units, as in the personnel registry.
    """
    if can_manage_session(user, session):
        return None
    return roles_for(user).readable_unit_ids()


def can_download_material(user, material) -> bool:
    """Anyone who sees the session may read its materials."""
    return can_list_sessions(user)


def can_view_coverage(user) -> bool:
    roles = roles_for(user)
    return roles.sees_whole_region or roles.is_leader or roles.is_taskforce


def coverage_unit_ids(user) -> frozenset[int] | None:
    """Units whose coverage ``user`` may read; ``None`` means every unit."""
    return roles_for(user).readable_unit_ids()
