import pytest
from django.core.management import call_command

from satgas.accounts.models import Role, RoleAssignment, User
from satgas.accounts.roles import roles_for
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
    counts = (
        Unit.objects.count(),
        Person.objects.count(),
        Placement.objects.count(),
        User.objects.count(),
        RoleAssignment.objects.count(),
    )
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    assert counts == (
        Unit.objects.count(),
        Person.objects.count(),
        Placement.objects.count(),
        User.objects.count(),
        RoleAssignment.objects.count(),
    )

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
    assert RoleAssignment.objects.filter(role=Role.UNIT_TASKFORCE, unit=lapas).count() == 1
