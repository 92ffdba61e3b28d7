"""Import employees from a spreadsheet (CSV or XLSX) into the personnel registry.

The file is read in memory; this module never stores or logs it (the web
upload keeps it on its ``PersonnelImport`` record, the command reads it from
disk).

Columns (see ``COLUMNS``; the header is the first non-blank row, names are
matched case-insensitively and spaces/hyphens count as underscores, so
"Jenis Pegawai" is ``jenis_pegawai``). Unknown columns are ignored with a
warning. ``nama``, ``jenis_pegawai``, ``kode_unit`` and ``nip`` or ``nik`` are
required. Row numbers in issues are spreadsheet rows (header = row 1).

Rules:

* Every row is checked and all of its problems are reported, one
  ``RowIssue`` per column. A row with any problem is "invalid" and skipped.
* PNS: ``nip`` holds the NIP; PPPK: ``nip`` holds the NI PPPK; PPNPN: ``nik``
  is required and ``nip`` must be empty. ASN may also have a NIK.
* Rows are matched to the registry by NIP (PNS, PPPK) or by NIK (PPNPN). A
  number that appears twice in the file makes the later rows invalid.
* A matched person whose values are all equal is "unchanged" and nothing is
  written, so importing the same file twice changes nothing the second time.
  Otherwise the person is "updated" (audit event ``person.updated``).
* **Blank optional cells never clear existing values**: an empty ``nik``,
  ``jabatan``, ``pangkat_golongan``, ``email`` or ``telepon`` keeps what the
  registry holds. To clear a value, edit the person in the registry.
* The status of existing people is never changed by an import.
* A different ``kode_unit`` moves the person: the open placement ends today
  and a new one starts today (audit event ``person.moved``).
* New people are created active, with an open placement starting today.
* ``dry_run`` checks and counts without writing; ``strict`` writes nothing
  when any row is invalid; otherwise all valid rows are written in one
  transaction (all or nothing if something unexpected fails).
* ``create_accounts`` gives every created or updated person with an email
  and no account a login (unusable password: sign-in by emailed code),
  unless that email is already used by an account (a warning, not an error).

Everything is done with bulk queries (no query per row), so 20,000 rows take
seconds. Rows are checked with the same validators as ``Person.clean``
(``identity``), which is why the bulk writes can skip ``full_clean``.
"""

import datetime as dt
import difflib
import functools
import secrets
from collections import defaultdict
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import asdict, dataclass, field

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import connection, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from satgas.core import aggregates
from satgas.core import services as core_services
from satgas.core.services import diff_fields
from satgas.core.text import has_control_characters

from . import identity
from .models import ASN_TYPES, EmploymentType, Person, PersonStatus, Placement, Unit
from .spreadsheets import COLUMNS, ImportFileError, parse_header, read_table, template_csv, template_xlsx  # noqa: F401
from .spreadsheets import number_text as _number_text
from .spreadsheets import squash as _squash
from .spreadsheets import text as _text

# Person fields an import sets (the audit diff); the unit is handled as a move.
IMPORTED_FIELDS = ["full_name", "employment_type", "nip", "nik", "position", "rank_grade", "email", "phone"]
DERIVED_FIELDS = ["birth_date", "sex"]

_KINDS = tuple(EmploymentType.values)
_ASN = frozenset(kind.value for kind in ASN_TYPES)

PROGRESS_EVERY = 500
LOOKUP_CHUNK = 900  # stays under SQLite's limit of variables per query
BATCH_SIZE = 1000
SHARED_VALUE_MIN = 20  # people getting the same new value are updated with one query

_validate_email = EmailValidator()
CONTROL_CELL_MESSAGE = gettext_lazy(
    "This cell contains invisible control characters (such as NUL, often from a copied document or another "
    "program). Type the value again in the cell, or paste it as plain text."
)


@functools.cache
def _max_length(name: str) -> int:
    return Person._meta.get_field(name).max_length


