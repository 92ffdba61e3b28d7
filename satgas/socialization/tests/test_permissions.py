"""Permission matrix of socialization: persona × own unit × other unit for every view.

"a" = a session for unit A, "b" = for unit B, "ab" = a joint session for both.
Invisible objects answer 404, visible-but-forbidden actions 403, anonymous
users are sent to the login page; only the public check-in page is open.
"""

import pytest
from django.urls import reverse

from satgas.core.models import AuditEvent
from satgas.personnel.tests.factories import PersonFactory
from satgas.socialization import presence, services
from satgas.socialization.models import Attendance, SocializationSession

from .factories import AttendanceFactory, SessionFactory, pdf_upload

VIEWS = [
    "list", "create", "detail_a", "detail_b", "detail_ab", "edit_a", "edit_b", "edit_ab", "pick_a", "pick_b",
    "import_a", "upload_a", "download_a", "download_b", "coverage", "coverage_a", "coverage_b", "export_a",
]  # fmt: skip
# fmt: off
MATRIX = {
    #             list new  d_a  d_b  d_ab e_a  e_b  e_ab p_a  p_b  imp  upl  dl_a dl_b cov  cv_a cv_b xlsx
    "admin_user":  (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "taskforce_a": (200, 200, 200, 404, 200, 200, 404, 403, 200, 404, 200, 200, 200, 404, 200, 200, 404, 200),
    "taskforce_b": (200, 200, 404, 200, 200, 404, 200, 403, 404, 200, 404, 404, 404, 200, 200, 404, 200, 404),
    "staff_a":     (200, 403, 200, 404, 200, 403, 404, 403, 403, 404, 403, 403, 200, 404, 403, 403, 403, 403),
    "leader":      (200, 403, 200, 200, 200, 403, 403, 403, 403, 403, 403, 403, 200, 200, 200, 200, 200, 200),
    "leader_a":    (200, 403, 200, 404, 200, 403, 404, 403, 403, 404, 403, 403, 200, 404, 200, 200, 404, 200),
    "outsider":    (403, 403, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 403, 403, 403, 403),
}
# fmt: on
PERSONAS = list(MATRIX)


@pytest.fixture
def world(unit_a, unit_b, admin_user):
    sessions = {
        "a": SessionFactory(units=[unit_a]),
        "b": SessionFactory(units=[unit_b]),
        "ab": SessionFactory(units=[unit_a, unit_b]),
    }
    materials = {
        key: services.material_upload(actor=admin_user, session=sessions[key], upload=pdf_upload()) for key in "ab"
    }
    return {"sessions": sessions, "materials": materials, "unit_a": unit_a, "unit_b": unit_b}


def _url(view, world):
    s, m = world["sessions"], world["materials"]
    return {
        "list": reverse("socialization:session_list"),
        "create": reverse("socialization:session_create"),
        "detail_a": reverse("socialization:session_detail", args=[s["a"].pk]),
        "detail_b": reverse("socialization:session_detail", args=[s["b"].pk]),
        "detail_ab": reverse("socialization:session_detail", args=[s["ab"].pk]),
        "edit_a": reverse("socialization:session_edit", args=[s["a"].pk]),
        "edit_b": reverse("socialization:session_edit", args=[s["b"].pk]),
        "edit_ab": reverse("socialization:session_edit", args=[s["ab"].pk]),
        "pick_a": reverse("socialization:attendance_pick", args=[s["a"].pk]),
        "pick_b": reverse("socialization:attendance_pick", args=[s["b"].pk]),
        "import_a": reverse("socialization:attendance_import", args=[s["a"].pk]),
        "upload_a": reverse("socialization:material_upload", args=[s["a"].pk]),
        "download_a": reverse("socialization:material_download", args=[m["a"].pk]),
        "download_b": reverse("socialization:material_download", args=[m["b"].pk]),
        "coverage": reverse("socialization:coverage"),
        "coverage_a": reverse("socialization:coverage_unit", args=[world["unit_a"].pk]),
        "coverage_b": reverse("socialization:coverage_unit", args=[world["unit_b"].pk]),
        "export_a": reverse("socialization:coverage_unit_export", args=[world["unit_a"].pk]),
    }[view]


@pytest.mark.parametrize("persona_name", PERSONAS)
@pytest.mark.parametrize("view", VIEWS)
def test_permission_matrix(client, request, world, persona_name, view):
    client.force_login(request.getfixturevalue(persona_name))
    response = client.get(_url(view, world))
    assert response.status_code == MATRIX[persona_name][VIEWS.index(view)], (persona_name, view)


@pytest.mark.parametrize("view", VIEWS)
def test_anonymous_is_sent_to_login(client, world, view):
    response = client.get(_url(view, world))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_checkin_page_needs_no_login(client, world, time_machine):
    session = world["sessions"]["a"]
    time_machine.move_to(session.starts_at, tick=False)
    url = reverse("socialization:checkin", args=[session.checkin_code])
    response = client.get(f"{url}?k={presence.room_code(session, session.starts_at)}")
    assert response.status_code == 200
    assert "form" in response.context
    assert client.get(reverse("socialization:checkin", args=["not-the-code"])).status_code == 404


# --- Writes: the same rules apply to POSTs, and nothing changes when refused -----------------


POST_EXPECTED = {
    # persona: (own-unit session A, other-unit session B, joint session)
    "taskforce_a": (302, 404, 403),
    "staff_a": (403, 404, 403),
    "leader": (403, 403, 403),
    "leader_a": (403, 404, 403),
    "outsider": (404, 404, 404),
}


@pytest.mark.parametrize("persona_name", list(POST_EXPECTED))
@pytest.mark.parametrize("target", ["a", "b", "ab"])
def test_pick_post_obeys_the_matrix(client, request, world, unit_a, unit_b, persona_name, target):
    session = world["sessions"][target]
    person = PersonFactory(unit=unit_a if target != "b" else unit_b)
    client.force_login(request.getfixturevalue(persona_name))
    response = client.post(reverse("socialization:attendance_pick", args=[session.pk]), {"person": [person.pk]})
    expected = POST_EXPECTED[persona_name][["a", "b", "ab"].index(target)]
    assert response.status_code == expected
    assert Attendance.objects.filter(session=session, person=person).exists() == (expected == 302)


@pytest.mark.parametrize("persona_name", list(POST_EXPECTED))
def test_edit_toggle_remove_and_upload_are_refused_on_a_joint_session(client, request, world, unit_a, persona_name):
    session = world["sessions"]["ab"]
    attendance = AttendanceFactory(session=session, person=PersonFactory(unit=unit_a))
    events = AuditEvent.objects.count()
    client.force_login(request.getfixturevalue(persona_name))
    expected = 404 if persona_name == "outsider" else 403
    responses = [
        client.post(reverse("socialization:session_edit", args=[session.pk]), {"title": "Changed"}),
        client.post(reverse("socialization:session_checkin_toggle", args=[session.pk]), {"open": "0"}),
        client.post(reverse("socialization:attendance_remove", args=[session.pk, attendance.pk])),
        client.post(reverse("socialization:material_upload", args=[session.pk]), {"file": pdf_upload()}),
        client.post(reverse("socialization:attendance_import", args=[session.pk]), {"numbers": "1"}),
    ]
    assert [r.status_code for r in responses] == [expected] * 5
    session.refresh_from_db()
    assert session.title != "Changed" and session.checkin_open
    assert Attendance.objects.filter(pk=attendance.pk).exists()
    assert session.materials.count() == 0
    assert AuditEvent.objects.count() == events


def test_taskforce_sees_only_sessions_of_its_units_in_the_list(client, taskforce_a, world):
    client.force_login(taskforce_a)
    listed = {s.pk for s in client.get(reverse("socialization:session_list")).context["page"]}
    assert listed == {world["sessions"]["a"].pk, world["sessions"]["ab"].pk}


def test_staff_sees_no_attendance_list_nor_checkin_link_only_their_own_attendance(client, staff_a, world):
    session = world["sessions"]["a"]
    AttendanceFactory(session=session, person=staff_a.person)
    colleague = AttendanceFactory(session=session, person=PersonFactory(unit=world["unit_a"]))
    client.force_login(staff_a)
    response = client.get(reverse("socialization:session_detail", args=[session.pk]))
    page = response.content.decode()
    assert response.context["own_attended"] is True
    assert "attendance_page" not in response.context and "checkin_url" not in response.context
    assert session.checkin_code not in page
    assert colleague.person.full_name not in page


def test_leader_reads_attendance_but_never_sees_the_checkin_code(client, leader, world, unit_a):
    session = world["sessions"]["a"]
    AttendanceFactory(session=session, person=PersonFactory(unit=unit_a))
    client.force_login(leader)
    response = client.get(reverse("socialization:session_detail", args=[session.pk]))
    assert response.context["attendance_page"].paginator.count == 1
    assert session.checkin_code not in response.content.decode()


def test_unit_reader_of_a_joint_session_sees_only_attendees_of_own_unit(client, taskforce_a, world, unit_a, unit_b):
    session = world["sessions"]["ab"]
    mine = AttendanceFactory(session=session, person=PersonFactory(unit=unit_a))
    AttendanceFactory(session=session, person=PersonFactory(unit=unit_b))
    client.force_login(taskforce_a)
    response = client.get(reverse("socialization:session_detail", args=[session.pk]))
    assert [a.pk for a in response.context["attendance_page"]] == [mine.pk]
    assert response.context["attendance_partial"] is True


def test_taskforce_cannot_create_a_session_for_another_unit(client, taskforce_a, unit_a, unit_b):
    client.force_login(taskforce_a)
    data = {
        "title": "Sosialisasi",
        "starts_at": "2024-01-15T09:00",
        "ends_at": "2024-01-15T11:00",
        "mode": "IN_PERSON",
        "location_or_link": "Aula",
        "units": [unit_a.pk, unit_b.pk],
    }
    response = client.post(reverse("socialization:session_create"), data)
    assert response.status_code == 200
    assert "units" in response.context["form"].errors
    assert list(response.context["form"].fields["units"].queryset) == [unit_a]
    assert not SocializationSession.objects.filter(title="Sosialisasi").exists()
