"""Adding units or members never adds queries: the same bound with 3 and with 30."""

import pytest
from django.urls import reverse

from satgas.personnel.models import PersonStatus
from satgas.personnel.tests.factories import PersonFactory, UnitFactory
from satgas.taskforces import services
from satgas.taskforces.models import MemberRole

from .factories import START, add_members, make_taskforce

pytestmark = pytest.mark.django_db
ROLES = [MemberRole.LEADER, MemberRole.SECRETARY, MemberRole.MEMBER]


@pytest.mark.parametrize("units", [3, 30])
def test_overview_queries_are_flat(client, admin_user, region, units, django_assert_max_num_queries):
    for i in range(units):
        unit = UnitFactory(parent=region)
        if i % 3 == 0:
            continue  # some units have no task force
        tf = make_taskforce(unit=unit, required_leaders=1, required_secretaries=1, required_members=1)
        members = add_members(tf, roles=ROLES)
        retired = members[-1].person
        retired.status = PersonStatus.RETIRED
        retired.save()
        services.taskforce_transition(actor=admin_user, task_force=tf, to="ACTIVE")
    client.force_login(admin_user)
    # session, user, roles, election, units, task forces with counts, members to check, unit tree,
    # election choices of the filter
    with django_assert_max_num_queries(9) as captured:
        response = client.get(reverse("taskforces:overview"))
    rows = [r for r in response.context["rows"] if r.unit != region]
    assert len(rows) == units
    with_tf = [r for r in rows if r.task_force]
    assert all(r.counts == {"LEADER": 1, "SECRETARY": 1, "MEMBER": 1} and r.status == "active" for r in with_tf)
    assert all(len(r.flags) == 1 for r in with_tf)
    assert sum(r.status == "none" for r in rows) == len(rows) - len(with_tf)
    print(f"overview with {units} units: {len(captured)} queries")


@pytest.mark.parametrize("units", [3, 30])
def test_overview_export_queries_are_flat(client, admin_user, region, units, django_assert_max_num_queries):
    for _ in range(units):
        add_members(make_taskforce(unit=UnitFactory(parent=region)), roles=ROLES)
    client.force_login(admin_user)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("taskforces:overview_xlsx"))
    assert response.status_code == 200 and response.content[:2] == b"PK"


@pytest.mark.parametrize("members", [3, 30])
def test_detail_queries_are_flat(client, admin_user, unit_a, unit_b, members, django_assert_max_num_queries):
    tf = make_taskforce(unit=unit_a)
    added = add_members(tf, roles=[ROLES[i % 3] for i in range(members)])
    newcomer = PersonFactory(unit=unit_a)
    services.membership_replace(actor=admin_user, membership=added[0], person=newcomer, on=START, reason="Mutasi")
    moved = added[1].person
    moved.unit = unit_b
    moved.save()
    client.force_login(admin_user)
    # session, user, roles, task force, roster today, roster on the date, unit tree, history, audit (2)
    with django_assert_max_num_queries(11):
        response = client.get(reverse("taskforces:detail", args=[tf.pk]), {"tanggal": "2024-06-01"})
    assert len(response.context["members"]) == members
    assert [m.person for m in response.context["flags"]] == [moved]
    assert len(response.context["history"]) == members + 1


@pytest.mark.parametrize("members", [3, 30])
def test_detail_for_taskforce_member_is_flat(client, taskforce_a, unit_a, members, django_assert_max_num_queries):
    tf = make_taskforce(unit=unit_a)
    add_members(tf, roles=[ROLES[i % 3] for i in range(members)])
    client.force_login(taskforce_a)
    # session, user, roles (3: assignments, own unit, memberships), task force, roster, unit tree, history
    with django_assert_max_num_queries(9):
        response = client.get(reverse("taskforces:detail", args=[tf.pk]))
    assert len(response.context["members"]) == members and response.context["audit_events"] is None
