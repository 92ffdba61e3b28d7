import pytest

from satgas.elections.demo import seed_elections
from satgas.personnel.demo import seed_personnel, seed_units
from satgas.personnel.models import Person
from satgas.socialization.demo import seed_socialization
from satgas.socialization.models import Attendance, SocializationSession
from satgas.socialization.selectors import attendance_coverage_by_unit


@pytest.mark.django_db
def test_seed_socialization_is_idempotent_and_partial():
    assert seed_socialization() == 0  # no demo units yet: nothing to do
    units = seed_units()
    seed_personnel(units)
    seed_elections()
    assert seed_socialization() == 3
    counts = (SocializationSession.objects.count(), Attendance.objects.count())
    assert seed_socialization() == 0
    assert counts == (SocializationSession.objects.count(), Attendance.objects.count()) == (3, counts[1])

    assert set(SocializationSession.objects.values_list("election__name", flat=True)) == {"Pemilu 2024"}
    codes = {"LAPAS-SMG", "RUTAN-PBG", "KANIM-CLP"}
    assert {u.code for s in SocializationSession.objects.all() for u in s.units.all()} == codes
    ids = [units[c].pk for c in codes]
    coverage = attendance_coverage_by_unit(unit_ids=ids)
    for code in codes:
        staff = Person.objects.filter(unit=units[code], status="ACTIVE").count()
        assert 0 < coverage[units[code].pk] < staff, code
    assert all(s.ends_at < s.starts_at.replace(year=2025) for s in SocializationSession.objects.all())
