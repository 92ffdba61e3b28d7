import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from satgas.elections.demo import seed_elections
from satgas.elections.models import Election
from satgas.monitoring import services
from satgas.monitoring.models import ReportStatus
from satgas.monitoring.tests.factories import PointFactory, ReportFactory, StageFactory
from satgas.personnel.tests.factories import UnitFactory

NOW = dt.datetime(2024, 4, 20, 3, 0, tzinfo=dt.UTC)  # periods shown: March, February, January 2024
pytestmark = pytest.mark.django_db


def _many(n, region, admin_user):
    stages = [StageFactory(election__name="Pemilu uji") for _ in range(3)]
    units = [UnitFactory(parent=region) for _ in range(n)]
    for i, unit in enumerate(units):
        PointFactory(unit=unit, stage=stages[i % 3], likelihood=1 + i % 5, impact=5)
        PointFactory(unit=unit, stage=stages[i % 3], likelihood=1, impact=1, status="CLOSED")
        ReportFactory(
            unit=unit,
            period_start=dt.date(2024, 3, 1),
            created_by=admin_user,
            status=[ReportStatus.DRAFT, ReportStatus.SUBMITTED, ReportStatus.ACCEPTED][i % 3],
        )
        ReportFactory(unit=unit, period_start=dt.date(2024, 1, 1), created_by=admin_user)
    return units, stages


@pytest.mark.parametrize("n", [3, 30, 60])
@time_machine.travel(NOW, tick=False)
def test_overview_query_count_and_statuses(client, django_assert_max_num_queries, n, region, admin_user):
    units, _stages = _many(n, region, admin_user)
    client.force_login(admin_user)
    # session, user, roles (2), count of units, the page's units, their reports, totals of every unit
    with django_assert_max_num_queries(8):
        response = client.get(reverse("monitoring:overview"))
    page = response.content.decode()
    assert response.status_code == 200
    assert len(response.context["rows"]) == min(n + 1, 50)  # + the region
    # March (due 10 Apr, now 20 Apr): draft → overdue, submitted, accepted; February not started → overdue.
    march, february, january = response.context["totals"]
    assert march["submitted"] == len(range(1, n, 3)) and march["accepted"] == len(range(2, n, 3))
    assert march["overdue"] == len(range(0, n, 3)) + 1
    assert february == {**february, "overdue": n + 1, "submitted": 0, "accepted": 0}
    assert january["overdue"] == n + 1
    if n < 50:  # every unit on the one page
        assert page.count('data-status="submitted"') == len(range(1, n, 3))
        assert page.count('data-status="accepted"') == len(range(2, n, 3))
        assert page.count('data-status="overdue"') == len(range(0, n, 3)) + 2 * n + 3  # + Feb, Jan; + the region row


@time_machine.travel(NOW, tick=False)
def test_overview_pages_keep_the_filter_and_the_totals(client, region, admin_user):
    units, _stages = _many(60, region, admin_user)
    client.force_login(admin_user)
    url = reverse("monitoring:overview")
    first = client.get(url)
    second = client.get(url, {"page": 2})
    ordered = sorted([region, *units], key=lambda u: (u.name, u.pk))
    assert [r["unit"] for r in first.context["rows"]] == ordered[:50]
    assert [r["unit"] for r in second.context["rows"]] == ordered[50:]
    assert first.context["totals"] == second.context["totals"]
    assert 'href="?page=2"' in first.content.decode()
    # Only the units whose March report is still to file (drafts and not started), over two pages.
    due = client.get(url, {"status": "due"})
    expected = sorted([region, *units[::3]], key=lambda u: (u.name, u.pk))
    assert due.context["page"].paginator.count == len(expected) == 21
    assert [r["unit"] for r in due.context["rows"]] == expected
    assert all(r["cells"][0]["status"] == "overdue" for r in due.context["rows"])
    assert due.context["totals"][0]["overdue"] == 21 and due.context["totals"][0]["submitted"] == 0
    done = client.get(url, {"status": "done"})
    assert done.context["page"].paginator.count == 40
    assert {r["cells"][0]["status"] for r in done.context["rows"]} == {"submitted", "accepted"}


