"""Every change to task forces, memberships, decrees and inaugurations goes through here."""

import datetime as dt
import secrets
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone

from satgas.core.services import audit_record
from satgas.personnel.identity import normalize_number
from satgas.personnel.models import Person, PersonStatus

from . import rules, selectors
from .models import (
    DecreeCounter,
    Inauguration,
    Membership,
    RegionalDefaults,
    TaskForce,
    TaskForceStatus,
)


class TaskForceError(Exception):
    """A task-force rule was broken; ``code`` says which (see views.ERRORS)."""

    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code = code
        self.params = params


def _locked(task_force: TaskForce) -> TaskForce:
    return TaskForce.objects.select_for_update().select_related("unit", "election").get(pk=task_force.pk)


# --- Defaults ------------------------------------------------------------------


@transaction.atomic
def regional_defaults_update(*, actor, **fields) -> RegionalDefaults:
    defaults = selectors.regional_defaults()
    if "decree_pattern" in fields:
        try:
            rules.check_pattern(fields["decree_pattern"])
        except rules.PatternError:
            raise TaskForceError("bad_pattern") from None
    before = {key: getattr(defaults, key) for key in fields}
    for key, value in fields.items():
        setattr(defaults, key, value)
    defaults.full_clean()
    defaults.save()
    audit_record(actor=actor, action="taskforce.defaults_updated", target=defaults, changes=_diff(before, fields))
    return defaults


def _diff(before: dict, after: dict) -> dict:
    from satgas.core.services import diff_fields

    return diff_fields(before, after)


# --- Task forces ---------------------------------------------------------------


@transaction.atomic
def taskforce_create(
    *, actor, unit, election, term_starts_on: dt.date, term_ends_on: dt.date | None = None, **fields
) -> TaskForce:
    """A draft task force; its composition rule is copied from the regional defaults."""
    if TaskForce.objects.filter(unit=unit, election=election).exists():
        raise TaskForceError("duplicate")
    defaults = selectors.regional_defaults()
    task_force = TaskForce(
        unit=unit,
        election=election,
        term_starts_on=term_starts_on,
        term_ends_on=term_ends_on,
        required_leaders=fields.pop("required_leaders", defaults.leaders),
        required_secretaries=fields.pop("required_secretaries", defaults.secretaries),
        required_members=fields.pop("required_members", defaults.members),
        created_by=actor if getattr(actor, "pk", None) else None,
        **fields,
    )
    task_force.full_clean()
    try:
        with transaction.atomic():
            task_force.save()
    except IntegrityError:
        raise TaskForceError("duplicate") from None
    audit_record(actor=actor, action="taskforce.created", target=task_force)
    return task_force


EDITABLE = {
    "required_leaders",
    "required_secretaries",
    "required_members",
    "term_starts_on",
    "term_ends_on",
    "signatory_name",
    "signatory_nip",
    "signatory_title",
    "decree_date",
}


@transaction.atomic
def taskforce_update(*, actor, task_force: TaskForce, **fields) -> TaskForce:
    task_force = _locked(task_force)
    if task_force.status == TaskForceStatus.ENDED:
        raise TaskForceError("ended")
    unknown = set(fields) - EDITABLE
    if unknown:
        raise ValueError(f"not editable here: {sorted(unknown)}")
    before = {key: getattr(task_force, key) for key in fields}
    for key, value in fields.items():
        setattr(task_force, key, value)
    task_force.full_clean()
    task_force.save()
    audit_record(actor=actor, action="taskforce.updated", target=task_force, changes=_diff(before, fields))
    return task_force


@transaction.atomic
def taskforce_transition(*, actor, task_force: TaskForce, to: str, reason: str = "") -> TaskForce:
    """Move a task force along ``rules.TASKFORCE_TRANSITIONS``.

    Activating with a composition that is not met needs the admin's reason,
    which is stored and audited. Ending it ends the role of every member at once.
    """
    task_force = _locked(task_force)
    if not rules.transition_allowed(task_force.status, to):
        raise TaskForceError("transition_forbidden")
    reason = (reason or "").strip()
    note = ""
    if to == TaskForceStatus.ACTIVE:
        composition = selectors.current_composition(task_force)
        if not composition.met:
            if not reason:
                raise TaskForceError("composition_unmet")
            task_force.activation_reason = reason
            note = reason
        task_force.activated_at = timezone.now()
    elif to == TaskForceStatus.ENDED:
        task_force.ended_on = selectors.today()
        note = reason
    before = task_force.status
    task_force.status = to
    task_force.full_clean()
    task_force.save()
    audit_record(actor=actor, action="taskforce.status", target=task_force, changes={"status": [before, to]}, note=note)
    return task_force


# --- Decrees -------------------------------------------------------------------


