import datetime as dt

import pytest
from django.urls import reverse

from satgas.core.models import AuditEvent
from satgas.elections.models import Election
from satgas.socialization.models import SocializationSession

from .factories import SESSION_START, WIB, SessionFactory


def _data(units, **extra):
    return {
        "title": "Sosialisasi Netralitas ASN",
        "starts_at": "2024-01-15T09:00",
        "ends_at": "2024-01-15T11:00",
        "mode": "VIDEO_CALL",
        "location_or_link": "https://zoom.us/j/123",
        "speaker": "Kadiv Administrasi",
        "units": [u.pk for u in units],
        **extra,
    }


@pytest.fixture
def election(db):
    return Election.objects.create(
        name="Pemilu 2024",
        kind="GENERAL",
        voting_day=dt.date(2024, 2, 14),
        starts_on=dt.date(2022, 6, 14),
        ends_on=dt.date(2024, 10, 20),
    )


def test_admin_creates_a_session_for_two_units_with_audit(client, admin_user, unit_a, unit_b, election):
    client.force_login(admin_user)
    response = client.post(reverse("socialization:session_create"), _data([unit_a, unit_b], election=election.pk))
    session = SocializationSession.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "socialization:session_detail", args=[session.pk]
    )
    assert session.starts_at == dt.datetime(2024, 1, 15, 9, 0, tzinfo=WIB)  # typed in WIB, stored aware
    assert set(session.units.all()) == {unit_a, unit_b}
    assert session.created_by == admin_user and session.election == election and session.checkin_open
    assert len(session.checkin_code) >= 20
    event = AuditEvent.objects.get(action="socialization.created")
    assert event.actor == admin_user
    assert event.changes["units"] == [None, "LAPAS-A, LAPAS-B"]
    assert event.changes["starts_at"] == [None, "2024-01-15 09:00"]


def test_checkin_codes_are_random_and_unique(unit_a):
    codes = {SessionFactory(units=[unit_a]).checkin_code for _ in range(5)}
    assert len(codes) == 5


def test_end_before_start_is_refused_and_nothing_is_saved(client, admin_user, unit_a):
    client.force_login(admin_user)
    response = client.post(reverse("socialization:session_create"), _data([unit_a], ends_at="2024-01-15T08:00"))
    assert response.status_code == 200
    assert response.context["form"].errors["ends_at"]
    assert 'aria-invalid="true"' in response.content.decode()
    assert not SocializationSession.objects.exists()


def test_database_refuses_a_session_ending_before_it_starts(unit_a):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        SessionFactory(ends_at=SESSION_START - dt.timedelta(minutes=1))


def test_taskforce_form_offers_and_preselects_only_its_own_unit(client, taskforce_a, unit_a, unit_b):
    client.force_login(taskforce_a)
    form = client.get(reverse("socialization:session_create")).context["form"]
    assert list(form.fields["units"].queryset) == [unit_a]
    assert form.initial["units"] == [unit_a]
    assert client.post(reverse("socialization:session_create"), _data([unit_a])).status_code == 302
    assert list(SocializationSession.objects.get().units.all()) == [unit_a]


def test_edit_records_only_the_changes(client, taskforce_a, unit_a):
    session = SessionFactory(units=[unit_a], title="Lama", location_or_link="https://zoom.us/j/123", mode="VIDEO_CALL")
    client.force_login(taskforce_a)
    data = _data([unit_a], title="Baru", speaker=session.speaker)
    response = client.post(reverse("socialization:session_edit", args=[session.pk]), data)
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.title == "Baru"
    event = AuditEvent.objects.get(action="socialization.updated")
    assert event.changes == {"title": ["Lama", "Baru"]}
    assert event.actor == taskforce_a


def test_checkin_can_be_closed_and_reopened(client, taskforce_a, unit_a):
    session = SessionFactory(units=[unit_a])
    client.force_login(taskforce_a)
    url = reverse("socialization:session_checkin_toggle", args=[session.pk])
    client.post(url, {"open": "0"})
    session.refresh_from_db()
    assert not session.checkin_open
    client.post(url, {"open": "0"})  # closing twice records nothing more
    client.post(url, {"open": "1"})
    session.refresh_from_db()
    assert session.checkin_open
    assert list(AuditEvent.objects.order_by("id").values_list("action", flat=True)) == [
        "socialization.checkin_closed",
        "socialization.checkin_opened",
    ]
    assert client.get(url).status_code == 405


def test_list_filters_by_unit_election_and_time(client, admin_user, unit_a, unit_b, election, time_machine):
    time_machine.move_to(dt.datetime(2024, 2, 1, 12, 0, tzinfo=WIB), tick=False)
    past_a = SessionFactory(units=[unit_a], election=election, starts_at=dt.datetime(2024, 1, 10, 9, tzinfo=WIB))
    soon_b = SessionFactory(units=[unit_b], starts_at=dt.datetime(2024, 2, 5, 9, tzinfo=WIB))
    joint = SessionFactory(units=[unit_a, unit_b], starts_at=dt.datetime(2024, 2, 3, 9, tzinfo=WIB))
    client.force_login(admin_user)
    url = reverse("socialization:session_list")

    def listed(**params):
        return [s.pk for s in client.get(url, params).context["page"]]

    assert listed() == [soon_b.pk, joint.pk, past_a.pk]  # newest first
    assert listed(unit=unit_a.pk) == [joint.pk, past_a.pk]  # a joint session is listed once
    assert listed(election=election.pk) == [past_a.pk]
    assert listed(when="upcoming") == [joint.pk, soon_b.pk]  # soonest first
    assert listed(when="past") == [past_a.pk]


def test_list_shows_attendance_counts_per_session(client, admin_user, unit_a):
    from .factories import AttendanceFactory

    session = SessionFactory(units=[unit_a])
    for _ in range(3):
        AttendanceFactory(session=session)
    client.force_login(admin_user)
    row = client.get(reverse("socialization:session_list"), {"unit": unit_a.pk}).context["page"][0]
    assert row.attendance_count == 3


def test_detail_offers_the_room_screen_and_a_poster_but_no_fixed_code(client, taskforce_a, unit_a, settings):
    """The fixed link alone no longer checks anyone in: the organiser shows the changing code in the room."""
    session = SessionFactory(units=[unit_a])
    client.force_login(taskforce_a)
    page = client.get(reverse("socialization:session_detail", args=[session.pk])).content.decode()
    assert reverse("socialization:checkin_screen", args=[session.pk]) in page
    assert reverse("socialization:checkin_poster", args=[session.pk]) in page
    assert session.checkin_code not in page and "<svg" not in page
