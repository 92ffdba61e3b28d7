"""Members over time: replacement history, the roster as of a date, one current role, flags, imports."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from satgas.personnel.models import PersonStatus
from satgas.personnel.tests.factories import PersonFactory, UnitFactory
from satgas.taskforces import selectors, services
from satgas.taskforces.models import MemberRole, Membership

from .factories import START, add_members, make_taskforce

pytestmark = pytest.mark.django_db


@pytest.fixture
def tf(unit_a):
    return make_taskforce(unit=unit_a)


def test_replacing_ends_one_membership_links_the_next_and_deletes_nothing(tf, unit_a, admin_user):
    old = add_members(tf, roles=[MemberRole.SECRETARY])[0]
    newcomer = PersonFactory(unit=unit_a)
    on = dt.date(2024, 6, 1)
    new = services.membership_replace(actor=admin_user, membership=old, person=newcomer, on=on, reason="Mutasi")
    old.refresh_from_db()
    assert old.ended_on == on and old.end_reason == "Mutasi"
    assert new.replaces == old and old.replaced_by == new
    assert new.role == MemberRole.SECRETARY and new.started_on == on
    assert Membership.objects.filter(task_force=tf).count() == 2
    # The roster as of any date.
    assert [m.person for m in selectors.roster(tf, on=dt.date(2024, 5, 31))] == [old.person]
    assert [m.person for m in selectors.roster(tf, on=on)] == [newcomer]
    assert selectors.roster(tf, on=START - dt.timedelta(days=1)) == []
    assert [m.pk for m in selectors.history(tf)] == [new.pk, old.pk]


def test_the_roster_is_ordered_leaders_first(tf):
    members = add_members(tf, roles=[MemberRole.MEMBER, MemberRole.SECRETARY, MemberRole.LEADER])
    assert [m.role for m in selectors.roster(tf, on=START)] == ["LEADER", "SECRETARY", "MEMBER"]
    assert len(members) == 3


def test_a_person_cannot_hold_two_current_roles(tf, unit_a, admin_user):
    person = PersonFactory(unit=unit_a)
    services.membership_add(actor=admin_user, task_force=tf, person=person, role="LEADER", started_on=START)
    with pytest.raises(services.TaskForceError) as exc:
        services.membership_add(actor=admin_user, task_force=tf, person=person, role="MEMBER", started_on=START)
    assert exc.value.code == "already_member"
    # The database refuses it too, whatever the code does.
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(task_force=tf, person=person, role="MEMBER", started_on=START, badge_code="X" * 20)


def test_an_ended_member_may_serve_again_later(tf, unit_a, admin_user):
    first = add_members(tf, roles=[MemberRole.MEMBER])[0]
    services.membership_end(actor=admin_user, membership=first, ended_on=dt.date(2024, 3, 1), reason="Cuti")
    again = services.membership_add(
        actor=admin_user, task_force=tf, person=first.person, role="LEADER", started_on=dt.date(2024, 3, 1)
    )
    assert [m.pk for m in selectors.roster(tf, on=dt.date(2024, 3, 1))] == [again.pk]


@pytest.mark.parametrize(
    "make,code",
    [
        (lambda unit_a, unit_b: PersonFactory(unit=unit_a, status=PersonStatus.RETIRED), "not_active"),
        (lambda unit_a, unit_b: PersonFactory(unit=unit_b), "not_in_unit"),
    ],
)
def test_members_must_be_active_personnel_of_the_unit(tf, unit_a, unit_b, admin_user, make, code):
    with pytest.raises(services.TaskForceError) as exc:
        services.membership_add(
            actor=admin_user, task_force=tf, person=make(unit_a, unit_b), role="MEMBER", started_on=START
        )
    assert exc.value.code == code


def test_people_of_sub_units_may_serve(region, admin_user):
    division = UnitFactory(parent=region, unit_type="DIVISI")
    tf = make_taskforce(unit=region)
    member = services.membership_add(
        actor=admin_user, task_force=tf, person=PersonFactory(unit=division), role="MEMBER", started_on=START
    )
    assert selectors.flagged_members(tf, selectors.roster(tf)) == []
    assert member.pk


def test_moved_or_retired_members_flag_the_taskforce(tf, unit_a, unit_b):
    stays, moves, retires = add_members(tf, roles=[MemberRole.LEADER, MemberRole.MEMBER, MemberRole.MEMBER])
    moves.person.unit = unit_b
    moves.person.save()
    retires.person.status = PersonStatus.RETIRED
    retires.person.save()
    flags = selectors.flagged_members(tf, selectors.roster(tf))
    assert {m.pk for m in flags} == {moves.pk, retires.pk}


def test_ending_needs_a_reason_and_cannot_precede_the_start(tf, admin_user):
    member = add_members(tf, roles=[MemberRole.MEMBER])[0]
    for ended_on, reason, code in [
        (dt.date(2024, 5, 1), " ", "reason_required"),
        (dt.date(2023, 1, 1), "x", "end_before_start"),
    ]:
        with pytest.raises(services.TaskForceError) as exc:
            services.membership_end(actor=admin_user, membership=member, ended_on=ended_on, reason=reason)
        assert exc.value.code == code
    services.membership_end(actor=admin_user, membership=member, ended_on=dt.date(2024, 5, 1), reason="Pensiun")
    with pytest.raises(services.TaskForceError) as exc:
        services.membership_end(actor=admin_user, membership=member, ended_on=dt.date(2024, 6, 1), reason="lagi")
    assert exc.value.code == "membership_ended"


# --- Import of pasted lines ----------------------------------------------------


def test_import_adds_valid_lines_and_reports_each_problem(tf, unit_a, unit_b, admin_user):
    leader, secretary, member = (PersonFactory(unit=unit_a) for _ in range(3))
    ppnpn = PersonFactory(unit=unit_a, ppnpn=True)
    retired = PersonFactory(unit=unit_a, status=PersonStatus.RETIRED)
    elsewhere = PersonFactory(unit=unit_b)
    spaced = f"{leader.nip[:8]} {leader.nip[8:14]} {leader.nip[14]} {leader.nip[15:]}"
    text = "\n".join(
        [
            f"{spaced}; Ketua",
            f"{secretary.nip};SEKRETARIS",
            f"{member.nip}; anggota",
            f"{ppnpn.nik}; MEMBER",
            "199001012015011999; anggota",
            f"{retired.nip}; anggota",
            f"{elsewhere.nip}; anggota",
            f"{member.nip}; ketua",
            f"{secretary.nip[:-1]}9; wakil",
            "",
        ]
    )
    outcome = services.members_import(actor=admin_user, task_force=tf, text=text, started_on=START)
    assert {(m.person, m.role) for m in outcome.added} == {
        (leader, "LEADER"),
        (secretary, "SECRETARY"),
        (member, "MEMBER"),
        (ppnpn, "MEMBER"),
    }
    assert [(line, code) for line, _text, code in outcome.problems] == [
        (5, "unknown_number"),
        (6, "not_active"),
        (7, "not_in_unit"),
        (8, "duplicate"),
        (9, "bad_role"),
    ]
    assert tf.memberships.count() == 4


def test_import_refuses_people_already_serving(tf, unit_a, admin_user):
    member = add_members(tf, roles=[MemberRole.MEMBER])[0]
    outcome = services.members_import(
        actor=admin_user, task_force=tf, text=f"{member.person.nip}; ketua", started_on=START
    )
    assert outcome.added == [] and outcome.problems[0][2] == "already_member"


def test_import_page_shows_the_problems_and_adds_the_rest(client, admin_user, tf, unit_a):
    person = PersonFactory(unit=unit_a)
    client.force_login(admin_user)
    response = client.post(
        f"/satgas/{tf.pk}/anggota/impor/",
        {"lines": f"{person.nip}; ketua\n123; anggota", "started_on": "2024-01-22"},
    )
    assert response.status_code == 200
    assert response.context["problems"][0][0] == 2
    assert tf.memberships.get().person == person
