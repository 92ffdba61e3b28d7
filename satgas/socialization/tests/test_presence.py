"""Self check-in needs presence: a code from the room's screen that changes, one browser per person, shared
devices flagged for the organiser. Time is frozen around a session of 09:00–11:00 WIB."""

import datetime as dt
import re

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from satgas.personnel.tests.factories import PersonFactory
from satgas.socialization import presence
from satgas.socialization.models import Attendance, CheckinAttempt

from .factories import SESSION_START, SessionFactory
from .test_checkin import _post, _scan


@pytest.fixture
def session(unit_a):
    return SessionFactory(units=[unit_a], starts_at=SESSION_START, ends_at=SESSION_START + dt.timedelta(hours=2))


@pytest.fixture
def at(time_machine):
    def move(moment):
        time_machine.move_to(moment, tick=False)

    move(SESSION_START + dt.timedelta(minutes=5))
    return move


def _url(session):
    return reverse("socialization:checkin", args=[session.checkin_code])


def _field_names(response) -> set[str]:
    return set(re.findall(r'name="([a-z_]+)"', response.content.decode())) - {"csrfmiddlewaretoken"}


# --- The fixed link and old codes ---------------------------------------------------------------------


def test_the_fixed_link_alone_only_asks_to_scan_the_code_in_the_room(client, session, unit_a, at):
    """A forwarded or printed link without a fresh code: no form, and typing a NIP there records nobody."""
    person = PersonFactory(unit=unit_a)
    page = client.get(_url(session))
    assert page.status_code == 200 and page.context["scan"] == "missing"
    assert "form" not in page.context and "number" not in _field_names(page)
    assert "Pindai kode" in page.content.decode() or "Scan the code" in page.content.decode()
    typed = client.post(_url(session), {"number": person.nip, "birth_date": person.birth_date.isoformat()})
    assert typed.status_code == 403 and typed.context["scan"] in ("expired", "no_device")
    assert not Attendance.objects.exists()


def test_a_code_is_accepted_for_its_window_and_the_next_only(client, session, unit_a, at, settings):
    settings.SATGAS_CHECKIN_CODE_SECONDS = 30
    shown_at = timezone.now()
    code = presence.room_code(session, shown_at)
    assert presence.room_code_valid(session, code, shown_at + dt.timedelta(seconds=30))
    assert not presence.room_code_valid(session, code, shown_at + dt.timedelta(seconds=60))
    assert not presence.room_code_valid(session, code.replace(".", ".0"), shown_at)
    assert not presence.room_code_valid(SessionFactory(units=[unit_a]), code, shown_at)  # another session's
    assert presence.room_code(session, shown_at + dt.timedelta(seconds=30)) != code  # the screen changes

    # A photo of the screen shared in a chat group, opened a minute later:
    at(shown_at + dt.timedelta(seconds=61))
    late = client.get(f"{_url(session)}?k={code}")
    assert late.status_code == 403 and late.context["scan"] == "expired" and "form" not in late.context


def test_the_form_pass_belongs_to_the_browser_that_scanned(session, unit_a, at):
    """A friend in the room scans and sends the page (with its pass) on: another browser cannot use it."""
    person = PersonFactory(unit=unit_a)
    in_room, elsewhere = Client(), Client()
    form_pass = _scan(in_room, session).context["form"]["presence"].value()
    elsewhere.get(_url(session))  # gets its own device cookie
    data = {"number": person.nip, "birth_date": person.birth_date.isoformat(), "presence": form_pass}
    response = elsewhere.post(_url(session), data)
    assert response.status_code == 403 and "form" not in response.context
    assert not Attendance.objects.exists()
    assert in_room.post(_url(session), data).context["created"] is True


def test_the_form_pass_expires(session, unit_a, at, settings):
    settings.SATGAS_CHECKIN_PASS_SECONDS = 600
    person = PersonFactory(unit=unit_a)
    client = Client()
    form_pass = _scan(client, session).context["form"]["presence"].value()
    at(timezone.now() + dt.timedelta(seconds=601))
    data = {"number": person.nip, "birth_date": person.birth_date.isoformat(), "presence": form_pass}
    assert client.post(_url(session), data).context["scan"] == "expired"
    assert not Attendance.objects.exists()


# --- One browser, one person -------------------------------------------------------------------------------


def test_one_browser_checks_in_one_person_per_session(session, unit_a, at):
    me, colleague = PersonFactory(unit=unit_a), PersonFactory(unit=unit_a)
    phone = Client()
    assert _post(phone, session, me.nip, me.birth_date).context["created"] is True
    proxy = _post(phone, session, colleague.nip, colleague.birth_date)
    assert proxy.status_code == 403 and proxy.context["refused"] == "device_used"
    assert "sudah dipakai" in proxy.content.decode() or "already been used" in proxy.content.decode()
    assert colleague.full_name not in proxy.content.decode() and me.full_name not in proxy.content.decode()
    assert _post(phone, session, me.nip, me.birth_date).context["created"] is False  # myself again: fine
    assert list(Attendance.objects.values_list("person_id", flat=True)) == [me.pk]
    # The colleague on their own phone:
    assert _post(Client(), session, colleague.nip, colleague.birth_date).context["created"] is True
    # The attempts are kept with the device, the refused one included.
    attempts = CheckinAttempt.objects.order_by("id")
    assert [(a.person_id, a.accepted) for a in attempts] == [(me.pk, True), (colleague.pk, False), (me.pk, True),
                                                             (colleague.pk, True)]  # fmt: skip
    assert attempts[0].device_id == attempts[1].device_id == Attendance.objects.get(person=me).device_id


