"""Composition rules and every status transition (allowed and forbidden)."""

import pytest

from satgas.core.models import AuditEvent
from satgas.taskforces import rules, selectors, services
from satgas.taskforces.models import MemberRole, TaskForce, TaskForceStatus

from .factories import ROLES_2_2_8, add_members, make_taskforce

pytestmark = pytest.mark.django_db
STATUSES = TaskForceStatus.values


def test_composition_is_copied_from_the_regional_defaults(unit_a, unit_b, admin_user):
    assert make_taskforce(unit=unit_a).required() == {"LEADER": 2, "SECRETARY": 2, "MEMBER": 8}
    services.regional_defaults_update(actor=admin_user, leaders=1, secretaries=1, members=3)
    tf = make_taskforce(unit=unit_b)
    assert tf.required() == {"LEADER": 1, "SECRETARY": 1, "MEMBER": 3}
    assert AuditEvent.objects.filter(action="taskforce.defaults_updated").exists()


@pytest.mark.parametrize(
    "counts,met",
    [
        ({"LEADER": 2, "SECRETARY": 2, "MEMBER": 8}, True),
        ({"LEADER": 2, "SECRETARY": 2, "MEMBER": 7}, False),
        ({"LEADER": 2, "SECRETARY": 2, "MEMBER": 9}, False),  # exact counts: too many is not met either
        ({"LEADER": 3, "SECRETARY": 1, "MEMBER": 8}, False),
        ({}, False),
    ],
)
def test_composition_met_means_exact_counts(counts, met):
    required = {"LEADER": 2, "SECRETARY": 2, "MEMBER": 8}
    assert rules.composition_met(required, counts) is met


def test_activation_is_refused_while_the_composition_is_not_met(unit_a, admin_user):
    tf = make_taskforce(unit=unit_a)
    add_members(tf, roles=ROLES_2_2_8[:-1])  # 2/2/7
    with pytest.raises(services.TaskForceError) as exc:
        services.taskforce_transition(actor=admin_user, task_force=tf, to=TaskForceStatus.ACTIVE)
    assert exc.value.code == "composition_unmet"
    assert TaskForce.objects.get(pk=tf.pk).status == TaskForceStatus.DRAFT


def test_activation_with_unmet_composition_needs_and_stores_a_reason(unit_a, admin_user):
    tf = make_taskforce(unit=unit_a)
    add_members(tf, roles=[MemberRole.LEADER])
    tf = services.taskforce_transition(
        actor=admin_user, task_force=tf, to=TaskForceStatus.ACTIVE, reason="Pegawai unit hanya sedikit."
    )
    assert tf.status == TaskForceStatus.ACTIVE and tf.activation_reason == "Pegawai unit hanya sedikit."
    event = AuditEvent.objects.get(action="taskforce.status", target_id=str(tf.pk))
    assert event.note == "Pegawai unit hanya sedikit." and event.actor == admin_user


def test_activation_with_exact_composition_needs_no_reason(unit_a, admin_user):
    tf = make_taskforce(unit=unit_a)
    add_members(tf)
    tf = services.taskforce_transition(actor=admin_user, task_force=tf, to=TaskForceStatus.ACTIVE)
    assert tf.status == TaskForceStatus.ACTIVE and tf.activation_reason == "" and tf.activated_at
    assert selectors.current_composition(tf).met


def test_per_taskforce_composition_can_be_edited(unit_a, admin_user):
    tf = make_taskforce(unit=unit_a)
    add_members(tf, roles=[MemberRole.LEADER, MemberRole.SECRETARY, MemberRole.MEMBER])
    tf = services.taskforce_update(
        actor=admin_user, task_force=tf, required_leaders=1, required_secretaries=1, required_members=1
    )
    assert services.taskforce_transition(actor=admin_user, task_force=tf, to=TaskForceStatus.ACTIVE).status == "ACTIVE"


def _at(status, unit, admin_user):
    tf = make_taskforce(unit=unit)
    add_members(tf)
    path = {"DRAFT": [], "ACTIVE": ["ACTIVE"], "ENDED": ["ACTIVE", "ENDED"]}[status]
    for step in path:
        tf = services.taskforce_transition(actor=admin_user, task_force=tf, to=step)
    return tf


@pytest.mark.parametrize("source", STATUSES)
@pytest.mark.parametrize("target", STATUSES)
def test_every_transition(source, target, unit_a, admin_user):
    tf = _at(source, unit_a, admin_user)
    allowed = target in rules.TASKFORCE_TRANSITIONS[source]
    assert allowed == ((source, target) in {("DRAFT", "ACTIVE"), ("ACTIVE", "ENDED")})
    if allowed:
        tf = services.taskforce_transition(actor=admin_user, task_force=tf, to=target)
        assert TaskForce.objects.get(pk=tf.pk).status == target
        if target == "ENDED":
            assert tf.ended_on == selectors.today()
    else:
        with pytest.raises(services.TaskForceError) as exc:
            services.taskforce_transition(actor=admin_user, task_force=tf, to=target)
        assert exc.value.code == "transition_forbidden"
        assert TaskForce.objects.get(pk=tf.pk).status == source


def test_an_ended_taskforce_can_no_longer_change(unit_a, admin_user):
    from satgas.personnel.tests.factories import PersonFactory

    tf = _at("ENDED", unit_a, admin_user)
    for call in (
        lambda: services.taskforce_update(actor=admin_user, task_force=tf, required_members=3),
        lambda: services.membership_end(
            actor=admin_user, membership=tf.memberships.first(), ended_on=tf.term_starts_on, reason="x"
        ),
        lambda: services.membership_add(
            actor=admin_user,
            task_force=tf,
            person=PersonFactory(unit=unit_a),
            role="MEMBER",
            started_on=tf.term_starts_on,
        ),
    ):
        with pytest.raises(services.TaskForceError) as exc:
            call()
        assert exc.value.code == "ended"


def test_one_taskforce_per_unit_and_election(unit_a):
    tf = make_taskforce(unit=unit_a)
    with pytest.raises(services.TaskForceError) as exc:
        make_taskforce(unit=unit_a, election=tf.election)
    assert exc.value.code == "duplicate"


@pytest.mark.parametrize(
    "pattern,ok", [("W.10-{nomor}.KP.05.02 TAHUN {tahun}", True), ("SK-{tahun}", False), ("{nomor}/{rahasia}", False)]
)
def test_decree_patterns_are_checked(pattern, ok):
    if ok:
        rules.check_pattern(pattern)
    else:
        with pytest.raises(rules.PatternError):
            rules.check_pattern(pattern)
