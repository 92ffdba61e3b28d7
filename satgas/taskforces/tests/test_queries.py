"""Adding units or members never adds queries: the same bound with 3 and with 30."""

import pytest
from django.urls import reverse

from satgas.personnel.models import PersonStatus, Unit
from satgas.personnel.tests.factories import PersonFactory, UnitFactory
from satgas.taskforces import services
from satgas.taskforces.models import MemberRole

from .factories import START, add_members, make_taskforce

pytestmark = pytest.mark.django_db
ROLES = [MemberRole.LEADER, MemberRole.SECRETARY, MemberRole.MEMBER]


def _region_of_taskforces(admin_user, region, units):
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


@pytest.mark.parametrize("units", [3, 30, 60])
def test_overview_queries_are_flat(client, admin_user, region, units, django_assert_max_num_queries):
    _region_of_taskforces(admin_user, region, units)
    client.force_login(admin_user)
    # session, user, roles, election, count of units, the page's units, their task forces with counts,
    # members to check, unit tree, totals of every unit, election choices of the filter
    with django_assert_max_num_queries(11) as captured:
        response = client.get(reverse("taskforces:overview"))
    rows = [r for r in response.context["rows"] if r.unit != region]
    assert len(response.context["rows"]) == min(units + 1, 50)  # + the region
    with_tf = [r for r in rows if r.task_force]
    assert all(r.counts == {"LEADER": 1, "SECRETARY": 1, "MEMBER": 1} and r.status == "active" for r in with_tf)
    assert all(len(r.flags) == 1 for r in with_tf)
    assert sum(r.status == "none" for r in rows) == len(rows) - len(with_tf)
    totals = {key: n for _label, key, n in response.context["totals"]}
    assert totals == {"none": len(range(0, units, 3)) + 1, "draft": 0, "active": units - len(range(0, units, 3)),
                      "incomplete": 0, "ended": 0}  # fmt: skip
    print(f"overview with {units} units: {len(captured)} queries")


def test_overview_second_page_and_totals(client, admin_user, region):
    _region_of_taskforces(admin_user, region, 60)
    client.force_login(admin_user)
    url = reverse("taskforces:overview")
    first, second = client.get(url), client.get(url, {"page": 2})
    ordered = sorted(Unit.objects.filter(is_active=True), key=lambda u: (u.name, u.pk))
    assert [r.unit for r in first.context["rows"]] == ordered[:50]
    assert [r.unit for r in second.context["rows"]] == ordered[50:]
    assert first.context["totals"] == second.context["totals"]
    # The filter is kept by the page links; the export keeps every unit.
    lapas = client.get(url, {"unit_type": "LAPAS"})
    assert lapas.context["page"].paginator.count == 60
    assert 'href="?unit_type=LAPAS&amp;page=2"' in lapas.content.decode() or (
        'href="?unit_type=LAPAS&page=2"' in lapas.content.decode()
    )
    assert {key: n for _l, key, n in lapas.context["totals"]}["none"] == 20
    kanwil = client.get(url, {"unit_type": "KANWIL"})
    assert [r.unit for r in kanwil.context["rows"]] == [region]


def test_overview_totals_count_incomplete_draft_and_ended(client, admin_user, region):
    complete = make_taskforce(unit=UnitFactory(parent=region), required_leaders=1, required_secretaries=0,
                              required_members=0)  # fmt: skip
    add_members(complete, roles=[MemberRole.LEADER])
    services.taskforce_transition(actor=admin_user, task_force=complete, to="ACTIVE")
    incomplete = make_taskforce(unit=UnitFactory(parent=region), required_leaders=2, required_secretaries=0,
                                required_members=0)  # fmt: skip
    add_members(incomplete, roles=[MemberRole.LEADER])
    services.taskforce_transition(actor=admin_user, task_force=incomplete, to="ACTIVE", reason="Segera")
    make_taskforce(unit=UnitFactory(parent=region))
    client.force_login(admin_user)
    response = client.get(reverse("taskforces:overview"))
    totals = {key: n for _label, key, n in response.context["totals"]}
    assert totals == {"none": 1, "draft": 1, "active": 1, "incomplete": 1, "ended": 0}
    assert sorted(r.status for r in response.context["rows"]) == ["active", "draft", "incomplete", "none"]


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
