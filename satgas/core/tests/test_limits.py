"""The limits every input shares (satgas/core/limits.py, satgas/core/lookups.py): extreme dates, integers
beyond the database's range and control characters in query strings are answered, never a crash. The crawl
(test_crawl.py) finds such crashes everywhere; these pin down each rule and the cases the issue named."""

import datetime as dt

import pytest
from django import forms
from django.urls import reverse

from satgas.accounts.models import RoleAssignment, User
from satgas.core.forms import StyledFormMixin
from satgas.core.limits import EARLIEST, LATEST, parse_date_param, text_param
from satgas.oaths.tests.factories import open_campaign
from satgas.personnel.models import Person
from satgas.personnel.tests.factories import PersonFactory

HUGE = 10**20


class DatesForm(StyledFormMixin, forms.Form):
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    moment = forms.DateTimeField(required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))


@pytest.mark.parametrize(
    ("day", "moment", "valid"),
    [
        ("2024-02-14", "2024-02-14T09:00", True),
        (EARLIEST.isoformat(), f"{LATEST.isoformat()}T23:59", True),
        ("9999-12-31", "", False),
        ("1999-12-31", "", False),
        ("2024-02-14", "0001-01-01T00:00", False),
        ("2024-02-14", "9999-12-31T23:59", False),
    ],
)
def test_every_styled_form_limits_its_dates(day, moment, valid):
    form = DatesForm({"day": day, "moment": moment})
    assert form.is_valid() is valid, form.errors
    if not valid:
        assert "Isikan tanggal pada atau " in str(form.errors)


def test_date_inputs_say_their_range_to_the_browser():
    html = str(DatesForm())
    assert 'min="2000-01-01"' in html and 'max="2100-12-31"' in html
    assert 'min="2000-01-01T00:00"' in html and 'max="2100-12-31T23:59"' in html


def test_limits_are_added_once():
    form = DatesForm()
    from satgas.core.forms import style_form

    style_form(form)
    form.apply_input_rules()
    from satgas.core.limits import DateRangeValidator

    assert sum(isinstance(v, DateRangeValidator) for v in form.fields["day"].validators) == 1


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-02-14", dt.date(2024, 2, 14)),
        (" 2024-02-14 ", dt.date(2024, 2, 14)),
        ("", None),
        (None, None),
        ("abc", None),
        ("2024-02-30", None),
        ("9999-12-31", None),
        ("0001-01-01", None),
    ],
)
def test_query_string_dates(value, expected):
    assert parse_date_param(value) == expected


def test_query_string_texts_lose_control_characters_and_length():
    assert text_param({"q": " Bu\x00di\tSantoso \n"}, "q") == "Budi Santoso"
    assert text_param({}, "q") == ""
    assert len(text_param({"q": "x" * 500}, "q")) == 100


@pytest.mark.django_db
def test_integers_beyond_the_database_match_no_row(admin_user):
    """``pk__in`` (a multiple choice) and foreign keys, where SQLite raised OverflowError."""
    assert list(User.objects.filter(pk__in=[HUGE])) == []
    assert list(User.objects.filter(pk__in=[HUGE, admin_user.pk])) == [admin_user]
    assert list(User.objects.filter(pk__in=[-HUGE])) == []
    assert list(RoleAssignment.objects.filter(user_id=HUGE)) == []
    assert list(RoleAssignment.objects.filter(user__in=[HUGE])) == []
    assert list(RoleAssignment.objects.filter(user_id__in=[HUGE, admin_user.pk])) == list(
        RoleAssignment.objects.filter(user=admin_user)
    )
    assert list(Person.objects.filter(unit_id=HUGE)) == []


# --- The cases the issue named ------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["", "?page=2", "?unit=6", "?q=x", "?q=Budi&unit=&employment_type=&page=2"])
def test_non_signers_and_their_spreadsheet_answer_any_query(client, admin_user, unit_a, query):
    PersonFactory(unit=unit_a, full_name="Budi Santoso")
    campaign = open_campaign(units=[unit_a], actor=admin_user)
    client.force_login(admin_user)
    page = client.get(reverse("oaths:campaign_non_signers", args=[campaign.pk]) + query)
    assert page.status_code == 200
    assert "Budi Santoso" in page.content.decode() or "q=x" in query or "unit=6" in query
    sheet = client.get(reverse("oaths:campaign_non_signers_xlsx", args=[campaign.pk]) + query)
    assert sheet.status_code == 200
    assert sheet["Content-Type"].startswith("application/vnd.openxmlformats")


@pytest.mark.django_db
def test_non_signers_filter_has_no_status_field(client, admin_user, unit_a):
    """Non-signers are active staff: the list offers no status filter, and ignores one in the query."""
    campaign = open_campaign(units=[unit_a], actor=admin_user)
    client.force_login(admin_user)
    html = client.get(reverse("oaths:campaign_non_signers", args=[campaign.pk]) + "?status=INACTIVE").content
    assert b'name="status"' not in html


@pytest.mark.django_db
@pytest.mark.parametrize("period", ["9999-12-31", "0001-01-01"])
def test_a_monitoring_report_for_a_far_period_is_refused_with_a_message(client, taskforce_a, unit_a, period):
    client.force_login(taskforce_a)
    response = client.post(reverse("monitoring:report_start"), {"unit": unit_a.pk, "period": period})
    assert response.status_code == 400
    assert "Isikan tanggal pada atau " in response.content.decode()


@pytest.mark.django_db
def test_a_role_of_an_id_beyond_the_database_is_not_found(client, admin_user):
    client.force_login(admin_user)
    assignment = RoleAssignment.objects.get(user=admin_user)
    response = client.post(f"/pengguna/{HUGE}/peran/{assignment.pk}/hapus/")
    assert response.status_code == 404
