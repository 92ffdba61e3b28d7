import datetime as dt
import itertools

import pytest
import time_machine
from django.utils import timezone

from satgas.elections.demo import ELECTIONS, seed_elections
from satgas.monitoring import rules, selectors
from satgas.monitoring.models import ReportStatus, RiskLevel

S = ReportStatus
ALLOWED = {(S.DRAFT, S.SUBMITTED), (S.SUBMITTED, S.ACCEPTED), (S.SUBMITTED, S.RETURNED), (S.RETURNED, S.SUBMITTED)}


@pytest.mark.parametrize("source,target", list(itertools.product(S.values, S.values)))
def test_every_transition_is_declared(source, target):
    assert rules.is_allowed(source, target) == ((source, target) in ALLOWED)


def test_only_draft_and_returned_are_editable():
    assert {s for s in S.values if rules.is_editable(s)} == {S.DRAFT, S.RETURNED}


@pytest.mark.parametrize(
    "likelihood,impact,level",
    [
        (1, 1, RiskLevel.LOW),
        (2, 3, RiskLevel.LOW),
        (2, 4, RiskLevel.MEDIUM),
        (3, 4, RiskLevel.MEDIUM),
        (3, 5, RiskLevel.HIGH),
        (5, 5, RiskLevel.HIGH),
    ],
)
def test_risk_level(likelihood, impact, level):
    assert rules.risk_level(likelihood=likelihood, impact=impact) == level


def test_monthly_periods_and_due_date(settings):
    settings.SATGAS_MONITORING_PERIOD_MONTHS = 1
    settings.SATGAS_MONITORING_DUE_DAYS = 10
    assert rules.period_containing(dt.date(2024, 2, 14)) == (dt.date(2024, 2, 1), dt.date(2024, 2, 29))
    assert rules.period_after(dt.date(2024, 12, 1)) == (dt.date(2025, 1, 1), dt.date(2025, 1, 31))
    assert rules.period_before(dt.date(2024, 1, 1)) == (dt.date(2023, 12, 1), dt.date(2023, 12, 31))
    assert rules.due_date(dt.date(2024, 2, 29)) == dt.date(2024, 3, 10)


def test_period_length_is_a_setting(settings):
    settings.SATGAS_MONITORING_PERIOD_MONTHS = 3
    assert rules.period_containing(dt.date(2024, 5, 20)) == (dt.date(2024, 4, 1), dt.date(2024, 6, 30))


def test_reminder_windows(settings):
    settings.SATGAS_MONITORING_REMIND_BEFORE_DAYS = 3
    due = dt.date(2024, 3, 10)
    assert rules.reminder_kind(due_on=due, today=dt.date(2024, 3, 6)) is None
    assert rules.reminder_kind(due_on=due, today=dt.date(2024, 3, 7)) == "before"
    assert rules.reminder_kind(due_on=due, today=due) == "before"
    assert rules.reminder_kind(due_on=due, today=dt.date(2024, 3, 11)) == "overdue"


STAGES = [(spec["name"], name, a, b) for spec in ELECTIONS for name, a, b in spec["stages"]]


def _jakarta(day: dt.date, hour: int, minute: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


@pytest.mark.django_db
@pytest.mark.parametrize("election,name,first,last", STAGES, ids=[f"{e}:{n}" for e, n, _a, _b in STAGES])
def test_stage_lookup_at_the_boundaries_in_jakarta(settings, election, name, first, last):
    assert settings.TIME_ZONE == "Asia/Jakarta"
    seed_elections()
    label = f"{election}: {name}"
    first, last = dt.date.fromisoformat(first), dt.date.fromisoformat(last)
    finder = selectors.stage_finder()
    # 00:05 WIB on the first day is still the previous day in UTC: the stage must already run.
    with time_machine.travel(_jakarta(first, 0, 5), tick=False):
        today = timezone.localdate()
        assert today == first
        assert label in selectors.stage_labels_on(today)
        assert any(s.name == name for s in selectors.current_and_next_stage()["current_stages"])
    assert label not in selectors.stage_labels_on(first - dt.timedelta(days=1))
    with time_machine.travel(_jakarta(last, 23, 55), tick=False):
        assert label in selectors.stage_labels_on(timezone.localdate())
        assert label in finder(timezone.localdate())
    with time_machine.travel(_jakarta(last + dt.timedelta(days=1), 0, 5), tick=False):
        assert label not in selectors.stage_labels_on(timezone.localdate())
        assert label not in finder(timezone.localdate())


@pytest.mark.django_db
def test_next_stage():
    seed_elections()
    with time_machine.travel(_jakarta(dt.date(2024, 2, 12), 9, 0), tick=False):
        panel = selectors.current_and_next_stage()
    assert [s.name for s in panel["current_stages"]] == ["Masa tenang"]
    assert panel["next_stage"].name in ("Pemungutan suara", "Penghitungan suara")
    assert panel["next_stage"].starts_on == dt.date(2024, 2, 14)