@dataclass(frozen=True)
class RowIssue:
    row: int  # spreadsheet row: header is row 1, first data row is 2
    column: str  # template column name, "" for a whole-row problem
    message: str

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class ImportResult:
    total: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    invalid: int = 0
    issues: list[RowIssue] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    applied: bool = False  # False for dry runs and for strict runs with invalid rows
    accounts_created: int = 0  # with create_accounts: created (or, in a dry run, to be created)

    def counts(self) -> dict:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged, "invalid": self.invalid}


@dataclass(slots=True)
class _Row:
    number: int
    issues: list[RowIssue] = field(default_factory=list)
    full_name: str = ""
    employment_type: str = ""
    nip: str | None = None
    nik: str | None = None
    unit: Unit | None = None
    position: str = ""
    rank_grade: str = ""
    email: str = ""
    phone: str = ""
    info: identity.IdentityInfo | None = None
    person: Person | None = None  # existing or new person, once planned
    after: dict = field(default_factory=dict)  # an existing person's values after the import
    changes: dict = field(default_factory=dict)  # audit diff of ``after``
    old_unit: Unit | None = None  # set when the row moves an existing person
    account_email: str = ""  # set when the row's person gets a new account

    @property
    def final_email(self) -> str:
        return self.after["email"] if self.after else self.email

    def issue(self, column: str, message: str) -> None:
        self.issues.append(RowIssue(self.number, column, message))


# --- Checking a row ----------------------------------------------------------


