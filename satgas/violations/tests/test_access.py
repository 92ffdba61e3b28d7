import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from satgas.core.models import AuditEvent
from satgas.personnel.tests.factories import PersonFactory
from satgas.violations import permissions, services
from satgas.violations.models import Intake
from satgas.violations.tests.factories import report

VIEWS = ["list", "dashboard", "detail_a", "detail_b", "report", "reporter_a", "export"]
# fmt: off
MATRIX = {
    "admin_user":  [200, 200, 200, 200, 200, 403, 200],
    "taskforce_a": [200, 200, 200, 404, 200, 403, 200],
    "taskforce_b": [200, 200, 404, 200, 200, 404, 200],
    "staff_a":     [302, 403, 404, 404, 200, 404, 403],
    "leader":      [302, 200, 404, 404, 403, 404, 403],
    "outsider":    [403, 403, 404, 404, 403, 404, 403],
}
# fmt: on


@pytest.fixture
def cases(unit_a, unit_b, staff_a):
    return {
        "a": report(unit=unit_a, actor=staff_a, intake=Intake.ONLINE)[0],
        "b": report(unit=unit_b)[0],
    }


def _url(view, cases):
    return {
        "list": reverse("violations:case_list"),
        "dashboard": reverse("violations:dashboard"),
        "detail_a": reverse("violations:case_detail", args=[cases["a"].pk]),
        "detail_b": reverse("violations:case_detail", args=[cases["b"].pk]),
        "report": reverse("violations:report_create"),
        "reporter_a": reverse("violations:case_reporter", args=[cases["a"].pk]),
        "export": reverse("violations:case_export"),
    }[view]


@pytest.mark.parametrize("view", VIEWS)
def test_permission_matrix(client, persona, cases, view):
    name, user = persona
    client.force_login(user)
    assert client.get(_url(view, cases)).status_code == MATRIX[name][VIEWS.index(view)]


IDENTITY = {"admin_user": 200, "taskforce_a": 200, "taskforce_b": 404, "staff_a": 404, "leader": 404, "outsider": 404}


def test_reporter_identity_needs_the_permission_and_is_logged(client, persona, cases, staff_a):
    name, user = persona
    user.groups.add(Group.objects.get(name=permissions.IDENTITY_GROUP))
    client.force_login(user)
    response = client.get(_url("reporter_a", cases))
    assert response.status_code == IDENTITY[name]
    logged = AuditEvent.objects.filter(action="violation.identity_viewed", actor=user)
    if response.status_code == 200:
        assert staff_a.email in response.content.decode()
        assert logged.count() == 1
        client.get(_url("reporter_a", cases))
        assert logged.count() == 2, "every view is logged"
    else:
        assert not logged.exists()


def test_detail_hides_identity_without_permission(client, admin_user, cases, staff_a):
    client.force_login(admin_user)
    body = client.get(_url("detail_a", cases)).content.decode()
    assert staff_a.email not in body and staff_a.full_name not in body
    assert reverse("violations:case_reporter", args=[cases["a"].pk]) not in body


def test_reported_person_never_sees_the_case(client, taskforce_a, unit_a):
    case, _ = report(unit=unit_a, reported_person=taskforce_a.person)
    client.force_login(taskforce_a)
    assert client.get(reverse("violations:case_detail", args=[case.pk])).status_code == 404
    assert case.number not in client.get(reverse("violations:case_list")).content.decode()
    assert not permissions.can_be_handler(taskforce_a, case)
    with pytest.raises(services.ViolationError, match="handler_not_eligible"):
        services.case_assign(actor=None, case=case, handler=taskforce_a)


def test_head_of_the_unit_is_excluded(client, taskforce_a, unit_a):
    case, _ = report(unit=unit_a, reported_person=PersonFactory(unit=unit_a))
    other, _ = report(unit=unit_a, reported_person=PersonFactory(unit=unit_a))
    unit_a.head = taskforce_a.person
    unit_a.save()
    client.force_login(taskforce_a)
    assert client.get(reverse("violations:case_detail", args=[case.pk])).status_code == 404
    assert [c.pk for c in client.get(reverse("violations:case_list")).context["page"]] == []
    assert not permissions.can_be_handler(taskforce_a, case)
    unit_a.head = None  # no longer the head: the unit's cases are theirs to see again
    unit_a.save()
    assert {c.pk for c in client.get(reverse("violations:case_list")).context["page"]} == {case.pk, other.pk}


def test_confidential_case_only_for_admins_and_assignees(client, taskforce_a, admin_user, unit_a):
    case, _ = report(unit=unit_a, confidential=True)
    url = reverse("violations:case_detail", args=[case.pk])
    client.force_login(taskforce_a)
    assert client.get(url).status_code == 404
    assignment = services.case_assign(actor=admin_user, case=case, handler=taskforce_a)
    assert client.get(url).status_code == 200
    services.case_unassign(actor=admin_user, assignment=assignment)
    assert client.get(url).status_code == 404
    assert case.assignments.count() == 1, "reassignment keeps the history"


def test_forbidden_actions_are_403_for_visible_case(client, unit_a, taskforce_a, taskforce_b, admin_user):
    case, _ = report(unit=unit_a)
    client.force_login(taskforce_b)
    url = reverse("violations:case_transition", args=[case.pk])
    assert client.post(url, {"to": "VERIFICATION", "reason": "x"}).status_code == 404
    client.force_login(taskforce_a)
    assert client.post(url, {"to": "VERIFICATION", "reason": "x"}).status_code == 302
    case.refresh_from_db()
    assert case.status == "VERIFICATION"


def test_staff_may_not_enter_paper_reports(unit_a, staff_a):
    with pytest.raises(services.ViolationError, match="offline_forbidden"):
        report(unit=unit_a, actor=staff_a, intake=Intake.PAPER, reporter_name="Budi")
