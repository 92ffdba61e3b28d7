"""What a user is, in one object computed once per request.

Every app's ``permissions.py`` asks this object; nothing else inspects
``RoleAssignment`` rows.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from .models import Role, RoleAssignment


@dataclass(frozen=True)
class Roles:
    authenticated: bool = False
    is_regional_admin: bool = False
    is_regional_leader: bool = False
    leader_unit_ids: frozenset[int] = field(default_factory=frozenset)
    taskforce_unit_ids: frozenset[int] = field(default_factory=frozenset)
    person_id: int | None = None
    person_unit_id: int | None = None

    @property
    def is_leader(self) -> bool:
        return self.is_regional_leader or bool(self.leader_unit_ids)

    @property
    def is_taskforce(self) -> bool:
        return bool(self.taskforce_unit_ids)

    @property
    def is_staff_member(self) -> bool:
        return self.person_id is not None

    @property
    def sees_whole_region(self) -> bool:
        return self.is_regional_admin or self.is_regional_leader

    def readable_unit_ids(self) -> frozenset[int] | None:
        """Units whose registry the user may read; ``None`` means all."""
        if self.sees_whole_region:
            return None
        return self.taskforce_unit_ids | self.leader_unit_ids

    def can_read_unit(self, unit_id: int) -> bool:
        ids = self.readable_unit_ids()
        return ids is None or unit_id in ids

    def labels(self) -> list[str]:
        out = []
        if self.is_regional_admin:
            out.append(str(Role.REGIONAL_ADMIN.label))
        if self.is_leader:
            out.append(str(Role.LEADER.label))
        if self.is_taskforce:
            out.append(str(Role.UNIT_TASKFORCE.label))
        if self.is_staff_member:
            from django.utils.translation import gettext

            out.append(gettext("Staff"))
        return out


ANONYMOUS = Roles()

# Other apps grant the unit task-force role too: each provider maps a person id
# to the ids of the units whose task force that person currently serves on
# (the taskforces app registers one for active memberships).
TASKFORCE_UNIT_PROVIDERS: list[Callable[[int], Iterable[int]]] = []


def register_taskforce_units_provider(provider: Callable[[int], Iterable[int]]) -> None:
    if provider not in TASKFORCE_UNIT_PROVIDERS:
        TASKFORCE_UNIT_PROVIDERS.append(provider)


def roles_for(user) -> Roles:
    """Roles of ``user``, cached on the user object for the request."""
    if user is None or not user.is_authenticated:
        return ANONYMOUS
    cached = getattr(user, "_satgas_roles", None)
    if cached is not None:
        return cached
    admin = regional_leader = False
    leader_units, taskforce_units = set(), set()
    for role, unit_id in RoleAssignment.objects.filter(user=user).values_list("role", "unit_id"):
        if role == Role.REGIONAL_ADMIN:
            admin = True
        elif role == Role.LEADER:
            if unit_id is None:
                regional_leader = True
            else:
                leader_units.add(unit_id)
        elif role == Role.UNIT_TASKFORCE:
            taskforce_units.add(unit_id)
    person_unit_id = None
    if user.person_id:
        from satgas.personnel.models import Person

        person_unit_id = Person.objects.filter(pk=user.person_id).values_list("unit_id", flat=True).first()
        for provider in TASKFORCE_UNIT_PROVIDERS:
            taskforce_units.update(provider(user.person_id))
    roles = Roles(
        authenticated=True,
        is_regional_admin=admin or user.is_superuser,
        is_regional_leader=regional_leader,
        leader_unit_ids=frozenset(leader_units),
        taskforce_unit_ids=frozenset(taskforce_units),
        person_id=user.person_id,
        person_unit_id=person_unit_id,
    )
    user._satgas_roles = roles
    return roles


def forget_roles(user) -> None:
    """Drop the cached roles after they changed."""
    if hasattr(user, "_satgas_roles"):
        del user._satgas_roles
