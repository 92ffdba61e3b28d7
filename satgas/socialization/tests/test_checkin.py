"""The public self check-in page, with time frozen around a session of 09:00–11:00 WIB."""

import datetime as dt

import pytest
from django.core.cache import caches
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from satgas.core.models import AuditEvent
from satgas.personnel.tests.factories import PersonFactory, make_nip
from satgas.socialization import presence, ratelimit
from satgas.socialization.models import Attendance, AttendanceMethod

from .factories import SESSION_START, SessionFactory

BIRTH = dt.date(1986, 9, 26)


@pytest.fixture
def session(unit_a):
    return SessionFactory(units=[unit_a], starts_at=SESSION_START, ends_at=SESSION_START + dt.timedelta(hours=2))


@pytest.fixture
def person(unit_a):
    return PersonFactory(unit=unit_a, nip=make_nip(birth=BIRTH, serial=42), full_name="Agus Prasetyo")


@pytest.fixture
def at(time_machine):
    def move(moment):
        time_machine.move_to(moment, tick=False)

    return move


def _scan(client, session, ip="10.0.0.1"):
    """What scanning the code on the room's screen does: open the check-in link with the current room code."""
    url = reverse("socialization:checkin", args=[session.checkin_code])
    return client.get(f"{url}?k={presence.room_code(session, timezone.now())}", REMOTE_ADDR=ip)


def _post(client, session, number, birth, ip="10.0.0.1"):
    """Scan, then send the form (with the pass the scan gave), as an attendee in the room does."""
    page = _scan(client, session, ip)
    form_pass = page.context["form"]["presence"].value() if page.context and "form" in page.context else ""
    return client.post(
        reverse("socialization:checkin", args=[session.checkin_code]),
        {
            "number": number,
            "birth_date": birth.isoformat() if hasattr(birth, "isoformat") else birth,
            "presence": form_pass,
        },
        REMOTE_ADDR=ip,
    )


def _errors(response) -> list[str]:
    return response.context["form"].non_field_errors()


def test_right_identity_checks_in_once(client, session, person, at):
    at(SESSION_START + dt.timedelta(minutes=5))
    typed = f"{person.nip[:8]} {person.nip[8:14]} {person.nip[14]} {person.nip[15:]}"  # as printed on ID cards
    response = _post(client, session, typed, BIRTH)
    assert response.status_code == 200
    html = response.content.decode()
    # The attendee sees a short form of their name; onlookers do not learn the full name.
    assert response.context["created"] is True and "Agus P." in html and "Prasetyo" not in html
    attendance = Attendance.objects.get(session=session, person=person)
    assert attendance.method == AttendanceMethod.SELF_CHECKIN and attendance.recorded_by is None
    assert attendance.recorded_at == SESSION_START + dt.timedelta(minutes=5)
    assert AuditEvent.objects.get(action="attendance.added").actor is None
    again = _post(client, session, person.nip, BIRTH)
    assert again.status_code == 200 and again.context["created"] is False
    assert Attendance.objects.filter(session=session).count() == 1


def test_ppnpn_checks_in_with_nik(client, session, unit_a, at):
    ppnpn = PersonFactory(unit=unit_a, ppnpn=True)
    at(SESSION_START)
    assert _post(client, session, ppnpn.nik, ppnpn.birth_date).context["created"] is True


def test_wrong_birth_date_and_unknown_number_get_the_same_answer(client, session, person, unit_a, at):
    retired = PersonFactory(unit=unit_a, status="RETIRED", nip=make_nip(birth=BIRTH, serial=43))
    at(SESSION_START)
    wrong_birth = _post(client, session, person.nip, dt.date(1986, 9, 27))
    unknown = _post(client, session, make_nip(birth=BIRTH, serial=999), BIRTH)
    inactive = _post(client, session, retired.nip, BIRTH)
    assert wrong_birth.status_code == unknown.status_code == inactive.status_code == 200
    assert _errors(wrong_birth) == _errors(unknown) == _errors(inactive)
    assert len(_errors(unknown)) == 1
    assert 'role="alert"' in unknown.content.decode()
    assert not Attendance.objects.exists()


