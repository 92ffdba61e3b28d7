"""Access ends with the task-force membership; the digest respects conflicts;
the case's unit is the reported person's unit."""

import datetime as dt

from django.core import mail
from django.urls import reverse
from django.utils import timezone

from satgas.accounts.roles import forget_roles
from satgas.accounts.tests.factories import UserFactory
from satgas.personnel.tests.factories import PersonFactory
from satgas.taskforces import services as taskforce_services
from satgas.taskforces.models import Membership
from satgas.taskforces.tests.factories import make_taskforce
from satgas.violations import services, tasks
from satgas.violations.models import Case, CaseStatus, Intake
from satgas.violations.tests.factories import case_at, report


def test_an_assigned_handler_loses_the_case_when_the_membership_ends(client, admin_user, unit_a):
    taskforce = make_taskforce(unit=unit_a, actor=admin_user)
    person = PersonFactory(unit=unit_a)
    member = UserFactory(person=person)
    membership = taskforce_services.membership_add(
        actor=admin_user, task_force=taskforce, person=person, role="MEMBER", started_on=timezone.localdate()
    )
    taskforce_services.taskforce_transition(
        actor=admin_user, task_force=taskforce, to="ACTIVE", reason="uji: komposisi belum lengkap"
    )
    case = case_at(CaseStatus.VERIFICATION, unit=unit_a, confidential=True)
    services.case_assign(actor=admin_user, case=case, handler=member)
    client.force_login(member)
    assert client.get(reverse("violations:case_detail", args=[case.pk])).status_code == 200

    taskforce_services.membership_end(
        actor=admin_user,
        membership=Membership.objects.get(pk=membership.pk),
        ended_on=timezone.localdate(),
        reason="pindah tugas",
    )
    forget_roles(member)
    assert client.get(reverse("violations:case_detail", args=[case.pk])).status_code == 404


def test_the_digest_never_tells_the_reported_admin_about_their_case(
    admin_user, unit_a, django_capture_on_commit_callbacks
):
    reported = PersonFactory(unit=unit_a)
    admin_user.person = reported
    admin_user.save(update_fields=["person"])
    other_admin = UserFactory(email="admin2@uji.test")
    from satgas.accounts.models import Role, RoleAssignment

    RoleAssignment.objects.create(user=other_admin, role=Role.REGIONAL_ADMIN)
    case, _ = report(unit=unit_a, reported_person=reported)
    Case.objects.filter(pk=case.pk).update(due_on=timezone.localdate() - dt.timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        tasks.violation_digest_send()
    recipients = {m.to[0]: m.body for m in mail.outbox}
    assert admin_user.email not in recipients
    assert case.number in recipients[other_admin.email]


def test_the_case_unit_is_the_reported_persons_unit(unit_a, unit_b):
    reported = PersonFactory(unit=unit_b)
    case, _ = report(unit=unit_a, reported_person=reported, intake=Intake.ANONYMOUS)
    assert case.unit == unit_b


def test_staff_may_type_a_name_instead_of_a_number(client, staff_a, unit_a):
    client.force_login(staff_a)
    response = client.post(
        reverse("violations:report_create"),
        {
            "intake": Intake.ONLINE,
            "reported_identity": "Budi Santoso",
            "unit": unit_a.pk,
            "incident_date": (timezone.localdate() - dt.timedelta(days=1)).isoformat(),
            "channel": "OTHER",
            "description": "Hadir dalam deklarasi calon dengan atribut partai.",
        },
    )
    assert response.status_code == 200, response.context["form"].errors
    case = Case.objects.get()
    assert case.reported_person is None and "Budi Santoso" in case.reported_description
