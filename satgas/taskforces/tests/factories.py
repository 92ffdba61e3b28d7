import datetime as dt

from satgas.accounts.tests.factories import UserFactory
from satgas.oaths.tests.factories import ElectionFactory
from satgas.personnel.tests.factories import PersonFactory
from satgas.taskforces import services
from satgas.taskforces.models import MemberRole, TaskForce, TaskForceStatus

START = dt.date(2024, 1, 22)
ROLES_2_2_8 = [MemberRole.LEADER] * 2 + [MemberRole.SECRETARY] * 2 + [MemberRole.MEMBER] * 8


def make_taskforce(*, unit, actor=None, election=None, **fields) -> TaskForce:
    return services.taskforce_create(
        actor=actor or UserFactory(),
        unit=unit,
        election=election or ElectionFactory(),
        term_starts_on=fields.pop("term_starts_on", START),
        **fields,
    )


def add_members(task_force, *, roles=ROLES_2_2_8, actor=None, people=None, started_on=START):
    """Add one new person of the task force's unit per role (or the given people)."""
    people = people or [PersonFactory(unit=task_force.unit) for _ in roles]
    return [
        services.membership_add(actor=actor, task_force=task_force, person=p, role=r, started_on=started_on)
        for p, r in zip(people, roles, strict=True)
    ]


def active_taskforce(*, unit, actor=None, decree=True, **fields) -> TaskForce:
    """A complete (2/2/8), active task force with a decree number."""
    task_force = make_taskforce(unit=unit, actor=actor, **fields)
    add_members(task_force, actor=actor)
    if decree:
        services.decree_set(
            actor=actor,
            task_force=task_force,
            decree_date=START,
            number=f"W.10-{task_force.pk}.KP.05.02 TAHUN 2024",
            signatory_name="Dr. Tejo Harwanto, Bc.IP., S.H., M.H.",
            signatory_nip="196910031992031001",
            signatory_title="Kepala Kantor Wilayah",
        )
    return services.taskforce_transition(actor=actor, task_force=task_force, to=TaskForceStatus.ACTIVE)