def test_person_of_another_unit_is_told_and_not_recorded(client, session, unit_b, at):
    other = PersonFactory(unit=unit_b, nip=make_nip(birth=BIRTH, serial=44))
    at(SESSION_START)
    response = _post(client, session, other.nip, BIRTH)
    assert response.status_code == 200 and _errors(response)
    assert not Attendance.objects.exists()


@pytest.mark.parametrize(
    "moment, accepted",
    [
        (SESSION_START - dt.timedelta(minutes=31), False),
        (SESSION_START - dt.timedelta(minutes=30), True),
        (SESSION_START + dt.timedelta(hours=3), True),  # end + 60 minutes
        (SESSION_START + dt.timedelta(hours=3, minutes=1), False),
        (SESSION_START + dt.timedelta(days=1), False),
    ],
)
def test_checkin_only_inside_the_window(client, session, person, at, moment, accepted):
    at(moment)
    page = _scan(client, session)
    response = _post(client, session, person.nip, BIRTH)
    assert Attendance.objects.exists() == accepted
    if accepted:
        assert page.status_code == 200 and response.status_code == 200
    else:
        expected = "NOT_YET" if moment < SESSION_START else "OVER"
        assert page.status_code == response.status_code == 403
        assert response.context["refused"] == expected
        assert "form" not in response.context


def test_closed_checkin_refuses_even_the_right_identity(client, session, person, at):
    session.checkin_open = False
    session.save()
    at(SESSION_START)
    response = _post(client, session, person.nip, BIRTH)
    assert response.status_code == 403 and response.context["refused"] == "CLOSED"
    assert "ditutup" in response.content.decode() or "closed" in response.content.decode()
    assert not Attendance.objects.exists()


def test_failed_attempts_are_rate_limited_per_ip(client, session, person, at):
    at(SESSION_START)
    for _ in range(ratelimit.FAILURES_ALLOWED):
        assert _post(client, session, person.nip, dt.date(1990, 1, 1)).status_code == 200
    blocked = _post(client, session, person.nip, BIRTH)
    assert blocked.status_code == 429 and blocked.context["refused"] == "rate_limited"
    page = client.get(reverse("socialization:checkin", args=[session.checkin_code]), REMOTE_ADDR="10.0.0.1")
    assert page.status_code == 429
    assert not Attendance.objects.exists()
    # Another address is not affected; the first one may try again once the window has passed.
    other = PersonFactory(unit=session.units.get(), nip=make_nip(birth=BIRTH, serial=45))
    assert _post(Client(), session, other.nip, BIRTH, ip="10.0.0.2").context["created"] is True
    # Expiry follows the cache's own clock: only the in-process cache sees time_machine's travel.
    if type(caches["default"]).__name__ == "LocMemCache":
        at(SESSION_START + dt.timedelta(minutes=11))
        assert _post(client, session, person.nip, BIRTH).context["created"] is True


def test_successful_checkins_do_not_count_towards_the_limit(client, session, unit_a, at):
    at(SESSION_START)
    people = [PersonFactory(unit=unit_a) for _ in range(ratelimit.FAILURES_ALLOWED + 2)]
    for p in people:  # each on their own phone
        assert _post(Client(), session, p.nip, p.birth_date).context["created"] is True
    assert Attendance.objects.count() == len(people)


def test_numbers_of_other_units_count_towards_the_limit(client, session, unit_b, at):
    outsider = PersonFactory(unit=unit_b, nip=make_nip(birth=BIRTH, serial=77))
    at(SESSION_START)
    for _ in range(ratelimit.FAILURES_ALLOWED):
        assert _post(client, session, outsider.nip, BIRTH).status_code == 200
    assert _post(client, session, outsider.nip, BIRTH).status_code == 429
