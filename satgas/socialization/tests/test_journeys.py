"""Self check-in in a real browser: the organiser shows the changing code in the room, an attendee checks in on a
phone."""

import datetime as dt
import os

import pytest
from django.utils import timezone

from satgas.accounts.tests.factories import PASSWORD
from satgas.core.tests.browser import ARTIFACTS, PHONE, login
from satgas.personnel.tests.factories import PersonFactory
from satgas.socialization import presence
from satgas.socialization.models import Attendance, AttendanceMethod

from .factories import SessionFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def _screenshot(page, name):
    if os.environ.get("SATGAS_SCREENSHOTS"):
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"socialization-{name}.png"), full_page=True)


def test_attendee_checks_in_on_a_phone_by_scanning_the_room_screen(
    open_page, live_server, taskforce_a, unit_a, settings
):
    settings.SATGAS_SITE_URL = live_server.url
    settings.SATGAS_CHECKIN_CODE_SECONDS = 5
    now = timezone.now()
    session = SessionFactory(
        units=[unit_a], starts_at=now - dt.timedelta(minutes=10), ends_at=now + dt.timedelta(hours=1)
    )
    attendee, colleague = PersonFactory(unit=unit_a), PersonFactory(unit=unit_a)

    organiser = open_page()
    login(organiser, live_server.url, taskforce_a.email, PASSWORD)
    organiser.goto(f"{live_server.url}/sosialisasi/{session.pk}/")
    organiser.locator("[data-checkin-screen-link]").click()
    code = organiser.locator("[data-room-code] svg")
    assert code.is_visible()
    box = code.bounding_box()
    assert box["height"] >= 0.5 * 900  # most of the screen: readable from the back of the room
    _screenshot(organiser, "screen")
    shown = organiser.locator("[data-room-code]").inner_html()
    # The code changes by itself (static/js/checkin-screen.js), with no reload of the page.
    organiser.wait_for_function(
        "shown => document.querySelector('[data-room-code]').innerHTML !== shown", arg=shown, timeout=15_000
    )
    assert organiser.locator("[data-state-message]").is_hidden()

    # The phone scans the screen: the QR code holds the check-in link with the current room code.
    phone = open_page(PHONE)
    phone.goto(presence.room_url(session, timezone.now()))
    phone.locator("#id_number").fill(attendee.nip)
    phone.locator("#id_birth_date").fill(attendee.birth_date.isoformat())
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    phone.locator("main button[type=submit]").click()
    phone.locator(".alert-success").wait_for()
    first, *rest = attendee.full_name.split(",")[0].split()
    assert f"{first} {rest[0][0]}." in phone.locator(".alert-success").inner_text()
    _screenshot(phone, "checkin-done")
    assert Attendance.objects.get(session=session).person == attendee
    assert Attendance.objects.get(session=session).method == AttendanceMethod.SELF_CHECKIN

    # The same phone for a colleague who is not there: refused.
    phone.goto(presence.room_url(session, timezone.now()))
    phone.locator("#id_number").fill(colleague.nip)
    phone.locator("#id_birth_date").fill(colleague.birth_date.isoformat())
    phone.locator("main button[type=submit]").click()
    assert "sudah dipakai" in phone.locator("main .alert-warning").inner_text()
    assert Attendance.objects.filter(session=session).count() == 1
    # The fixed link without the room code asks to scan the screen.
    phone.goto(f"{live_server.url}/sosialisasi/hadir/{session.checkin_code}/")
    assert phone.locator("[data-scan=missing]").is_visible() and phone.locator("#id_number").count() == 0

    organiser.goto(f"{live_server.url}/sosialisasi/{session.pk}/")
    assert organiser.locator("[data-flag=shared-device]").count() == 1
    assert organiser.get_by_role("cell", name=attendee.full_name, exact=True).is_visible()
    organiser.set_viewport_size(PHONE)
    assert organiser.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
