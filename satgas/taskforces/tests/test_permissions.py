"""Permission matrix: persona × own unit (A) × other unit (B) for every view.

Invisible objects answer 404, visible-but-forbidden actions 403, lists 403 for
people who see no task force; anonymous users go to the login page.
"""

import pytest
from django.urls import reverse

from satgas.personnel.tests.factories import PersonFactory
from satgas.taskforces.models import Membership, TaskForce, TaskForceStatus

from .factories import active_taskforce

pytestmark = pytest.mark.django_db

VIEWS = [
    "overview", "xlsx", "defaults", "create", "detail_a", "detail_b", "pdf_a", "pdf_b",
    "edit_a", "edit_b", "decree_a", "decree_b", "badges_a", "badges_b", "inaug_a", "inaug_b",
    "add_a", "add_b", "import_a", "import_b", "end_a", "end_b", "replace_a", "replace_b",
]  # fmt: skip
ADMIN_PAIRS_A = (403, 404) * 8  # edit, decree, badges, inauguration, add, import, end, replace
ADMIN_PAIRS_B = (404, 403) * 8
# fmt: off
MATRIX = {
    #               ovw  xlsx def  new  d_a  d_b  pdfa pdfb  admin-only views on A and B
    "admin_user":  (200, 200, 200, 200, 200, 200, 200, 200, *(200,) * 16),
    "taskforce_a": (200, 200, 403, 403, 200, 404, 200, 404, *ADMIN_PAIRS_A),
    "taskforce_b": (200, 200, 403, 403, 404, 200, 404, 200, *ADMIN_PAIRS_B),
    "leader":      (200, 200, 403, 403, 200, 200, 200, 200, *(403,) * 16),
    "staff_a":     (403, 403, 403, 403, 404, 404, 404, 404, *(404,) * 16),
    "outsider":    (403, 403, 403, 403, 404, 404, 404, 404, *(404,) * 16),
}
# fmt: on


@pytest.fixture
def world(unit_a, unit_b, admin_user):
    tfs = {"a": active_taskforce(unit=unit_a, actor=admin_user), "b": active_taskforce(unit=unit_b, actor=admin_user)}
    members = {key: tf.memberships.order_by("id").first() for key, tf in tfs.items()}
    return {"tf": tfs, "member": members}


def _url(view, world):
    if view in {"overview", "xlsx", "defaults", "create"}:
        return reverse(
            {"overview": "taskforces:overview", "xlsx": "taskforces:overview_xlsx"}.get(view, f"taskforces:{view}")
        )
    name, key = view.rsplit("_", 1)
    name = {"pdf": "decree_pdf", "badges": "badges_pdf", "inaug": "inauguration", "add": "member_add"}.get(name, name)
    name = {"import": "member_import", "end": "member_end", "replace": "member_replace"}.get(name, name)
    target = world["member"][key] if name in {"member_end", "member_replace"} else world["tf"][key]
    return reverse(f"taskforces:{name}", args=[target.pk])


@pytest.mark.parametrize("persona_name", list(MATRIX))
@pytest.mark.parametrize("view", VIEWS)
def test_permission_matrix(client, request, world, persona_name, view):
    client.force_login(request.getfixturevalue(persona_name))
    response = client.get(_url(view, world))
    assert response.status_code == MATRIX[persona_name][VIEWS.index(view)], (persona_name, view)


@pytest.mark.parametrize("view", VIEWS)
def test_anonymous_is_sent_to_login(client, world, view):
    response = client.get(_url(view, world))
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


def test_lists_show_only_readable_units(client, world, taskforce_a, leader, unit_a):
    client.force_login(taskforce_a)
    rows = client.get(reverse("taskforces:overview")).context["rows"]
    assert [r.unit for r in rows] == [unit_a]
    client.force_login(leader)
    assert len(client.get(reverse("taskforces:overview")).context["rows"]) == 3  # region, A, B


# --- Writes are refused the same way, and change nothing -------------------------

WRITES = {
    "transition": lambda w, k, u: (reverse("taskforces:transition", args=[w["tf"][k].pk]), {"to": "ENDED"}),
    "add": lambda w, k, u: (
        reverse("taskforces:member_add", args=[w["tf"][k].pk]),
        {"identity_number": PersonFactory(unit=u).nip, "role": "MEMBER", "started_on": "2024-02-01"},
    ),
    "end": lambda w, k, u: (
        reverse("taskforces:member_end", args=[w["member"][k].pk]),
        {"ended_on": "2024-03-01", "reason": "x"},
    ),
}


@pytest.mark.parametrize("write", list(WRITES))
@pytest.mark.parametrize(
    "persona_name,key,status",
    [
        ("taskforce_a", "a", 403),
        ("taskforce_a", "b", 404),
        ("leader", "a", 403),
        ("staff_a", "a", 404),
        ("outsider", "b", 404),
        ("admin_user", "a", 302),
    ],
)
def test_writes(client, request, world, unit_a, unit_b, write, persona_name, key, status):
    client.force_login(request.getfixturevalue(persona_name))
    memberships, ended = Membership.objects.count(), Membership.objects.exclude(ended_on=None).count()
    url, data = WRITES[write](world, key, unit_a if key == "a" else unit_b)
    response = client.post(url, data)
    assert response.status_code == status
    changed = (
        TaskForce.objects.get(pk=world["tf"][key].pk).status == TaskForceStatus.ENDED
        or Membership.objects.count() != memberships
        or Membership.objects.exclude(ended_on=None).count() != ended
    )
    assert changed is (status == 302)
