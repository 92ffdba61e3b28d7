import datetime as dt

import pytest
from django.core.management import call_command

from satgas.accounts.models import Role, RoleAssignment, User
from satgas.accounts.roles import roles_for
from satgas.elections.models import Election, ElectionStage
from satgas.elections.selectors import stages_on
from satgas.oaths.models import Campaign, OathVersion, Signature
from satgas.personnel.models import Person, Placement, Unit

REQUIRED_UNITS = {
    "KWJATENG": "Kantor Wilayah",
    "LAPAS-SMG": "Lapas Kelas I Semarang",
    "RUTAN-PBG": "Purbalingga",
    "LAPAS-KBK": "Kembangkuning",
    "LAPAS-PP": "Pasir Putih",
    "KANIM-CLP": "Cilacap",
    "BAPAS-SMG": "Bapas Kelas I Semarang",
}


@pytest.mark.django_db
def test_seed_demo_is_idempotent_and_complete():
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    models = [Unit, Person, Placement, User, RoleAssignment, Election, ElectionStage, OathVersion, Campaign, Signature]
    counts = [model.objects.count() for model in models]
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    assert counts == [model.objects.count() for model in models]

    for code, name in REQUIRED_UNITS.items():
        assert name in Unit.objects.get(code=code).name
    assert Unit.objects.get(code="LAPAS-SMG").parent.code == "KWJATENG"
    assert counts[1] >= 200
    assert (
        Person.objects.filter(employment_type="PPNPN").exists()
        and Person.objects.filter(employment_type="PPPK").exists()
    )
    for person in Person.objects.all()[:50]:
        person.full_clean()  # every synthetic NIP/NIK is valid

    lapas = Unit.objects.get(code="LAPAS-SMG")
    roles = {
        email: roles_for(User.objects.get(email=email))
        for email in ["admin@satgas.test", "satgas@satgas.test", "pegawai@satgas.test", "pimpinan@satgas.test"]
    }
    assert roles["admin@satgas.test"].is_regional_admin
    assert roles["satgas@satgas.test"].taskforce_unit_ids == {lapas.pk}
    assert roles["pegawai@satgas.test"].person_unit_id == lapas.pk and not roles["pegawai@satgas.test"].is_taskforce
    assert roles["pimpinan@satgas.test"].is_regional_leader and not roles["pimpinan@satgas.test"].is_regional_admin
    assert User.objects.get(email="pegawai@satgas.test").check_password("SatgasDemo2024!")
    # satgas@ is a task-force member through its membership, not a manual role.
    assert not RoleAssignment.objects.filter(role=Role.UNIT_TASKFORCE, unit=lapas).exists()

    # Elections of domain.md section 6, and the oath with its seven commitments.
    assert [s.name for s in stages_on(dt.date(2024, 2, 14)) if s.election.name == "Pemilu 2024"] == [
        "Pemungutan suara",
        "Penghitungan suara",
    ]
    assert stages_on(dt.date(2024, 10, 1)).filter(election__name="Pilkada 2024", name="Masa kampanye").exists()
    assert not stages_on(dt.date(2024, 9, 24)).filter(name="Masa kampanye").exists()
    oath = OathVersion.objects.get(document__kind="OATH")
    assert oath.is_published and oath.commitments.count() == 7
    assert Campaign.objects.get(status="CLOSED").signatures.count() > 100
    assert Campaign.objects.get(status="DRAFT").units.filter(code="LAPAS-SMG").exists()
