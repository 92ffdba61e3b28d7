import pytest
from django.core.management import call_command

from satgas.accounts.models import User
from satgas.taskforces import selectors
from satgas.taskforces.demo import DEMO_UNITS
from satgas.taskforces.models import Membership, TaskForce


@pytest.mark.django_db
def test_demo_taskforces_are_active_inaugurated_complete_and_idempotent():
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    counts = (TaskForce.objects.count(), Membership.objects.count())
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    assert counts == (TaskForce.objects.count(), Membership.objects.count()) == (6, 72)
    for tf in TaskForce.objects.select_related("unit", "inauguration"):
        assert tf.unit.code in DEMO_UNITS and tf.status == "ACTIVE" and tf.inauguration.held_on
        assert tf.decree_number and selectors.current_composition(tf).met
        members = selectors.roster(tf)
        assert all(m.person.unit_id == tf.unit_id and m.inaugurated and m.badge_issued for m in members)
    numbers = TaskForce.objects.values_list("decree_number", flat=True)
    assert len(set(numbers)) == 6
    satgas = User.objects.get(email="satgas@satgas.test")
    membership = Membership.objects.get(person=satgas.person)
    assert membership.task_force.unit.code == "LAPAS-SMG" and membership.role == "SECRETARY"
    assert selectors.taskforce_unit_ids_for_person(satgas.person_id) == [membership.task_force.unit_id]
    staff = User.objects.get(email="pegawai@satgas.test")
    assert not Membership.objects.filter(person=staff.person).exists()