class _RowChecker:
    def __init__(self, units: dict[str, Unit], *, today: dt.date):
        self.units = units
        self.today = today  # ages are checked against it: once per import, not once per row
        self.unit_hints: dict[str, str] = {}
        self.first_row_of: dict[tuple[str, str], int] = {}  # ("nip"|"nik", number) -> first row

    def check(self, number: int, values: dict) -> _Row:
        row = _Row(number)
        # A cell with control characters (NUL, BEL, ESC...) is named and not checked further: its value never
        # reaches a message, the database or an export.
        spoiled = {
            column for column, value in values.items() if isinstance(value, str) and has_control_characters(value)
        }
        for column in sorted(spoiled, key=COLUMNS.index):
            row.issue(column, str(CONTROL_CELL_MESSAGE))
        if spoiled:
            values = {column: (None if column in spoiled else value) for column, value in values.items()}
        self._name(row, values.get("nama"))
        self._employment_type(row, values.get("jenis_pegawai"))
        self._identity(row, _number_text(values.get("nip")), _number_text(values.get("nik")))
        self._unit(row, values.get("kode_unit"))
        row.position = self._limited(row, "jabatan", "position", values.get("jabatan"))
        row.rank_grade = self._limited(row, "pangkat_golongan", "rank_grade", values.get("pangkat_golongan"))
        self._email(row, values.get("email"))
        self._phone(row, values.get("telepon"))
        if spoiled:  # the emptied cells' "required" messages would only confuse
            row.issues = [i for i in row.issues if i.column not in spoiled or i.message == str(CONTROL_CELL_MESSAGE)]
        return row

    def _name(self, row: _Row, value) -> None:
        row.full_name = _squash(value)
        if not row.full_name:
            row.issue("nama", _("Name is required. Fill in the full name with academic titles."))
        elif len(row.full_name) > _max_length("full_name"):
            row.issue(
                "nama",
                _("Name is too long (%(count)s characters, at most %(max)s). Shorten it.")
                % {"count": len(row.full_name), "max": _max_length("full_name")},
            )

    def _employment_type(self, row: _Row, value) -> None:
        text = _squash(value)
        kinds = ", ".join(_KINDS)
        if not text:
            row.issue("jenis_pegawai", _("Employment type is required. Use one of: %(allowed)s.") % {"allowed": kinds})
        elif text.upper() not in _KINDS:
            row.issue(
                "jenis_pegawai",
                _("Employment type “%(value)s” is not valid. Use one of: %(allowed)s.")
                % {"value": text, "allowed": kinds},
            )
        else:
            row.employment_type = text.upper()

    def _identity(self, row: _Row, nip: str, nik: str) -> None:
        kind = row.employment_type
        if kind in _ASN:
            label = "NIP" if kind == EmploymentType.PNS else "NI PPPK"
            if not nip:
                row.issue(
                    "nip",
                    _("%(label)s is required for %(type)s employees. Fill in the 18-digit number in the nip column.")
                    % {"label": label, "type": kind},
                )
            else:
                row.info = self._validated(row, "nip", identity.validate_for_type, kind, nip, today=self.today)
                row.nip = row.info.number if row.info else None
            if nik:
                info = self._validated(row, "nik", identity.validate_nik, nik, today=self.today)
                row.nik = info.number if info else None
        elif kind == EmploymentType.PPNPN:
            if nip:
                row.issue("nip", _("PPNPN staff have no NIP. Leave the nip column empty and fill in the NIK."))
            if not nik:
                row.issue("nik", _("NIK is required for PPNPN staff. Fill in the 16-digit NIK."))
            else:
                row.info = self._validated(row, "nik", identity.validate_nik, nik, today=self.today)
                row.nik = row.info.number if row.info else None
        # The same number twice in one file: the later rows are invalid.
        if row.info:
            self._first_occurrence(row, "nip" if kind in _ASN else "nik", row.info.number)
        if kind in _ASN and row.nik:
            self._first_occurrence(row, "nik", row.nik)

    @staticmethod
    def _validated(row: _Row, column: str, validator, *args, **kwargs) -> identity.IdentityInfo | None:
        try:
            return validator(*args, **kwargs)
        except ValidationError as exc:
            for message in exc.messages:
                row.issue(column, message)
            return None

    def _first_occurrence(self, row: _Row, column: str, number: str) -> None:
        first = self.first_row_of.setdefault((column, number), row.number)
        if first != row.number:
            row.issue(
                column,
                _(
                    "%(label)s %(number)s already appears in row %(row)s. Each employee may appear only once; "
                    "remove or correct one of the rows."
                )
                % {"label": column.upper(), "number": number, "row": first},
            )

    def _unit(self, row: _Row, value) -> None:
        code = _squash(value).upper()
        row.unit = self.units.get(code)
        if not code:
            row.issue("kode_unit", _("Unit code is required. Use the code shown in the list of units."))
        elif row.unit is None:
            if code not in self.unit_hints:
                close = difflib.get_close_matches(code, self.units, n=1)
                self.unit_hints[code] = close[0] if close else ""
            if self.unit_hints[code]:
                message = _("Unit code “%(code)s” does not exist. Did you mean “%(suggestion)s”?")
            else:
                message = _("Unit code “%(code)s” does not exist. Use the code shown in the list of units.")
            row.issue("kode_unit", message % {"code": code, "suggestion": self.unit_hints[code]})

    @staticmethod
    def _limited(row: _Row, column: str, field_name: str, value) -> str:
        text = _squash(value)
        limit = _max_length(field_name)
        if len(text) > limit:
            row.issue(
                column,
                _("Too long (%(count)s characters, at most %(max)s). Shorten it.") % {"count": len(text), "max": limit},
            )
        return text

    @staticmethod
    def _email(row: _Row, value) -> None:
        row.email = _text(value).lower()
        if not row.email:
            return
        try:
            if len(row.email) > _max_length("email"):
                raise ValidationError("too long")
            _validate_email(row.email)
        except ValidationError:
            row.issue(
                "email",
                _("Email address “%(value)s” is not valid. Write it like name@example.go.id, or leave the cell empty.")
                % {"value": row.email},
            )

    @staticmethod
    def _phone(row: _Row, value) -> None:
        try:
            row.phone = identity.normalize_phone(_text(value))
        except ValidationError as exc:
            for message in exc.messages:
                row.issue("telepon", message)