def _claim_number(task_force: TaskForce, on: dt.date) -> str:
    """The next number of ``on.year`` from the pattern, under a row lock: no gaps, no repeats."""
    pattern = selectors.regional_defaults().decree_pattern
    DecreeCounter.objects.get_or_create(year=on.year)
    counter = DecreeCounter.objects.select_for_update().get(year=on.year)
    while True:
        counter.last_number += 1
        number = rules.format_decree_number(pattern, number=counter.last_number, on=on, unit_code=task_force.unit.code)
        # A number typed by hand may already use this one: skip it.
        if not TaskForce.objects.filter(decree_number=number).exists():
            break
    counter.save(update_fields=["last_number"])
    return number


@transaction.atomic
def decree_set(
    *,
    actor,
    task_force: TaskForce,
    decree_date: dt.date,
    number: str = "",
    signatory_name: str,
    signatory_nip: str = "",
    signatory_title: str,
) -> TaskForce:
    """Record the decree: a typed number, or (empty) the next number from the pattern.

    A number, once given, stays: decrees are not renumbered.
    """
    task_force = _locked(task_force)
    if task_force.status == TaskForceStatus.ENDED:
        raise TaskForceError("ended")
    number = " ".join((number or "").split())
    before = {"decree_number": task_force.decree_number, "decree_date": task_force.decree_date}
    if task_force.decree_number:
        if number and number != task_force.decree_number:
            raise TaskForceError("decree_numbered")
    elif number:
        if TaskForce.objects.filter(decree_number=number).exists():
            raise TaskForceError("decree_number_taken")
        task_force.decree_number = number
    else:
        task_force.decree_number = _claim_number(task_force, decree_date)
        task_force.decree_number_generated = True
    task_force.decree_date = decree_date
    task_force.signatory_name = signatory_name
    task_force.signatory_nip = normalize_number(signatory_nip)
    task_force.signatory_title = signatory_title
    task_force.full_clean()
    try:
        with transaction.atomic():
            task_force.save()
    except IntegrityError:
        raise TaskForceError("decree_number_taken") from None
    after = {"decree_number": task_force.decree_number, "decree_date": task_force.decree_date}
    audit_record(actor=actor, action="taskforce.decree", target=task_force, changes=_diff(before, after))
    return task_force


# --- Memberships ---------------------------------------------------------------


def _new_badge_code() -> str:
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(20))


def _check_member(task_force: TaskForce, person: Person, started_on: dt.date, subtree: set[int] | None = None) -> None:
    if task_force.status == TaskForceStatus.ENDED:
        raise TaskForceError("ended")
    if person.status != PersonStatus.ACTIVE:
        raise TaskForceError("not_active")
    subtree = subtree if subtree is not None else selectors.subtree_ids(task_force.unit_id)
    if person.unit_id not in subtree:
        raise TaskForceError("not_in_unit")
    overlapping = task_force.memberships.filter(person=person).exclude(ended_on__lte=started_on)
    if overlapping.exists():
        raise TaskForceError("already_member")


