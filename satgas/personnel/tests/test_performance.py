"""Database-side speed-ups of the registry (issue 9): PostgreSQL settings, the name-search index and the
import's COPY writes. The results must be the same rows on every database."""

import datetime as dt
import zoneinfo

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from satgas.core.models import AuditEvent
from satgas.personnel import identity
from satgas.personnel.importing import IMPORTED_FIELDS
from satgas.personnel.models import Person, PersonStatus, Placement
from satgas.personnel.selectors import person_search
from satgas.personnel.services import person_create

from .factories import PersonFactory, make_nik, make_nip
from .test_importing import make_csv, row, run, three_kinds

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL behaviour")

TODAY = dt.date(2025, 3, 10)


@pytest.fixture(autouse=True)
def _english_and_frozen_time(time_machine):
    time_machine.move_to(dt.datetime(2025, 3, 10, 9, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Jakarta")), tick=False)
    with translation.override("en"):
        yield


# --- PostgreSQL settings and index ----------------------------------------------


@pytest.mark.postgres
@postgres_only
@pytest.mark.django_db
def test_jit_is_off_on_the_application_connection():
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"


@pytest.mark.postgres
@postgres_only
@pytest.mark.django_db
def test_name_search_can_use_the_trigram_index(unit_a):
    """The index expression matches the SQL Django writes for ``icontains`` (checked on 200,000 people with
    EXPLAIN ANALYZE: a bitmap scan of this index, docs/benchmarks.md); a test table is too small for the
    planner to prefer it, so the other paths are switched off for this transaction."""
    PersonFactory.create_batch(5, unit=unit_a)
    PersonFactory(unit=unit_a, full_name="Budi Xylofanwira")  # a surname Faker never draws
    queryset = person_search(Person.objects.all(), "xylofanwira").order_by().values("pk")  # as the paginator counts
    sql, params = queryset.query.sql_with_params()
    assert 'UPPER("personnel_person"."full_name"::text) LIKE UPPER(' in sql  # the indexed expression
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'personnel_person_name_trgm'")
        assert "gin (upper((full_name)::text) gin_trgm_ops)" in cursor.fetchone()[0]
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute('DROP INDEX "personnel_p_full_na_9246a1_idx"')  # rolled back with the test's transaction
        cursor.execute(f"EXPLAIN SELECT COUNT(*) FROM ({sql}) counted", params)  # noqa: S608 - Django's own SQL
        plan = "\n".join(line for (line,) in cursor.fetchall())
    assert "Bitmap Index Scan on personnel_person_name_trgm" in plan, plan
    assert queryset.count() == 1


@pytest.mark.django_db
def test_name_search_still_matches_every_word_anywhere_in_the_name(unit_a):
    budi = PersonFactory(unit=unit_a, full_name="Dr. Budi Santoso, S.H.")
    PersonFactory(unit=unit_a, full_name="Budi Hartono")
    assert list(person_search(Person.objects.all(), "santoso budi")) == [budi]
    assert list(person_search(Person.objects.all(), "ANTOS")) == [budi]


# --- Identity checks: one date per import ---------------------------------------------


def test_identity_checks_use_the_given_today_instead_of_the_clock():
    nip = make_nip(birth=dt.date(2009, 6, 1), appointed=(2025, 1), sex=1, serial=1)
    with pytest.raises(ValidationError, match="not plausible"):
        identity.validate_nip(nip)  # 15 years old on the (frozen) 2025-03-10
    # With a later "today" the same number is plausible: the argument, not the clock, decides.
    info = identity.validate_for_type("PNS", nip, today=dt.date(2026, 7, 1))
    assert info.birth_date == dt.date(2009, 6, 1)
    nik = make_nik(birth=dt.date(1992, 4, 5), serial=1)
    assert identity.validate_nik(nik, today=TODAY).birth_date == dt.date(1992, 4, 5)


def test_impossible_birth_date_message_is_still_translated_text():
    with pytest.raises(ValidationError, match="impossible birth date"):
        identity.validate_nip("198613262015051001")


# --- Import writes (COPY on PostgreSQL, bulk_create on SQLite): same rows -----------------


@pytest.mark.django_db
def test_import_creates_people_placements_and_one_audit_event_each(unit_a, unit_b, admin_user):
    result = run(make_csv(three_kinds()), actor=admin_user)
    assert result.counts()["created"] == 3

    people = list(Person.objects.order_by("pk"))
    assert len(people) == 3 and all(p.status == PersonStatus.ACTIVE for p in people)
    assert all(p.created_at and p.updated_at for p in people)
    for person in people:
        placement = Placement.objects.get(person=person)
        assert (placement.unit_id, placement.started_on, placement.ended_on) == (person.unit_id, TODAY, None)
        event = AuditEvent.objects.get(action="person.created", target_id=str(person.pk))
        assert (event.actor, event.target_repr, event.note) == (admin_user, str(person), "Impor: pegawai.csv")
        assert event.target_type.model_class() is Person
        expected = {
            name: [None, getattr(person, name)] for name in IMPORTED_FIELDS if getattr(person, name) is not None
        }
        expected["unit"] = [None, str(person.unit)]
        assert event.changes == expected
        assert event.created_at is not None
    # The id sequence went past the imported people: the next person is created normally.
    later = person_create(
        actor=admin_user,
        unit=unit_a,
        full_name="Sesudah Impor",
        employment_type="PPNPN",
        nik=make_nik(birth=dt.date(1990, 1, 1), serial=99),
    )
    assert later.pk > people[-1].pk


@pytest.mark.django_db
def test_import_keeps_text_that_looks_like_copy_syntax(unit_a):
    awkward = "Staf \\N Umum\\Tata\tUsaha"  # a backslash, the NULL marker of COPY and a tab inside a cell
    run(make_csv([row(jabatan=awkward, pangkat_golongan="\\N", telepon="", email="")]))
    person = Person.objects.get()
    assert person.position == " ".join(awkward.split())  # cells are squashed as before
    assert person.rank_grade == "\\N"
    assert (person.phone, person.email, person.nik) == ("", "", None)


@pytest.mark.django_db
def test_import_query_count_does_not_grow_with_rows(unit_a, unit_b, admin_user):
    def queries(count: int) -> int:
        rows = [
            row(nama=f"Pegawai {n}", nip=make_nip(birth=dt.date(1980, 1, 1), appointed=(2005, 1), sex=1, serial=n))
            for n in range(1, count + 1)
        ]
        with CaptureQueriesContext(connection) as ctx:
            result = run(make_csv(rows), actor=admin_user)
        assert result.created == count, result.issues
        Person.objects.all().delete()
        return len(ctx.captured_queries)

    small = queries(5)
    assert queries(40) == small  # (SQLite splits bulk inserts above ~60 rows by its variable limit)
