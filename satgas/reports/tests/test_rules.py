"""The workflow as declared (every pair of statuses), and the letter number pattern. The services are
driven through every allowed and forbidden move in test_moves.py."""

import itertools

import pytest
from django.core.exceptions import ImproperlyConfigured

from satgas.reports import rules
from satgas.reports.models import ReportStatus as S

ALLOWED = {
    (S.DRAFT, S.DRAFT),  # regenerate / edit the text
    (S.DRAFT, S.APPROVED),
    (S.APPROVED, S.DRAFT),  # regenerate / edit: the approval was for one version
    (S.APPROVED, S.QUEUED),
    (S.QUEUED, S.SENDING),  # claimed by the delivery task
    (S.SENDING, S.DELIVERED),
    (S.SENDING, S.QUEUED),  # SMTP failed: claim released for the retry
    (S.SENDING, S.FAILED),  # retries used up, or interrupted
    (S.FAILED, S.QUEUED),  # an admin resends
    (S.FAILED, S.DELIVERED),  # late confirmation by the task still holding the claim declared interrupted
}


@pytest.mark.parametrize("source,target", list(itertools.product(S.values, S.values)))
def test_every_move(source, target):
    assert rules.is_allowed(source, target) == ((source, target) in ALLOWED)
    if (source, target) in ALLOWED:
        rules.check(source, target)
    else:
        with pytest.raises(rules.TransitionError):
            rules.check(source, target)


def test_what_may_change_in_each_status():
    assert {s for s in S.values if rules.is_editable(s)} == {S.DRAFT, S.APPROVED}
    assert rules.RECIPIENTS_EDITABLE == {S.DRAFT, S.APPROVED, S.FAILED}
    assert {s for s in S.values if rules.can_send_from(s)} == {S.APPROVED, S.FAILED}
    assert rules.SENT_STATUSES.isdisjoint(rules.EDITABLE_STATUSES)


def test_letter_numbers_follow_the_pattern(settings):
    values = {"seq": 7, "year": 2024, "half": 1, "office_code": "KWJATENG", "period_year": 2024}
    assert rules.format_letter_number(**values) == "W.10-7.KP.05.02 TAHUN 2024"
    settings.SATGAS_REPORT_NUMBER_PATTERN = "{office_code}/LAP-SMT{half}/{seq:03d}/{year}"
    assert rules.format_letter_number(**values) == "KWJATENG/LAP-SMT1/007/2024"


@pytest.mark.parametrize("pattern", ["W.10.KP.05.02 TAHUN {year}", "W.10-{seq}.{tahun}", "{seq:d"])
def test_a_bad_pattern_is_a_configuration_error_naming_the_setting(settings, pattern):
    settings.SATGAS_REPORT_NUMBER_PATTERN = pattern
    with pytest.raises(ImproperlyConfigured, match="SATGAS_REPORT_NUMBER_PATTERN"):
        rules.format_letter_number(seq=1, year=2024, half=1, office_code="X", period_year=2024)
