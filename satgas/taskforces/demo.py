"""Demo task forces (called by ``manage.py seed_demo``): active and inaugurated, 2/2/8 members each."""

import datetime as dt

from django.db import transaction

from satgas.accounts.models import User
from satgas.elections.models import Election
from satgas.personnel.models import EmploymentType, Person, PersonStatus, Unit

from . import services
from .models import MemberRole, TaskForce, TaskForceStatus
from .selectors import default_signatory

DEMO_UNITS = ["LAPAS-SMG", "RUTAN-PBG", "LAPAS-KBK", "LAPAS-PP", "KANIM-CLP", "BAPAS-SMG"]
DECREE_DATE = dt.date(2024, 1, 22)
INAUGURATED_ON = dt.date(2024, 1, 29)  # domain.md section 4
ROLES = [MemberRole.LEADER] * 2 + [MemberRole.SECRETARY] * 2 + [MemberRole.MEMBER] * 8


def _people(unit: Unit, satgas_person: Person | None) -> list[Person]:
    """Twelve PNS of the unit (not its head, no demo account), with the task-force account's person."""
    qs = (
        Person.objects.filter(unit=unit, status=PersonStatus.ACTIVE, employment_type__in=[EmploymentType.PNS])
        .exclude(pk=unit.head_id or 0)
        .exclude(user__isnull=False)  # the demo staff account stays a plain staff member
        .order_by("id")
    )
    people = list(qs[:13])
    if satgas_person and satgas_person.unit_id == unit.pk:
        people = [p for p in people if p.pk != satgas_person.pk]
        people.insert(2, satgas_person)  # a secretary
    return people[:12]


@transaction.atomic
def seed_taskforces() -> list[TaskForce]:
    election = Election.objects.filter(name="Pemilu 2024").first()
    admin = User.objects.filter(email="admin@satgas.test").first()
    if election is None:
        return []
    satgas_user = User.objects.filter(email="satgas@satgas.test").select_related("person").first()
    satgas_person = satgas_user.person if satgas_user else None
    out = []
    for code in DEMO_UNITS:
        unit = Unit.objects.filter(code=code).first()
        if unit is None or TaskForce.objects.filter(unit=unit, election=election).exists():
            continue
        task_force = services.taskforce_create(
            actor=admin, unit=unit, election=election, term_starts_on=DECREE_DATE, term_ends_on=None
        )
        for person, role in zip(_people(unit, satgas_person), ROLES, strict=False):
            services.membership_add(
                actor=admin, task_force=task_force, person=person, role=role, started_on=DECREE_DATE
            )
        services.decree_set(
            actor=admin,
            task_force=task_force,
            decree_date=DECREE_DATE,
            **default_signatory(task_force),
        )
        services.taskforce_transition(actor=admin, task_force=task_force, to=TaskForceStatus.ACTIVE, reason="Data demo")
        members = list(task_force.memberships.values_list("pk", flat=True))
        services.inauguration_record(
            actor=admin,
            task_force=task_force,
            held_on=INAUGURATED_ON,
            place="Aula Kresna Basudewa, Kanwil Jawa Tengah",
            mode="IN_PERSON" if code == "LAPAS-SMG" else "VIDEO",
            led_by="Kepala Kantor Wilayah",
            inaugurated_ids=members,
            badge_ids=members,
        )
        out.append(task_force)
    return out