# --- Matching rows with the registry -----------------------------------------


def _chunks(items: list, size: int = LOOKUP_CHUNK):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _fetch_people(field_name: str, numbers: set[str], *, lock: bool) -> list[Person]:
    queryset = Person.objects.select_for_update() if lock else Person.objects.all()
    found = []
    for chunk in _chunks(sorted(numbers)):
        found.extend(queryset.filter(**{f"{field_name}__in": chunk}).order_by())
    return found


def _created_changes(person: Person, unit: Unit) -> dict:
    """``diff_fields({}, values)`` of a new person, without its generic per-value work (20,000 rows)."""
    changes = {name: [None, value] for name in IMPORTED_FIELDS if (value := getattr(person, name)) is not None}
    changes["unit"] = [None, str(unit)]
    return changes


def _values(person: Person, fields: list[str]) -> dict:
    return {name: getattr(person, name) for name in fields}


def _plan(rows: list[_Row], *, units_by_id: dict[int, Unit], lock: bool, today: dt.date) -> dict[int, Placement]:
    """Match valid rows with existing people and decide what each row does.

    Sets ``row.person`` (a new unsaved Person for created rows),
    ``row.changes`` and ``row.old_unit``; adds issues for conflicts with the
    registry. Returns the open placements of people who move, by person id.
    """
    valid = [row for row in rows if not row.issues]
    people = _fetch_people("nip", {r.nip for r in valid if r.nip}, lock=lock)
    by_nik = {p.nik: p for p in people if p.nik}  # a NIK is unique: no need to load these people twice
    people += _fetch_people("nik", {r.nik for r in valid if r.nik} - by_nik.keys(), lock=lock)
    by_nip = {p.nip: p for p in people if p.nip}
    by_nik.update({p.nik: p for p in people if p.nik})

    movers = []
    for row in valid:
        if row.employment_type in _ASN:
            person = by_nip.get(row.nip)
            holder = by_nik.get(row.nik) if row.nik else None
            if holder is not None and (person is None or holder.pk != person.pk):
                row.issue(
                    "nik",
                    _(
                        "NIK %(nik)s already belongs to %(person)s in the registry. Check the NIK; if it is right, "
                        "correct that person's record first."
                    )
                    % {"nik": row.nik, "person": holder},
                )
        else:
            person = by_nik.get(row.nik)
            if person is not None and person.employment_type in _ASN:
                row.issue(
                    "nik",
                    _(
                        "NIK %(nik)s belongs to %(person)s, a %(type)s employee, so this row cannot make them PPNPN. "
                        "Check the NIK and the employment type."
                    )
                    % {"nik": row.nik, "person": person, "type": person.employment_type},
                )
        if row.issues:
            continue
        if person is None:
            row.person = Person(
                full_name=row.full_name,
                employment_type=row.employment_type,
                nip=row.nip,
                nik=row.nik,
                birth_date=row.info.birth_date,
                sex=row.info.sex,
                unit=row.unit,
                position=row.position,
                rank_grade=row.rank_grade,
                email=row.email,
                phone=row.phone,
                status=PersonStatus.ACTIVE,
            )
            continue
        row.person = person
        after = {
            "full_name": row.full_name,
            "employment_type": row.employment_type,
            "nip": row.nip if row.employment_type in _ASN else person.nip,
            # Blank optional cells keep the registry's value.
            "nik": row.nik or person.nik,
            "position": row.position or person.position,
            "rank_grade": row.rank_grade or person.rank_grade,
            "email": row.email or person.email,
            "phone": row.phone or person.phone,
            "birth_date": row.info.birth_date,
            "sex": row.info.sex,
        }
        row.after = after
        row.changes = diff_fields(_values(person, IMPORTED_FIELDS + DERIVED_FIELDS), after)
        if person.unit_id != row.unit.pk:
            movers.append(row)

    # A move closes the open placement today; one that starts later cannot be closed.
    open_placements: dict[int, Placement] = {}
    queryset = Placement.objects.select_for_update() if lock else Placement.objects.all()
    for chunk in _chunks([row.person.pk for row in movers]):
        for placement in queryset.filter(person_id__in=chunk, ended_on__isnull=True).order_by():
            open_placements[placement.person_id] = placement
    for row in movers:
        placement = open_placements.get(row.person.pk)
        if placement is not None and placement.started_on > today:
            row.issue(
                "kode_unit",
                _(
                    "This employee's current placement starts on %(date)s, after today, so the import cannot move "
                    "them. Change their unit in the registry instead."
                )
                % {"date": placement.started_on.isoformat()},
            )
            del open_placements[row.person.pk]
            row.person = None
            continue
        row.old_unit = units_by_id.get(row.person.unit_id) or row.person.unit  # (a unit created meanwhile)
    return open_placements


