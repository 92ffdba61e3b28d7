"""An active membership gives the unit task-force role everywhere; ending it takes it away at once."""

import datetime as dt

import pytest
from django.urls import reverse

from satgas.accounts.roles import roles_for
from satgas.accounts.tests.factories import UserFactory
from satgas.personnel.models import PersonStatus
from satgas.personnel.tests.factories import PersonFactory
from satgas.taskforces import selectors, services
from satgas.taskforces.models import TaskForceStatus

from .factories import add_members, make_taskforce

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(unit_a, unit_b, admin_user):
    tf = make_taskforce(unit=unit_a, actor=admin_user)
    member = add_members(tf, actor=admin_user)[4]
    user = UserFactory(person=member.person)
    return {
        "tf": tf,
        "member": member,
        "user": user,
        "colleague": PersonFactory(unit=unit_a),
        "other": PersonFactory(unit=unit_b),
    }


def _fresh(user):
    return type(user).objects.get(pk=user.pk)  # roles are cached per user object, i.e. per request


def _activate(world, admin_user):
    return services.taskforce_transition(actor=admin_user, task_force=world["tf"], to=TaskForceStatus.ACTIVE)


def test_a_draft_taskforce_gives_no_role(world):
    assert not roles_for(_fresh(world["user"])).is_taskforce


def test_an_active_membership_gives_the_unit_role(world, admin_user, unit_a):
    _activate(world, admin_user)
    roles = roles_for(_fresh(world["user"]))
    assert roles.taskforce_unit_ids == {unit_a.pk} and roles.readable_unit_ids() == {unit_a.pk}


def test_the_role_works_in_other_apps_and_only_for_the_own_unit(client, world, admin_user):
    _activate(world, admin_user)
    client.force_login(world["user"])
    response = client.get(reverse("personnel:person_list"))
    assert response.status_code == 200
    listed = {p.pk for p in response.context["page"]}
    assert world["colleague"].pk in listed and world["other"].pk not in listed
    assert client.get(reverse("personnel:person_detail", args=[world["colleague"].pk])).status_code == 200
    assert client.get(reverse("personnel:person_detail", args=[world["other"].pk])).status_code == 404


def test_ending_the_membership_removes_the_role_at_once(client, world, admin_user):
    _activate(world, admin_user)
    services.membership_end(actor=admin_user, membership=world["member"], ended_on=selectors.today(), reason="Diganti")
    assert not roles_for(_fresh(world["user"])).is_taskforce
    client.force_login(world["user"])
    assert client.get(reverse("personnel:person_list")).status_code == 403
    assert client.get(reverse("personnel:person_detail", args=[world["colleague"].pk])).status_code == 404


def test_ending_the_taskforce_removes_every_members_role(client, world, admin_user):
    tf = _activate(world, admin_user)
    services.taskforce_transition(actor=admin_user, task_force=tf, to=TaskForceStatus.ENDED)
    assert not roles_for(_fresh(world["user"])).is_taskforce
    client.force_login(world["user"])
    assert client.get(reverse("personnel:person_list")).status_code == 403


def test_a_membership_ending_in_the_future_still_counts_until_then(world, admin_user, unit_a, time_machine):
    _activate(world, admin_user)
    end = selectors.today() + dt.timedelta(days=10)
    services.membership_end(actor=admin_user, membership=world["member"], ended_on=end, reason="Pensiun")
    assert roles_for(_fresh(world["user"])).taskforce_unit_ids == {unit_a.pk}
    time_machine.move_to(dt.datetime.combine(end, dt.time(9)), tick=False)
    assert not roles_for(_fresh(world["user"])).is_taskforce


def test_a_retired_member_loses_the_role(world, admin_user):
    _activate(world, admin_user)
    person = world["member"].person
    person.status = PersonStatus.RETIRED
    person.save()
    assert not roles_for(_fresh(world["user"])).is_taskforce


def test_the_role_and_the_badge_end_with_the_decree_term(admin_user, unit_a):
    import datetime as dt

    from django.utils import timezone

    from satgas.accounts.roles import roles_for
    from satgas.accounts.tests.factories import UserFactory
    from satgas.personnel.tests.factories import PersonFactory
    from satgas.taskforces import selectors, services
    from satgas.taskforces.tests.factories import make_taskforce

    today = timezone.localdate()
    task_force = make_taskforce(
        unit=unit_a,
        actor=admin_user,
        term_starts_on=today - dt.timedelta(days=30),
        term_ends_on=today + dt.timedelta(days=1),
    )
    person = PersonFactory(unit=unit_a)
    user = UserFactory(person=person)
    membership = services.membership_add(
        actor=admin_user, task_force=task_force, person=person, role="MEMBER", started_on=today - dt.timedelta(days=10)
    )
    services.taskforce_transition(actor=admin_user, task_force=task_force, to="ACTIVE", reason="uji")
    assert unit_a.pk in roles_for(user).taskforce_unit_ids
    membership.refresh_from_db()
    assert selectors.membership_valid(membership)
    task_force.refresh_from_db()
    type(task_force).objects.filter(pk=task_force.pk).update(term_ends_on=today - dt.timedelta(days=1))
    membership.refresh_from_db()
    user = type(user).objects.get(pk=user.pk)
    assert unit_a.pk not in roles_for(user).taskforce_unit_ids
    assert not selectors.membership_valid(membership)
