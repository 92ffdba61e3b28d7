"""Self check-in in a real browser: the organiser shows the link, an attendee checks in on a phone."""

import datetime as dt
import os

import pytest
from django.utils import timezone

from satgas.accounts.tests.factories import PASSWORD
from satgas.core.tests.browser import ARTIFACTS, PHONE, login
from satgas.personnel.tests.factories import PersonFactory
from satgas.socialization.models import Attendance, AttendanceMethod

from .factories import SessionFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def _screenshot(page, name):
    if os.environ.get("SATGAS_SCREENSHOTS"):
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"socialization-{name}.png"), full_page=True)


def test_attendee_checks_in_on_a_phone_with_the_projected_link(open_page, live_server, taskforce_a, unit_a, settings):
    settings.SATGAS_SITE_URL = live_server.url
    now = timezone.now()
    session = SessionFactory(
        units=[unit_a], starts_at=now - dt.timedelta(minutes=10), ends_at=now + dt.timedelta(hours=1)
    )
    attendee = PersonFactory(unit=unit_a)

    organiser = open_page()
    login(organiser, live_server.url, taskforce_a.email, PASSWORD)
    organiser.goto(f"{live_server.url}/sosialisasi/{session.pk}/")
    link = organiser.locator("#checkin-url").input_value()
    assert link.endswith(f"/sosialisasi/hadir/{session.checkin_code}/")
    assert organiser.locator(".checkin-qr svg").is_visible()
    _screenshot(organiser, "detail")

    phone = open_page(PHONE)
    phone.goto(link)
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

    organiser.reload()
    assert organiser.get_by_role("cell", name=attendee.full_name, exact=True).is_visible()
    organiser.set_viewport_size(PHONE)
    assert organiser.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