# --- Writing -----------------------------------------------------------------


def _actor_user(actor):
    return actor if getattr(actor, "pk", None) else None


def _plan_accounts(rows: list[_Row], warnings: list[str]) -> list[_Row]:
    """Rows whose person gets a new account; warns about taken email addresses."""
    from satgas.accounts.models import User

    wanted = [
        r for r in rows if r.person is not None and (r.person.pk is None or r.changes or r.old_unit) and r.final_email
    ]
    linked: set[int] = set()
    for chunk in _chunks([r.person.pk for r in wanted if r.person.pk]):
        linked.update(User.objects.filter(person_id__in=chunk).values_list("person_id", flat=True))
    wanted = [r for r in wanted if r.person.pk not in linked]
    emails = {r.final_email.lower(): None for r in wanted}
    taken: set[str] = set()
    for chunk in _chunks(list(emails)):
        taken.update(
            User.objects.annotate(email_lower=Lower("email"))
            .filter(email_lower__in=chunk)
            .values_list("email_lower", flat=True)
        )
    accounts = []
    for row in wanted:
        email = row.final_email.lower()
        if email in taken:
            warnings.append(
                _(
                    "Row %(row)s: no account was created for %(name)s because %(email)s is already used by another "
                    "account. Link that account to the person in the registry if it is theirs."
                )
                % {"row": row.number, "name": row.full_name, "email": email}
            )
            continue
        taken.add(email)
        row.account_email = email
        accounts.append(row)
    return accounts


def _write_updates(rows: list[_Row], now: dt.datetime) -> None:
    """Save the changed fields of existing people.

    A value that many people get (a new unit, a new rank for everyone) is set
    with one ``UPDATE ... WHERE id IN (...)`` per chunk; the other values go
    through ``bulk_update`` one field at a time, which keeps its ``CASE WHEN``
    small (with every field at once, 20,000 moves took ~10 s on SQLite).
    """
    by_value: dict[tuple[str, object], list[Person]] = defaultdict(list)
    for row in rows:
        for name in [*row.changes, *(["unit"] if row.old_unit else [])]:
            value = row.person.unit_id if name == "unit" else getattr(row.person, name)
            by_value[(name, value)].append(row.person)
    one_by_one: dict[str, list[Person]] = defaultdict(list)
    for (name, value), people in by_value.items():
        if len(people) < SHARED_VALUE_MIN:
            one_by_one[name] += people
            continue
        for chunk in _chunks([person.pk for person in people]):
            Person.objects.filter(pk__in=chunk).update(**{"unit_id" if name == "unit" else name: value})
    for name, people in one_by_one.items():
        Person.objects.bulk_update(people, [name], batch_size=BATCH_SIZE)
    for chunk in _chunks([row.person.pk for row in rows]):
        Person.objects.filter(pk__in=chunk).update(updated_at=now)


# New rows go in with COPY on PostgreSQL: bulk_create compiles every value of every row through its model
# field (~10 times slower than the database's own work for 20,000 people, their placements and audit
# events). The rows are the same either way; SQLite (no COPY) keeps bulk_create.