def _add(*, actor, task_force, person, role, started_on, replaces=None) -> Membership:
    membership = Membership(
        task_force=task_force,
        person=person,
        role=role,
        started_on=started_on,
        replaces=replaces,
        badge_code=_new_badge_code(),
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    membership.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            membership.save()
    except IntegrityError:
        raise TaskForceError("already_member") from None
    return membership


@transaction.atomic
def membership_add(*, actor, task_force: TaskForce, person: Person, role: str, started_on: dt.date) -> Membership:
    task_force = _locked(task_force)
    _check_member(task_force, person, started_on)
    membership = _add(actor=actor, task_force=task_force, person=person, role=role, started_on=started_on)
    audit_record(
        actor=actor,
        action="taskforce.member_added",
        target=task_force,
        changes={"member": [None, f"{person.full_name} ({membership.get_role_display()})"]},
    )
    return membership


def _end(membership: Membership, ended_on: dt.date, reason: str) -> None:
    if membership.ended_on is not None and membership.ended_on <= selectors.today():
        raise TaskForceError("membership_ended")
    if ended_on < membership.started_on:
        raise TaskForceError("end_before_start")
    membership.ended_on = ended_on
    membership.end_reason = reason.strip()[:255]
    membership.save(update_fields=["ended_on", "end_reason"])


@transaction.atomic
def membership_end(*, actor, membership: Membership, ended_on: dt.date, reason: str) -> Membership:
    """End a membership (the person keeps the role until ``ended_on``, exclusive)."""
    membership = Membership.objects.select_for_update().select_related("person", "task_force").get(pk=membership.pk)
    if membership.task_force.status == TaskForceStatus.ENDED:
        raise TaskForceError("ended")
    if not reason.strip():
        raise TaskForceError("reason_required")
    _end(membership, ended_on, reason)
    audit_record(
        actor=actor,
        action="taskforce.member_ended",
        target=membership.task_force,
        changes={"member": [f"{membership.person.full_name} ({membership.get_role_display()})", None]},
        note=reason,
    )
    return membership


@transaction.atomic
def membership_replace(
    *, actor, membership: Membership, person: Person, on: dt.date, reason: str, role: str | None = None
) -> Membership:
    """End ``membership`` on ``on`` and start ``person``'s on the same day, linked to it."""
    membership = Membership.objects.select_for_update().select_related("person").get(pk=membership.pk)
    task_force = _locked(membership.task_force)
    if not reason.strip():
        raise TaskForceError("reason_required")
    if person.pk == membership.person_id:
        raise TaskForceError("already_member")
    _end(membership, on, reason)
    _check_member(task_force, person, on)
    new = _add(
        actor=actor,
        task_force=task_force,
        person=person,
        role=role or membership.role,
        started_on=on,
        replaces=membership,
    )
    audit_record(
        actor=actor,
        action="taskforce.member_replaced",
        target=task_force,
        changes={"member": [membership.person.full_name, person.full_name]},
        note=reason,
    )
    return new


@dataclass
class ImportOutcome:
    added: list[Membership] = field(default_factory=list)
    problems: list[tuple[int, str, str]] = field(default_factory=list)  # (line number, line, error code)


@transaction.atomic
def members_import(*, actor, task_force: TaskForce, text: str, started_on: dt.date) -> ImportOutcome:
    """Add the people of lines ``NIP/NIK; role``; report the lines that cannot be added.

    Valid lines are added together in this one transaction.
    """
    task_force = _locked(task_force)
    if task_force.status == TaskForceStatus.ENDED:
        raise TaskForceError("ended")
    lines = [(i, line.strip()) for i, line in enumerate((text or "").splitlines(), 1) if line.strip()]
    parsed = [(i, line, *rules.parse_member_line(line)) for i, line in lines]
    numbers = {number for _, _, number, _ in parsed}
    people = {}
    for person in Person.objects.filter(nip__in=numbers) | Person.objects.filter(nik__in=numbers):
        people[person.nip] = people[person.nik] = person
    subtree = selectors.subtree_ids(task_force.unit_id)
    outcome, seen = ImportOutcome(), set()
    for i, line, number, role in parsed:
        person = people.get(number)
        if role is None:
            outcome.problems.append((i, line, "bad_role"))
        elif person is None:
            outcome.problems.append((i, line, "unknown_number"))
        elif person.pk in seen:
            outcome.problems.append((i, line, "duplicate"))
        else:
            try:
                _check_member(task_force, person, started_on, subtree)
            except TaskForceError as exc:
                outcome.problems.append((i, line, exc.code))
                continue
            seen.add(person.pk)
            outcome.added.append(
                _add(actor=actor, task_force=task_force, person=person, role=role, started_on=started_on)
            )
    if outcome.added:
        audit_record(
            actor=actor,
            action="taskforce.members_imported",
            target=task_force,
            changes={"members": [None, len(outcome.added)]},
        )
    return outcome


# --- Inauguration --------------------------------------------------------------


@transaction.atomic
def inauguration_record(
    *,
    actor,
    task_force: TaskForce,
    held_on: dt.date,
    place: str,
    mode: str,
    led_by: str,
    inaugurated_ids,
    badge_ids,
) -> Inauguration:
    """Record (or correct) the ceremony, and per current member whether inaugurated and badged."""
    task_force = _locked(task_force)
    if task_force.status != TaskForceStatus.ACTIVE:
        raise TaskForceError("not_active_taskforce")
    inauguration = Inauguration.objects.filter(task_force=task_force).first() or Inauguration(task_force=task_force)
    inauguration.held_on, inauguration.place, inauguration.mode, inauguration.led_by = held_on, place, mode, led_by
    inauguration.recorded_by = actor if getattr(actor, "pk", None) else None
    inauguration.full_clean()
    inauguration.save()
    members = task_force.memberships.filter(selectors.current_q(selectors.today()))
    inaugurated_ids, badge_ids = {int(i) for i in inaugurated_ids}, {int(i) for i in badge_ids}
    for membership in members:
        membership.inaugurated = membership.pk in inaugurated_ids
        membership.badge_issued = membership.pk in badge_ids
    Membership.objects.bulk_update(members, ["inaugurated", "badge_issued"])
    audit_record(
        actor=actor,
        action="taskforce.inaugurated",
        target=task_force,
        changes={"inaugurated": [None, len(inaugurated_ids)], "badges": [None, len(badge_ids)]},
        note=f"{held_on:%Y-%m-%d} {place}",
    )
    return inauguration
