"""The dashboard's six-monthly report panel."""

import pytest
import time_machine
from django.urls import reverse

from .factories import AFTER_2024_1, generate

pytestmark = pytest.mark.django_db


@time_machine.travel(AFTER_2024_1, tick=False)
def test_admin_sees_the_missing_report_with_a_link_to_generate_it(client, admin_user, region):
    client.force_login(admin_user)
    page = client.get(reverse("core:dashboard")).content.decode()
    assert "2024-1" in page
    assert region.name in page
    assert reverse("reports:generate") in page


@time_machine.travel(AFTER_2024_1, tick=False)
def test_the_panel_links_the_generated_report_with_its_status(client, admin_user, region, fast_pdf):
    report = generate(office=region, actor=admin_user)
    client.force_login(admin_user)
    response = client.get(reverse("core:dashboard"))
    page = response.content.decode()
    assert reverse("reports:detail", args=[report.pk]) in page
    assert 'data-status="DRAFT"' in page
    assert reverse("reports:generate") not in page
    assert response.context["report_panel"]["missing"] is False


@time_machine.travel(AFTER_2024_1, tick=False)
def test_leader_reads_without_the_generate_button_and_staff_sees_no_panel(client, leader, staff_a, region):
    client.force_login(leader)
    response = client.get(reverse("core:dashboard"))
    assert response.context["report_panel"]["missing"] is True
    assert reverse("reports:generate") not in response.content.decode()
    client.force_login(staff_a)
    response = client.get(reverse("core:dashboard"))
    assert "report_panel" not in response.context
    assert reverse("reports:archive") not in response.content.decode()


@time_machine.travel(AFTER_2024_1, tick=False)
def test_the_widest_dashboard_stays_within_sixteen_queries(client, django_assert_max_num_queries, admin_user, unit_a):
    # A regional admin who is also an employee gets every panel: monitoring, reports, registry, own oath.
    from satgas.accounts.models import Role
    from satgas.accounts.tests.factories import RoleAssignmentFactory
    from satgas.personnel.tests.factories import PersonFactory

    admin_user.person = PersonFactory(unit=unit_a)
    admin_user.save()
    RoleAssignmentFactory(user=admin_user, role=Role.LEADER)
    client.force_login(admin_user)
    # 16: the admins' Background work panel counts overdue and failed tasks in one query.
    with django_assert_max_num_queries(16):
        response = client.get(reverse("core:dashboard"))
    assert response.context["report_panel"] and response.context["own_person"] == admin_user.person