def _use_copy() -> bool:
    return connection.vendor == "postgresql"


def _copy_rows(table: str, columns: list[str], rows) -> int:
    # The COPY helper of the benchmark's data generator; imported here only, because its package brings
    # the seeding code of every app.
    from satgas.core.scale.writer import copy_rows

    return copy_rows(table, columns, rows)


def _insert_people(people: list[Person], *, now: dt.datetime) -> None:
    """Insert new people and give them their ids (placements and audit events refer to them)."""
    if not people:
        return
    if not _use_copy():
        Person.objects.bulk_create(people, batch_size=BATCH_SIZE)
        return
    meta = Person._meta
    with connection.cursor() as cursor:
        # Reserve the ids from the column's own sequence: one query, nothing to read back after the COPY.
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, len(people)],
        )
        ids = [pk for (pk,) in cursor.fetchall()]
    for person, pk in zip(people, ids, strict=True):
        person.pk = pk
        person.created_at = person.updated_at = now
        person._state.adding, person._state.db = False, connection.alias
    fields = meta.concrete_fields
    _copy_rows(meta.db_table, [f.column for f in fields], ([getattr(p, f.attname) for f in fields] for p in people))


def _insert_placements(pairs: list[tuple[int, int]], *, started_on: dt.date, reason: str, user_id) -> None:
    """Open placements, one per ``(person id, unit id)``."""
    if not _use_copy():
        Placement.objects.bulk_create(
            [
                Placement(
                    person_id=person_id, unit_id=unit_id, started_on=started_on, reason=reason, created_by_id=user_id
                )
                for person_id, unit_id in pairs
            ],
            batch_size=BATCH_SIZE,
        )
        return
    meta = Placement._meta
    columns = [
        meta.get_field(name).column for name in ("person", "unit", "started_on", "ended_on", "reason", "created_by")
    ]
    _copy_rows(
        meta.db_table,
        columns,
        ((person_id, unit_id, started_on, None, reason, user_id) for person_id, unit_id in pairs),
    )


def audit_record_many(*, actor, action: str, items: list[tuple[Person, dict]], note: str = "") -> int:
    """``core.services.audit_record_many`` for people, with COPY on PostgreSQL: the same events."""
    if not _use_copy():
        return core_services.audit_record_many(actor=actor, action=action, items=items, note=note)
    if not items:
        return 0
    from satgas.core.models import AuditEvent

    meta = AuditEvent._meta
    names = ("created_at", "actor", "action", "target_type", "target_id", "target_repr", "changes", "note")
    actor_id = getattr(_actor_user(actor), "pk", None)
    type_id = ContentType.objects.get_for_model(Person).pk
    now = timezone.now()
    return _copy_rows(
        meta.db_table,
        [meta.get_field(name).column for name in names],
        (
            (now, actor_id, action, type_id, str(person.pk), str(person)[:255], changes or {}, note)
            for person, changes in items
        ),
    )


