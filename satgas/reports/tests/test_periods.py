import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from satgas.reports.periods import JAKARTA, Semester, recent_semesters

UTC = dt.UTC


def test_parse_and_print():
    assert Semester.parse("2024-1") == Semester(2024, 1)
    assert Semester.parse(" 2024 - 2 ") == Semester(2024, 2)
    assert str(Semester(2024, 2)) == "2024-2"
    assert Semester(2024, 1).title_id == "Semester I Tahun 2024"
    assert Semester(2024, 2).title_id == "Semester II Tahun 2024"


@pytest.mark.parametrize("text", ["2024-3", "2024-0", "2024", "24-1", "2024/1", "", None, "1999-1", "abcd-1"])
def test_bad_periods_are_refused_with_a_clear_message(text):
    with pytest.raises(ValueError) as exc:
        Semester.parse(text)
    assert "YEAR-1" in str(exc.value) or "out of range" in str(exc.value)


def test_boundaries_are_midnight_in_jakarta():
    first, second = Semester(2024, 1), Semester(2024, 2)
    assert first.start == dt.datetime(2024, 1, 1, tzinfo=JAKARTA)
    assert first.end == second.start == dt.datetime(2024, 7, 1, tzinfo=JAKARTA)
    assert second.end == dt.datetime(2025, 1, 1, tzinfo=JAKARTA)
    assert (first.first_day, first.last_day) == (dt.date(2024, 1, 1), dt.date(2024, 6, 30))
    assert (second.first_day, second.last_day) == (dt.date(2024, 7, 1), dt.date(2024, 12, 31))


def test_the_last_second_of_june_wib_is_semester_one_and_midnight_is_semester_two():
    last_second = dt.datetime(2024, 6, 30, 23, 59, 59, tzinfo=JAKARTA)
    midnight = dt.datetime(2024, 7, 1, 0, 0, tzinfo=JAKARTA)
    assert Semester.containing(last_second) == Semester(2024, 1)
    assert Semester.containing(midnight) == Semester(2024, 2)
    # The same instant is still 30 June in UTC:
    assert midnight.astimezone(UTC).date() == dt.date(2024, 6, 30)
    assert Semester.containing(midnight.astimezone(UTC)) == Semester(2024, 2)
    assert midnight in Semester(2024, 2) and midnight not in Semester(2024, 1)
    assert last_second in Semester(2024, 1)
    # New Year in Jakarta, still 31 December in UTC and in New York:
    new_year = dt.datetime(2025, 1, 1, 0, 30, tzinfo=JAKARTA)
    assert Semester.containing(new_year.astimezone(ZoneInfo("America/New_York"))) == Semester(2025, 1)


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError):
        Semester.containing(dt.datetime(2024, 7, 1))


def test_previous_next_and_recent():
    assert Semester(2024, 1).previous() == Semester(2023, 2)
    assert Semester(2024, 2).previous() == Semester(2024, 1)
    assert Semester(2024, 2).next() == Semester(2025, 1)
    assert recent_semesters(today=dt.date(2024, 7, 1), count=3) == [
        Semester(2024, 1),
        Semester(2023, 2),
        Semester(2023, 1),
    ]
    assert Semester.containing(dt.date(2024, 6, 30)) == Semester(2024, 1)
