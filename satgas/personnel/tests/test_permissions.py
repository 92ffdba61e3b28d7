"""Permission matrix of the personnel registry: persona × own unit × other unit.

Invisible objects answer 404, visible-but-forbidden actions 403, anonymous
users are sent to the login page.
"""

import pytest
from django.urls import reverse

from satgas.personnel.tests.factories import PersonFactory

# persona -> expected status for each (view, target) pair.
# "a" = a person of unit A, "b" = a person of unit B.
# fmt: off
MATRIX = {
    #                 list  detail_a detail_b edit_a edit_b move_a create units unit_new import export
    "admin_user":    (200,  200,     200,     200,   200,   200,   200,   200,  200,     200,   200),
    "taskforce_a":   (200,  200,     404,     200,   404,   403,   403,   200,  403,     403,   200),
    "taskforce_b":   (200,  404,     200,     404,   200,   404,   403,   200,  403,     403,   200),
    "staff_a":       (403,  404,     404,     404,   404,   404,   403,   403,  403,     403,   403),
    "leader":        (200,  200,     200,     403,   403,   403,   403,   200,  403,     403,   200),
    "outsider":      (403,  404,     404,     404,   404,   404,   403,   403,  403,     403,   403),
}
# fmt: on
VIEWS = [
    "list",
    "detail_a",
    "detail_b",
    "edit_a",
    "edit_b",
    "move_a",
    "create",
    "units",
    "unit_new",
    "import",
    "export",
]


@pytest.fixture
def people(unit_a, unit_b):
    return {"a": PersonFactory(unit=unit_a), "b": PersonFactory(unit=unit_b)}


def _url(view, people):
    return {
        "list": reverse("personnel:person_list"),
        "detail_a": reverse("personnel:person_detail", args=[people["a"].pk]),
        "detail_b": reverse("personnel:person_detail", args=[people["b"].pk]),
        "edit_a": reverse("personnel:person_edit", args=[people["a"].pk]),
        "edit_b": reverse("personnel:person_edit", args=[people["b"].pk]),
        "move_a": reverse("personnel:person_move", args=[people["a"].pk]),
        "create": reverse("personnel:person_create"),
        "units": reverse("personnel:unit_list"),
        "unit_new": reverse("personnel:unit_create"),
        "import": reverse("personnel:import_list"),
        "export": reverse("personnel:person_export", args=["csv"]),
    }[view]


@pytest.mark.parametrize("view", VIEWS)
def test_permission_matrix(client, persona, people, view):
    name, user = persona
    client.force_login(user)
    response = client.get(_url(view, people))
    assert response.status_code == MATRIX[name][VIEWS.index(view)], (name, view)


@pytest.mark.parametrize("view", VIEWS)
def test_anonymous_is_sent_to_login(client, people, view):
    response = client.get(_url(view, people))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_staff_sees_own_record_only(client, staff_a, unit_a):
    colleague = PersonFactory(unit=unit_a)
    client.force_login(staff_a)
    assert client.get(reverse("personnel:person_detail", args=[staff_a.person_id])).status_code == 200
    assert client.get(reverse("personnel:person_detail", args=[colleague.pk])).status_code == 404


def test_taskforce_list_shows_only_own_unit(client, taskforce_a, people):
    client.force_login(taskforce_a)
    response = client.get(reverse("personnel:person_list"))
    names = [p.full_name for p in response.context["page"]]
    assert people["a"].full_name in names
    assert people["b"].full_name not in names


def test_taskforce_cannot_post_a_move_or_edit_another_unit(client, taskforce_a, people, unit_b):
    client.force_login(taskforce_a)
    move = client.post(
        reverse("personnel:person_move", args=[people["a"].pk]), {"unit": unit_b.pk, "moved_on": "2024-01-02"}
    )
    assert move.status_code == 403
    edit = client.post(reverse("personnel:person_edit", args=[people["b"].pk]), {"full_name": "X"})
    assert edit.status_code == 404
    people["a"].refresh_from_db()
    assert people["a"].unit_id != unit_b.pk


def test_export_contains_only_visible_people(client, taskforce_a, people):
    client.force_login(taskforce_a)
    text = client.get(reverse("personnel:person_export", args=["csv"])).content.decode()
    assert people["a"].nip in text
    assert people["b"].nip not in text


@pytest.mark.parametrize("persona_name", ["taskforce_a", "leader", "staff_a", "outsider"])
def test_audit_trail_is_for_admins_only(client, request, people, persona_name, admin_user):
    user = request.getfixturevalue(persona_name)
    target = user.person if persona_name == "staff_a" else people["a"]
    client.force_login(user)
    response = client.get(reverse("personnel:person_detail", args=[target.pk]))
    if response.status_code == 200:
        assert response.context["audit_events"] is None
    client.force_login(admin_user)
    assert client.get(reverse("personnel:person_detail", args=[target.pk])).context["audit_events"] is not None
