import datetime as dt
import threading

import pytest
from django.db import connection, transaction

from satgas.violations.models import Case, CaseCounter
from satgas.violations.tests.factories import report

JAN_2024 = dt.datetime(2024, 1, 5, 9, 0, tzinfo=dt.UTC)
DAY = dt.date(2024, 1, 1)


def test_numbers_follow_the_pattern_per_year(unit_a, settings):
    first, _ = report(unit=unit_a, now=JAN_2024, incident_date=DAY)
    second, _ = report(unit=unit_a, now=JAN_2024, incident_date=DAY)
    assert (first.number, second.number) == ("NET/JTG/2024/0001", "NET/JTG/2024/0002")
    settings.SATGAS_VIOLATION_NUMBER_PATTERN = "W.10/PGD/{seq:03d}/{year}"
    next_year, _ = report(unit=unit_a, now=dt.datetime(2025, 1, 2, 9, 0, tzinfo=dt.UTC), incident_date=DAY)
    assert next_year.number == "W.10/PGD/001/2025"


def test_a_rolled_back_report_leaves_no_gap(unit_a):
    report(unit=unit_a, now=JAN_2024, incident_date=DAY)
    with pytest.raises(RuntimeError), transaction.atomic():
        report(unit=unit_a, now=JAN_2024, incident_date=DAY)
        raise RuntimeError("the request failed after the number was claimed")
    third, _ = report(unit=unit_a, now=JAN_2024, incident_date=DAY)
    assert third.seq == 2
    assert CaseCounter.objects.get(year=2024).last == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_reports_get_distinct_gap_free_numbers(unit_a):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locking and concurrent connections")
    barrier = threading.Barrier(8)
    errors = []

    def attempt():
        from django.db import connections

        try:
            barrier.wait()
            report(unit=unit_a, now=JAN_2024, incident_date=DAY)
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(Case.objects.filter(year=2024).values_list("seq", flat=True)) == list(range(1, 9))