@time_machine.travel(NOW, tick=False)
def test_overview_page_links_keep_the_status_filter(client, region, admin_user):
    for _ in range(55):
        UnitFactory(parent=region)
    client.force_login(admin_user)
    page = client.get(reverse("monitoring:overview"), {"status": "due"}).content.decode()
    assert 'href="?status=due&page=2"' in page
    assert "Halaman 1 dari 2" in page or "Page 1 of 2" in page


@pytest.mark.parametrize("n", [3, 30])
def test_matrix_query_count_and_colours(client, django_assert_max_num_queries, n, region, admin_user):
    units, stages = _many(n, region, admin_user)
    client.force_login(admin_user)
    election = Election.objects.get(name="Pemilu uji")
    # session, user, roles (2), elections, units, stages, cells
    with django_assert_max_num_queries(9):
        response = client.get(reverse("monitoring:risk_matrix"), {"election": election.pk})
    page = response.content.decode()
    assert response.status_code == 200
    # Each unit has one open point (likelihood 1..5 × impact 5) in one of the three stages; closed ones never count.
    expected = [3 if (1 + i % 5) * 5 >= 15 else 2 if (1 + i % 5) * 5 >= 8 else 1 for i in range(n)]
    assert page.count('data-level="3"') == expected.count(3)
    assert page.count('data-level="1"') == expected.count(1)
    assert page.count('data-level="0"') == n * 3 - n + 3  # + the region's empty row


@pytest.mark.parametrize("n", [3, 30])
def test_report_and_point_lists_query_count(client, django_assert_max_num_queries, n, region, admin_user):
    _many(n, region, admin_user)
    client.force_login(admin_user)
    # session, user, roles (2), count, page of reports, units for the start form (exists + options)
    with django_assert_max_num_queries(9):
        response = client.get(reverse("monitoring:report_list"))
    assert response.content.decode().count("data-report=") == min(2 * n, 50)
    # session, user, roles (2), points, stages (for the review dates)
    with django_assert_max_num_queries(7):
        response = client.get(reverse("monitoring:point_list"))
    assert response.content.decode().count("data-point=") == 2 * n


@time_machine.travel(dt.datetime(2024, 2, 12, 2, 0, tzinfo=dt.UTC), tick=False)
def test_dashboard_panel_shows_stages_and_reports_due(client, taskforce_a, unit_a, staff_a):
    seed_elections()
    client.force_login(taskforce_a)
    page = client.get(reverse("core:dashboard")).content.decode()
    assert "data-current-stage" in page and "Masa tenang" in page
    assert "data-next-stage" in page and "Pemungutan suara" in page
    assert "Lapas A" in page  # January's report is not started, due 10 Feb: overdue
    client.force_login(staff_a)
    assert "data-current-stage" not in client.get(reverse("core:dashboard")).content.decode()


def test_admin_edits_elections_and_stages(client, admin_user):
    client.force_login(admin_user)
    data = {
        "name": "Pilkada 2029",
        "kind": "REGIONAL",
        "voting_day": "2029-11-28",
        "starts_on": "2029-01-01",
        "ends_on": "2029-12-31",
        "regulation": "PKPU x/2029",
    }
    assert client.post(reverse("monitoring:election_create"), data).status_code == 302
    election = Election.objects.get(name="Pilkada 2029")
    bad = {"name": "Kampanye", "starts_on": "2029-10-01", "ends_on": "2029-09-01", "order": 1}
    assert client.post(reverse("monitoring:stage_create", args=[election.pk]), bad).status_code == 400
    good = {**bad, "ends_on": "2029-11-24"}
    assert client.post(reverse("monitoring:stage_create", args=[election.pk]), good).status_code == 302
    stage = election.stages.get()
    edit = {**good, "name": "Masa kampanye"}
    assert client.post(reverse("monitoring:stage_edit", args=[election.pk, stage.pk]), edit).status_code == 302
    stage.refresh_from_db()
    assert stage.name == "Masa kampanye"
    assert "Masa kampanye" in client.get(reverse("monitoring:election_list")).content.decode()


