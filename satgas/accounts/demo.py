"""Demo accounts, one per role (used by ``manage.py seed_demo``)."""

from django.db import transaction

from satgas.personnel.models import Person

from .models import Role, RoleAssignment, User

DEMO_PASSWORD = "SatgasDemo2024!"

# email, role, role unit code, personnel unit code, description. The task-force role of
# satgas@ comes from its membership of the LAPAS-SMG task force (satgas/taskforces/demo.py).
DEMO_ACCOUNTS = [
    ("admin@satgas.test", Role.REGIONAL_ADMIN, None, "KWJATENG", "Regional admin (Kanwil)"),
    ("satgas@satgas.test", None, None, "LAPAS-SMG", "Task-force member (Sekretaris), Lapas Kelas I Semarang"),
    ("pegawai@satgas.test", None, None, "LAPAS-SMG", "Staff, Lapas Kelas I Semarang"),
    ("pimpinan@satgas.test", Role.LEADER, None, "KWJATENG", "Leader (read-only dashboards)"),
]


@transaction.atomic
def seed_accounts(units) -> list[User]:
    users = []
    for index, (email, role, role_unit, person_unit, _label) in enumerate(DEMO_ACCOUNTS):
        user = User.objects.filter(email=email).first()
        if user is None:
            taken = User.objects.exclude(person=None).values("person_id")
            person = (
                Person.objects.filter(unit=units[person_unit])
                .exclude(pk__in=taken)
                .order_by("id")[index : index + 1]
                .first()
                or Person.objects.filter(unit=units[person_unit]).exclude(pk__in=taken).order_by("id").first()
            )
            user = User.objects.create_user(
                email=email, password=DEMO_PASSWORD, full_name=person.full_name if person else email, person=person
            )
            if person:  # invitations for the demo account's person reach its mailbox
                Person.objects.filter(pk=person.pk).update(email=email)
        if role:
            RoleAssignment.objects.get_or_create(user=user, role=role, unit=units[role_unit] if role_unit else None)
        users.append(user)
    return users