def test_the_database_keeps_one_person_per_browser_and_session(session, unit_a):
    """Two requests at the same moment cannot both pass: a constraint, not only a check."""
    first, second = PersonFactory(unit=unit_a), PersonFactory(unit=unit_a)
    now = timezone.now()
    Attendance.objects.create(session=session, person=first, method="SELF_CHECKIN", recorded_at=now, device_id="a" * 32)
    with pytest.raises(IntegrityError), transaction.atomic():
        Attendance.objects.create(
            session=session, person=second, method="SELF_CHECKIN", recorded_at=now, device_id="a" * 32
        )
    Attendance.objects.create(session=session, person=second, method="PICKED", recorded_at=now)  # no device: fine


def test_the_device_cookie_is_signed_long_lived_and_hidden_from_scripts(client, session, at):
    response = _scan(client, session)
    cookie = response.cookies[presence.DEVICE_COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and int(cookie["max-age"]) >= 365 * 24 * 3600
    # A forged cookie is no device: the browser gets a new one.
    client.cookies[presence.DEVICE_COOKIE] = "0" * 32
    assert _scan(client, session).cookies[presence.DEVICE_COOKIE].value != "0" * 32


# --- Flags for the organiser --------------------------------------------------------------------------------


def test_check_ins_from_a_device_used_for_several_people_are_flagged(client, session, unit_a, taskforce_a, at):
    me, colleague, honest = PersonFactory(unit=unit_a), PersonFactory(unit=unit_a), PersonFactory(unit=unit_a)
    phone = Client()
    _post(phone, session, me.nip, me.birth_date)
    _post(phone, session, colleague.nip, colleague.birth_date)  # refused, but recorded
    _post(Client(), session, colleague.nip, colleague.birth_date)
    _post(Client(), session, honest.nip, honest.birth_date)
    # The same phone checks someone else in at the next session.
    later = SessionFactory(units=[unit_a], starts_at=SESSION_START + dt.timedelta(days=1),
                           ends_at=SESSION_START + dt.timedelta(days=1, hours=2))  # fmt: skip
    at(later.starts_at)
    other = PersonFactory(unit=unit_a)
    assert _post(phone, later, other.nip, other.birth_date).context["created"] is True

    client.force_login(taskforce_a)
    flagged = {
        a.person_id: a.shared_device
        for a in client.get(reverse("socialization:session_detail", args=[session.pk])).context["attendance_page"]
    }
    assert flagged == {me.pk: True, colleague.pk: False, honest.pk: False}
    page = client.get(reverse("socialization:session_detail", args=[later.pk]))
    assert [a.shared_device for a in page.context["attendance_page"]] == [True]
    assert page.content.decode().count('data-flag="shared-device"') == 1


# --- The organiser's screen, code and poster ------------------------------------------------------------------

ORGANISER_VIEWS = ["checkin_screen", "checkin_code", "checkin_poster"]
EXPECTED = {"admin_user": 200, "taskforce_a": 200, "taskforce_b": 404, "staff_a": 403, "leader": 403, "outsider": 404}


@pytest.mark.parametrize("view", ORGANISER_VIEWS)
def test_only_those_who_manage_the_session_see_its_screen_code_and_poster(client, persona, session, view):
    name, user = persona
    client.force_login(user)
    response = client.get(reverse(f"socialization:{view}", args=[session.pk]))
    assert response.status_code == EXPECTED[name]
    if response.status_code != 200:
        assert session.checkin_code not in response.content.decode()


def test_the_screen_shows_a_code_that_changes_by_itself(client, taskforce_a, session, at, settings):
    settings.SATGAS_CHECKIN_CODE_SECONDS = 30
    client.force_login(taskforce_a)
    screen = client.get(reverse("socialization:checkin_screen", args=[session.pk]))
    html = screen.content.decode()
    assert screen.status_code == 200 and "<svg" in html
    # Scripts only from static files; data attributes carry what the script needs (a CSP without 'unsafe-inline').
    assert re.findall(r"<script[^>]*>", html) == ['<script src="/static/js/checkin-screen.js" defer>']
    assert not re.search(r"\son[a-z]+=", html) and "<style" not in html and " style=" not in html
    code_url = reverse("socialization:checkin_code", args=[session.pk])
    assert f'data-code-url="{code_url}"' in html
    first = client.get(code_url).json()
    assert first["state"] == "OPEN" and first["qr"].startswith("<svg") and 1 <= first["refresh_in"] <= 30
    at(timezone.now() + dt.timedelta(seconds=first["refresh_in"]))
    second = client.get(code_url).json()
    assert second["qr"] != first["qr"] and second["refresh_in"] == 30
    assert client.get(code_url)["Cache-Control"].startswith("max-age=0")


def test_the_screen_says_why_there_is_no_code(client, taskforce_a, session, at):
    session.checkin_open = False
    session.save()
    client.force_login(taskforce_a)
    data = client.get(reverse("socialization:checkin_code", args=[session.pk])).json()
    assert data["state"] == "CLOSED" and data["qr"] == "" and data["message"]
    at(SESSION_START - dt.timedelta(hours=2))
    session.checkin_open = True
    session.save()
    screen = client.get(reverse("socialization:checkin_screen", args=[session.pk]))
    assert "<svg" not in screen.content.decode() and screen.context["state"] == "NOT_YET"


def test_the_poster_carries_no_code_and_says_where_it_is(client, taskforce_a, session):
    client.force_login(taskforce_a)
    page = client.get(reverse("socialization:checkin_poster", args=[session.pk])).content.decode()
    assert session.checkin_code not in page and "<svg" not in page and "?k=" not in page
    assert "layar" in page or "screen" in page