def test_demo_seed_is_idempotent_and_leaves_next_report_open(db):
    from django.core.management import call_command

    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    from satgas.monitoring.models import MonitoringReport, VulnerablePoint

    counts = (MonitoringReport.objects.count(), VulnerablePoint.objects.count())
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert (MonitoringReport.objects.count(), VulnerablePoint.objects.count()) == counts
    assert counts[0] >= 4 and counts[1] >= 4
    from satgas.accounts.models import User
    from satgas.monitoring import selectors

    member = User.objects.get(email="satgas@satgas.test")
    overview = selectors.status_overview(member, count=1)
    smg = next(r for r in overview["rows"] if r["unit"].code == "LAPAS-SMG")
    assert smg["cells"][0]["report"] is None  # the latest ended period: to be filed in the demo
    assert services.report_start(actor=member, unit=smg["unit"], period_start=overview["periods"][0][0]).pk


@pytest.mark.parametrize("n", [3, 30, 60])
@time_machine.travel(NOW, tick=False)
def test_dashboard_panel_query_count_does_not_grow(client, django_assert_max_num_queries, n, region, admin_user):
    units, _stages = _many(n, region, admin_user)
    client.force_login(admin_user)
    with django_assert_max_num_queries(15):
        response = client.get(reverse("core:dashboard"))
    assert response.status_code == 200
    # The latest ended period is March (due 10 April, today 20 April): drafts and the region are overdue.
    due = response.context["monitoring_panel"]["due"]
    overdue = len(range(0, n, 3)) + 1
    assert (due["overdue"], due["due_soon"], due["filed"]) == (overdue, 0, n - len(range(0, n, 3)))
    # At most five units, the least advanced first (the region has no report; then drafts by name).
    drafts = sorted(units[::3], key=lambda u: (u.name, u.pk))
    assert [i["unit"] for i in due["items"]] == [region, *drafts][:5]
    assert due["more"] == overdue - len(due["items"])
    page = response.content.decode()
    assert page.count("data-due-unit=") == min(overdue, 5)
    if overdue > 5:
        assert f'href="{reverse("monitoring:overview")}?status=due" data-more' in page
    else:
        assert "data-more" not in page


@time_machine.travel(dt.datetime(2024, 4, 5, 3, 0, tzinfo=dt.UTC), tick=False)
def test_dashboard_panel_counts_reports_due_soon(client, region, admin_user):
    """Before the due date (10 April) the reports still to file are "due soon", not overdue."""
    _many(6, region, admin_user)
    client.force_login(admin_user)
    due = client.get(reverse("core:dashboard")).context["monitoring_panel"]["due"]
    assert (due["overdue"], due["due_soon"], due["filed"]) == (0, 3, 4)  # region + 2 drafts; 2 submitted, 2 accepted
    assert [i["status"] for i in due["items"]] == ["not_started", "draft", "draft"]


def test_dashboard_head_counts_and_people_without_a_login(client, admin_user, taskforce_a, staff_a, unit_a, unit_b):
    """The registry summary beside the panel: per employment type, and "without a login" by subtraction."""
    from satgas.accounts.tests.factories import UserFactory
    from satgas.personnel.tests.factories import PersonFactory

    PersonFactory(unit=unit_b, ppnpn=True)
    PersonFactory(unit=unit_b, employment_type="PPPK")
    UserFactory(email="pensiun@uji.test", person=PersonFactory(unit=unit_a, status="RETIRED"))  # not counted
    client.force_login(admin_user)
    summary = client.get(reverse("core:dashboard")).context["summary"]
    # Active: taskforce_a's and staff_a's records (both with a login, PNS), one PPNPN, one PPPK.
    assert summary == {**summary, "total": 4, "pns": 2, "pppk": 1, "ppnpn": 1, "without_account": 2}
    client.force_login(taskforce_a)  # their unit only: the two people of unit A, both with a login
    summary = client.get(reverse("core:dashboard")).context["summary"]
    assert (summary["total"], summary["without_account"], summary["units"]) == (2, 0, 1)