def _apply(rows: list[_Row], open_placements: dict[int, Placement], accounts: list[_Row], *, actor, filename, today):
    from satgas.accounts.models import User

    user_id = getattr(_actor_user(actor), "pk", None)
    note = f"Impor: {filename}"
    reason = note[: Placement._meta.get_field("reason").max_length]
    now = timezone.now()
    created = [r for r in rows if r.person is not None and r.person.pk is None]
    updated = [r for r in rows if r.person is not None and r.person.pk is not None and (r.changes or r.old_unit)]
    moved = [r for r in updated if r.old_unit]

    placement_ids = [open_placements[r.person.pk].pk for r in moved if r.person.pk in open_placements]
    for chunk in _chunks(placement_ids):
        Placement.objects.filter(pk__in=chunk).update(ended_on=today)

    # A regional admin's import sets addresses directly (only regional admins import); the previous address is
    # told and the login follows (services.emails_took_effect, after the rows are written).
    email_changes = [(row.person, row.person.email) for row in updated if "email" in row.changes]
    for row in updated:
        for name in row.changes:
            setattr(row.person, name, row.after[name])
        row.person.unit = row.unit
        row.person.updated_at = now
    _write_updates(updated, now)
    _insert_people([r.person for r in created], now=now)
    _insert_placements(
        [(r.person.pk, r.unit.pk) for r in [*created, *moved]], started_on=today, reason=reason, user_id=user_id
    )
    audit_record_many(
        actor=actor,
        action="person.created",
        items=[(r.person, _created_changes(r.person, r.unit)) for r in created],
        note=note,
    )
    audit_record_many(
        actor=actor,
        action="person.updated",
        items=[(r.person, r.changes) for r in updated if r.changes],
        note=note,
    )
    audit_record_many(
        actor=actor,
        action="person.moved",
        items=[
            (r.person, {"unit": [str(r.old_unit), str(r.unit)], "moved_on": [None, today.isoformat()]}) for r in moved
        ],
        note=note,
    )
    users = []
    for row in accounts:
        # Same as set_unusable_password(), without 20,000 calls to get_random_string.
        password = UNUSABLE_PASSWORD_PREFIX + secrets.token_hex(20)
        users.append(
            User(email=row.account_email, full_name=row.person.full_name, person_id=row.person.pk, password=password)
        )
    User.objects.bulk_create(users, batch_size=BATCH_SIZE)
    if email_changes:
        from .services import emails_took_effect

        emails_took_effect(actor=actor, changes=email_changes)


# --- Entry point ---------------------------------------------------------------


def import_personnel_file(
    *,
    content: bytes,
    filename: str,
    actor,
    dry_run: bool,
    strict: bool,
    create_accounts: bool = False,
    progress: Callable[[int, int], None] | None = None,
    before_commit: Callable[[], None] | None = None,
) -> ImportResult:
    """Check a personnel spreadsheet and, unless ``dry_run``, apply it (see the module docstring).
    ``before_commit`` runs last inside the import's transaction (it may raise to roll everything back)."""
    table = read_table(content, filename)
    header_at, positions, warnings = parse_header(table)
    records = []
    for offset, raw in enumerate(table[header_at + 1 :]):
        values = {name: (raw[i] if i < len(raw) else None) for name, i in positions.items()}
        if any(_text(v) for v in values.values()):  # fully blank rows are skipped
            records.append((header_at + 2 + offset, values))
    total = len(records)
    if not total:
        raise ImportFileError(_("The file has no employee rows below the header row. Fill in at least one row."))

    today = timezone.localdate()
    units = list(Unit.objects.all())
    checker = _RowChecker({unit.code.upper(): unit for unit in units}, today=today)
    rows = []
    for done, (number, values) in enumerate(records, start=1):
        rows.append(checker.check(number, values))
        if progress and done % PROGRESS_EVERY == 0 and done < total:
            progress(done, total)

    result = ImportResult(total=total, warnings=warnings)
    with nullcontext() if dry_run else transaction.atomic():
        open_placements = _plan(rows, units_by_id={u.pk: u for u in units}, lock=not dry_run, today=today)
        for row in rows:
            if row.issues:
                result.invalid += 1
            elif row.person.pk is None:
                result.created += 1
            elif row.changes or row.old_unit:
                result.updated += 1
            else:
                result.unchanged += 1
        accounts = _plan_accounts(rows, result.warnings) if create_accounts else []
        result.accounts_created = len(accounts)
        if not dry_run and not (strict and result.invalid):
            _apply(rows, open_placements, accounts, actor=actor, filename=filename, today=today)
            aggregates.changed(aggregates.REGISTRY)  # COPY and bulk writes send no model signals
            result.applied = True
        if before_commit is not None and not dry_run:
            before_commit()
    result.issues = sorted((issue for row in rows for issue in row.issues), key=lambda issue: issue.row)
    if progress:
        progress(total, total)
    return result
