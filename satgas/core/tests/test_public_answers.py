"""Public pages reveal nothing about who is employed (issue 13.4): every anonymous form that takes a NIP/NIK or an
email answers a real and an unknown one the same way (status, page, messages, queries), and the report form counts
every attempt per client."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from satgas.personnel.tests.factories import PersonFactory, make_nip
from satgas.violations.models import Case

UNKNOWN_NIP = make_nip(birth=dt.date(1979, 3, 4), serial=777)


def normalised(response, typed: str = "") -> str:
    """The page without what differs on every render (tokens, case numbers, receipt codes) nor the typed number."""
    html = response.content.decode()
    if typed:
        html = html.replace(typed, "TYPED")
    html = re.sub(r'name="(csrfmiddlewaretoken|idempotency_token)" value="[^"]*"', r'name="\1"', html)
    html = re.sub(r'"X-CSRFToken": "[^"]*"', '"X-CSRFToken"', html)
    html = re.sub(r"data-receipt-code>[^<]*<", "data-receipt-code><", html)
    html = re.sub(r"NET/JTG/\d{4}/\d{4}", "NUMBER", html)
    return html


def _answers(client, url, data_known, data_unknown, *, typed=("", "")):
    """Both answers normalised (``typed``: the number each typed), and the queries each took."""
    answers = []
    for data, number in zip((data_known, data_unknown), typed, strict=True):
        with CaptureQueriesContext(connection) as queries:
            response = client.post(url, data)
        answers.append((response.status_code, normalised(response, number), len(queries)))
    return answers


@pytest.fixture
def employee(unit_a):
    return PersonFactory(unit=unit_a, nip=make_nip(birth=dt.date(1986, 9, 26), serial=42), full_name="Agus Prasetyo")


def _report(**overrides):
    data = {
        "incident_date": (timezone.localdate() - dt.timedelta(days=2)).isoformat(),
        "channel": "EVENT",
        "description": "Hadir di deklarasi calon.",
    }
    return {**data, **overrides}


@pytest.mark.parametrize(
    "extra",
    [
        {},  # no unit chosen: the answer must not depend on whether the number is an employee's
        {"reported_description": ""},
        {"description": ""},
    ],
    ids=["no-unit", "no-description", "no-text"],
)
def test_the_report_form_answers_a_real_and_an_unknown_nip_alike(client, employee, extra):
    url = reverse("violations_public:report")
    known, unknown = _answers(
        client,
        url,
        _report(reported_identity=employee.nip, **extra),
        _report(reported_identity=UNKNOWN_NIP, **extra),
        typed=(employee.nip, UNKNOWN_NIP),
    )
    assert known[0] == 200
    assert known == unknown  # status, page and number of queries
    assert not Case.objects.exists()
    assert "Agus" not in known[1]


def test_a_report_on_a_real_or_an_unknown_nip_gets_the_same_receipt_page(client, employee, unit_b):
    url = reverse("violations_public:report")
    client.post(url, _report(reported_description="Pemanasan", unit=unit_b.pk))  # first-time work (counters, caches)
    known, unknown = _answers(
        client,
        url,
        _report(reported_identity=employee.nip, unit=unit_b.pk),
        _report(reported_identity=UNKNOWN_NIP, unit=unit_b.pk),
    )
    # (one query apart: validating the link to the person found, a primary-key read)
    assert known[:2] == unknown[:2] and known[0] == 200 and "data-receipt-code" in known[1]
    # The handlers still get what was typed: the person linked, or the number in the description.
    _warm_up, linked, described = Case.objects.order_by("pk")
    assert linked.reported_person == employee and linked.unit == employee.unit
    assert described.reported_person is None and UNKNOWN_NIP in described.reported_description


def test_signed_in_staff_learn_nothing_about_people_they_may_not_see(client, staff_a, unit_b):
    hidden = PersonFactory(unit=unit_b, nip=make_nip(birth=dt.date(1988, 1, 2), serial=5))
    client.force_login(staff_a)
    url = reverse("violations:report_create")
    known, unknown = _answers(
        client,
        url,
        _report(reported_identity=hidden.nip),
        _report(reported_identity=UNKNOWN_NIP),
        typed=(hidden.nip, UNKNOWN_NIP),
    )
    assert known[:2] == unknown[:2]
    assert not Case.objects.exists()


def test_a_task_force_member_gets_the_unit_of_a_person_of_their_unit(client, taskforce_a, unit_a):
    colleague = PersonFactory(unit=unit_a)
    client.force_login(taskforce_a)
    response = client.post(
        reverse("violations:report_create"), _report(intake="ONLINE", reported_identity=colleague.nip)
    )
    assert "data-receipt-code" in response.content.decode()
    assert Case.objects.get().unit == unit_a


def test_every_sent_report_form_counts_and_the_limit_is_explained(client, settings, employee):
    settings.SATGAS_VIOLATION_PUBLIC_ATTEMPTS = 3
    url = reverse("violations_public:report")
    for number in (employee.nip, UNKNOWN_NIP, "1234"):
        assert client.post(url, _report(reported_identity=number), REMOTE_ADDR="10.1.1.1").status_code == 200
    blocked = client.post(url, _report(reported_identity=employee.nip, unit=employee.unit_id), REMOTE_ADDR="10.1.1.1")
    assert blocked.status_code == 429
    assert "Terlalu banyak percobaan" in blocked.content.decode()
    assert not Case.objects.exists()
    other = client.post(url, _report(reported_identity=UNKNOWN_NIP, unit=employee.unit_id), REMOTE_ADDR="10.1.1.2")
    assert other.status_code == 200 and Case.objects.count() == 1


def test_check_in_answers_an_employee_of_another_unit_like_an_unknown_number(client, unit_a, unit_b, time_machine):
    from satgas.socialization.tests.factories import SESSION_START, SessionFactory

    session = SessionFactory(units=[unit_a], starts_at=SESSION_START, ends_at=SESSION_START + dt.timedelta(hours=2))
    birth = dt.date(1986, 9, 26)
    elsewhere = PersonFactory(unit=unit_b, nip=make_nip(birth=birth, serial=44))
    time_machine.move_to(SESSION_START, tick=False)
    url = reverse("socialization:checkin", args=[session.checkin_code])
    unknown_nip = make_nip(birth=birth, serial=999)
    # The browser scanned the code on the room's screen: its form carries the pass.
    from satgas.socialization import presence

    shown = client.get(url, {"k": presence.room_code(session, timezone.now())}).content.decode()
    presence_pass = re.search(r'name="presence" value="([^"]+)"', shown).group(1)
    known, unknown = _answers(
        client,
        url,
        {"number": elsewhere.nip, "birth_date": birth.isoformat(), "presence": presence_pass},
        {"number": unknown_nip, "birth_date": birth.isoformat(), "presence": presence_pass},
        typed=(elsewhere.nip, unknown_nip),
    )
    assert known[0] == 200
    assert known == unknown


@pytest.mark.parametrize(
    "url_name, field", [("account_request_login_code", "email"), ("account_reset_password", "email")]
)
def test_login_by_code_and_password_reset_answer_a_known_and_an_unknown_email_alike(client, staff_a, url_name, field):
    url = reverse(url_name)
    known = client.post(url, {field: staff_a.email})
    client.logout()
    unknown = client.post(url, {field: "tidak.ada@uji.test"})
    assert known.status_code == unknown.status_code
    assert known.get("Location") == unknown.get("Location")
    assert len(mail.outbox) == 2  # a mail either way: the code, or "no account uses this address"


def test_login_answers_a_wrong_password_and_an_unknown_email_alike(client, staff_a):
    url = reverse("account_login")
    known = client.post(url, {"login": staff_a.email, "password": "salah-sandi-123"})
    unknown = client.post(url, {"login": "tidak.ada@uji.test", "password": "salah-sandi-123"})
    assert known.status_code == unknown.status_code == 200
    assert normalised(known, staff_a.email) == normalised(unknown, "tidak.ada@uji.test")
