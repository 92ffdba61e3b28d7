import datetime as dt
import io
import re

import openpyxl
import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from satgas.oaths import services, tasks
from satgas.oaths.models import Campaign, CampaignStatus, ReminderLog, Signature
from satgas.oaths.tests.factories import ElectionFactory, open_campaign, published_version, sign_data
from satgas.personnel.tests.factories import PersonFactory, UnitFactory


def _sign(campaign, person):
    return services.oath_sign(
        campaign=campaign,
        person=person,
        typed_name=person.full_name,
        confirmed=[1, 2, 3],
        ip_address=None,
        user_agent="",
    )


# --- Permission matrix -------------------------------------------------------------

VIEWS = ["list", "texts", "new_campaign", "detail_a", "detail_b", "non_signers_a", "xlsx_a", "paper_a", "coverage"]
# fmt: off
MATRIX = {
    "admin_user":  [200, 200, 200, 200, 200, 200, 200, 200, 200],
    "taskforce_a": [200, 403, 403, 200, 404, 200, 200, 403, 200],
    "taskforce_b": [200, 403, 403, 404, 200, 404, 404, 403, 200],
    "staff_a":     [302, 403, 403, 404, 404, 404, 404, 403, 403],
    "leader":      [200, 403, 403, 200, 200, 200, 200, 403, 200],
    "outsider":    [403, 403, 403, 404, 404, 404, 404, 403, 403],
}
# fmt: on


@pytest.fixture
def campaigns(unit_a, unit_b, admin_user):
    return {
        "a": open_campaign(units=[unit_a], actor=admin_user, title="A"),
        "b": open_campaign(units=[unit_b], actor=admin_user, title="B"),
    }


def _url(view, campaigns):
    a, b = campaigns["a"].pk, campaigns["b"].pk
    return {
        "list": reverse("oaths:campaign_list"),
        "texts": reverse("oaths:version_list"),
        "new_campaign": reverse("oaths:campaign_create"),
        "detail_a": reverse("oaths:campaign_detail", args=[a]),
        "detail_b": reverse("oaths:campaign_detail", args=[b]),
        "non_signers_a": reverse("oaths:campaign_non_signers", args=[a]),
        "xlsx_a": reverse("oaths:campaign_non_signers_xlsx", args=[a]),
        "paper_a": reverse("oaths:campaign_paper", args=[a]),
        "coverage": reverse("oaths:coverage"),
    }[view]


@pytest.mark.parametrize("view", VIEWS)
def test_permission_matrix(client, persona, campaigns, view):
    name, user = persona
    client.force_login(user)
    assert client.get(_url(view, campaigns)).status_code == MATRIX[name][VIEWS.index(view)], (name, view)


@pytest.mark.parametrize("persona_name", ["taskforce_a", "leader", "staff_a", "outsider"])
def test_only_admins_change_campaigns(client, request, campaigns, persona_name):
    client.force_login(request.getfixturevalue(persona_name))
    campaign = campaigns["a"]
    response = client.post(reverse("oaths:campaign_transition", args=[campaign.pk]), {"to": "CLOSED"})
    assert response.status_code in (403, 404)
    assert Campaign.objects.get(pk=campaign.pk).status == CampaignStatus.OPEN


# --- Campaign life ------------------------------------------------------------------


def test_admin_creates_and_opens_a_campaign(client, admin_user, unit_a, unit_b):
    version = published_version(actor=admin_user)
    election = ElectionFactory()
    client.force_login(admin_user)
    response = client.post(
        reverse("oaths:campaign_create"),
        {
            "title": "Ikrar 2026",
            "version": version.pk,
            "election": election.pk,
            "units": [unit_a.pk, unit_b.pk],
            "employment_types": ["PNS", "PPNPN"],
            "opens_at": "2026-11-22T08:00",
            "closes_at": "2026-12-22T16:00",
        },
    )
    campaign = Campaign.objects.get(title="Ikrar 2026")
    assert response.status_code == 302 and campaign.status == CampaignStatus.DRAFT
    assert (
        timezone.localtime(campaign.opens_at).hour == 8
        and str(timezone.localtime(campaign.opens_at).tzinfo) == "Asia/Jakarta"
    )
    with time_machine.travel(dt.datetime(2026, 11, 23, 1, 0, tzinfo=dt.UTC)):
        client.post(reverse("oaths:campaign_transition", args=[campaign.pk]), {"to": "OPEN"})
        campaign.refresh_from_db()
        assert campaign.status == CampaignStatus.OPEN and campaign.is_signable()


def test_a_draft_version_cannot_be_used_and_bad_windows_are_refused(client, admin_user, unit_a):
    election = ElectionFactory()
    version = published_version(actor=admin_user)
    client.force_login(admin_user)
    response = client.post(
        reverse("oaths:campaign_create"),
        {
            "title": "X",
            "version": version.pk,
            "election": election.pk,
            "units": [unit_a.pk],
            "employment_types": ["PNS"],
            "opens_at": "2026-12-22T08:00",
            "closes_at": "2026-12-01T08:00",
        },
    )
    assert response.status_code == 200 and response.context["form"].errors["closes_at"]
    assert not Campaign.objects.filter(title="X").exists()


@pytest.mark.parametrize(
    "source,target,allowed",
    [
        ("DRAFT", "OPEN", True),
        ("DRAFT", "CLOSED", False),
        ("OPEN", "CLOSED", True),
        ("OPEN", "DRAFT", False),
        ("CLOSED", "OPEN", True),
        ("CLOSED", "DRAFT", False),
        ("OPEN", "OPEN", False),
    ],
)
def test_every_campaign_transition(admin_user, unit_a, source, target, allowed):
    campaign = open_campaign(units=[unit_a], actor=admin_user, status="DRAFT")
    Campaign.objects.filter(pk=campaign.pk).update(status=source)
    campaign.refresh_from_db()
    if allowed:
        assert services.campaign_transition(actor=admin_user, campaign=campaign, to=target).status == target
    else:
        with pytest.raises(services.OathError):
            services.campaign_transition(actor=admin_user, campaign=campaign, to=target)
        assert Campaign.objects.get(pk=campaign.pk).status == source


def test_expired_campaigns_are_closed_by_the_periodic_task(admin_user, unit_a):
    campaign = open_campaign(units=[unit_a], actor=admin_user, hours_open=1)
    with time_machine.travel(timezone.now() + dt.timedelta(hours=2)):
        assert tasks.oath_campaigns_close_expired() == 1
    assert Campaign.objects.get(pk=campaign.pk).status == CampaignStatus.CLOSED


# --- Compliance ------------------------------------------------------------------------


def test_compliance_moves_by_one_when_someone_signs(client, admin_user, unit_a, unit_b):
    people = [PersonFactory(unit=unit_a) for _ in range(3)] + [PersonFactory(unit=unit_b, ppnpn=True)]
    PersonFactory(unit=unit_a, status="RETIRED")
    campaign = open_campaign(units=[unit_a, unit_b], actor=admin_user)
    client.force_login(admin_user)
    before = client.get(reverse("oaths:campaign_detail", args=[campaign.pk])).context["compliance"]
    assert (before["required"], before["signed"]) == (4, 0)
    _sign(campaign, people[0])
    after = client.get(reverse("oaths:campaign_detail", args=[campaign.pk])).context["compliance"]
    assert (after["required"], after["signed"]) == (4, 1)
    row_a = next(r for r in after["rows"] if r["unit_id"] == unit_a.pk)
    assert (row_a["required"], row_a["signed"], row_a["percent"]) == (3, 1, 33.3)
    names = [p.full_name for p in client.get(reverse("oaths:campaign_non_signers", args=[campaign.pk])).context["page"]]
    assert people[0].full_name not in names and len(names) == 3


def test_taskforce_sees_only_its_unit_in_the_compliance_table(client, taskforce_a, admin_user, unit_a, unit_b):
    PersonFactory(unit=unit_b)
    campaign = open_campaign(units=[unit_a, unit_b], actor=admin_user)
    client.force_login(taskforce_a)
    rows = client.get(reverse("oaths:campaign_detail", args=[campaign.pk])).context["compliance"]["rows"]
    assert [r["unit_id"] for r in rows] == [unit_a.pk]
    xlsx = client.get(reverse("oaths:campaign_non_signers_xlsx", args=[campaign.pk]))
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    units = {row[4] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert units == {unit_a.name}


@pytest.mark.parametrize("rows", [3, 30])
def test_compliance_pages_have_flat_query_counts(
    client, admin_user, unit_a, unit_b, rows, django_assert_max_num_queries
):
    people = [PersonFactory(unit=unit_a if i % 2 else unit_b) for i in range(rows)]
    campaign = open_campaign(units=[unit_a, unit_b], actor=admin_user)
    for person in people[: rows // 3]:
        _sign(campaign, person)
    client.force_login(admin_user)
    for name in ("oaths:campaign_detail", "oaths:campaign_non_signers", "oaths:campaign_signatures"):
        with django_assert_max_num_queries(12):
            assert client.get(reverse(name, args=[campaign.pk])).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(reverse("oaths:campaign_list")).status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get(reverse("oaths:coverage")).status_code == 200


def _region_campaign(admin_user, region, units):
    """``units`` units with two people each (one signed in every third unit) and an empty unit; a campaign."""
    made = [UnitFactory(parent=region) for _ in range(units)]
    empty = UnitFactory(parent=region)
    people = [PersonFactory(unit=unit) for unit in made for _ in range(2)]
    campaign = open_campaign(units=[*made, empty], actor=admin_user)
    signed = [people[2 * i] for i in range(0, units, 3)]
    for person in signed:
        _sign(campaign, person)
    return made, people, signed, campaign


@pytest.mark.parametrize("units", [3, 60])
def test_compliance_table_query_count_is_flat_over_units(
    client, admin_user, region, units, django_assert_max_num_queries
):
    _made, people, signed, campaign = _region_campaign(admin_user, region, units)
    client.force_login(admin_user)
    # session, user, roles (2), campaign, its units, count of units, the page's units, their counts, totals
    with django_assert_max_num_queries(10):
        response = client.get(reverse("oaths:campaign_detail", args=[campaign.pk]))
    compliance = response.context["compliance"]
    assert len(compliance["rows"]) == min(units, 50)  # the empty unit has no row
    assert (compliance["required"], compliance["signed"]) == (len(people), len(signed))


def test_compliance_second_page_shows_the_next_units_and_the_same_totals(client, admin_user, region):
    made, people, signed, campaign = _region_campaign(admin_user, region, 60)
    client.force_login(admin_user)
    url = reverse("oaths:campaign_detail", args=[campaign.pk])
    first, second = client.get(url), client.get(url, {"page": 2})
    ordered = sorted(made, key=lambda u: (u.name, u.pk))
    assert [r["unit_id"] for r in first.context["compliance"]["rows"]] == [u.pk for u in ordered[:50]]
    assert [r["unit_id"] for r in second.context["compliance"]["rows"]] == [u.pk for u in ordered[50:]]
    for response in (first, second):
        compliance = response.context["compliance"]
        assert (compliance["required"], compliance["signed"], compliance["percent"]) == (120, 20, 16.7)
    signed_units = {p.unit_id for p in signed}
    for row in first.context["compliance"]["rows"] + second.context["compliance"]["rows"]:
        assert (row["required"], row["signed"]) == (2, 1 if row["unit_id"] in signed_units else 0)
    assert 'href="?page=2"' in first.content.decode() and 'data-total="required">120<' in second.content.decode()
    # The export of the non-signers still lists everybody, whatever page the table shows.
    xlsx = client.get(reverse("oaths:campaign_non_signers_xlsx", args=[campaign.pk]))
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet.max_row - 1 == len(people) - len(signed) == 100


# --- Reminders -----------------------------------------------------------------------------


def test_reminders_reach_non_signers_once_a_day_through_celery(
    client, admin_user, unit_a, django_capture_on_commit_callbacks
):
    signer = PersonFactory(unit=unit_a, email="sudah@x.test")
    waiting = [PersonFactory(unit=unit_a, email=f"belum{i}@x.test") for i in range(3)]
    PersonFactory(unit=unit_a, email="")  # no address: nobody to email
    campaign = open_campaign(units=[unit_a], actor=admin_user)
    _sign(campaign, signer)
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("oaths:campaign_remind", args=[campaign.pk]))
    assert response.status_code == 302
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in waiting)
    link = re.search(r"http://\S+/ikrar/undangan/\S+/", mail.outbox[0].body).group(0)
    assert client.get(link.replace("http://127.0.0.1:8000", "")).status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("oaths:campaign_remind", args=[campaign.pk]))
    assert len(mail.outbox) == 3, "each person gets at most one email per day"
    with time_machine.travel(timezone.now() + dt.timedelta(days=1)):
        with django_capture_on_commit_callbacks(execute=True):  # the batches leave through the outbox, after commit
            tasks.oath_reminders_dispatch(campaign.pk, None)
    assert len(mail.outbox) == 6
    assert set(ReminderLog.objects.values_list("kind", flat=True)) == {"INVITATION", "REMINDER"}


def test_daily_schedule_reminds_campaigns_closing_soon(
    admin_user, unit_a, settings, django_capture_on_commit_callbacks
):
    PersonFactory(unit=unit_a, email="a@x.test")
    soon = open_campaign(units=[unit_a], actor=admin_user, hours_open=24, title="Soon")
    open_campaign(units=[unit_a], actor=admin_user, hours_open=24 * 20, title="Later")
    with django_capture_on_commit_callbacks(execute=True):  # the dispatches leave through the outbox, after commit
        assert tasks.oath_reminders_before_closing() == 1
    assert [m.to for m in mail.outbox] == [["a@x.test"]]
    assert ReminderLog.objects.get().campaign == soon
    assert "oath-reminders-before-closing" in settings.CELERY_BEAT_SCHEDULE


def test_taskforce_reminds_only_its_unit(
    client, taskforce_a, admin_user, unit_a, unit_b, django_capture_on_commit_callbacks
):
    PersonFactory(unit=unit_a, email="a@x.test")
    PersonFactory(unit=unit_b, email="b@x.test")
    campaign = open_campaign(units=[unit_a, unit_b], actor=admin_user)
    client.force_login(taskforce_a)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("oaths:campaign_remind", args=[campaign.pk]))
    recipients = {m.to[0] for m in mail.outbox}
    assert "a@x.test" in recipients and "b@x.test" not in recipients


def test_staff_sees_the_open_campaign_on_the_dashboard(client, staff_a, admin_user, unit_a):
    campaign = open_campaign(units=[unit_a], actor=admin_user)
    client.force_login(staff_a)
    html = client.get(reverse("core:dashboard")).content.decode()
    assert reverse("oaths:sign", args=[campaign.pk]) in html
    client.post(reverse("oaths:sign", args=[campaign.pk]), sign_data(staff_a.person))
    html = client.get(reverse("core:dashboard")).content.decode()
    signature = Signature.objects.get()
    assert reverse("oaths:statement", args=[signature.pk]) in html


def test_a_failing_mail_server_does_not_lose_the_days_reminders(admin_user, unit_a, settings):
    """A mail server that cannot be reached (a failure before DATA): nothing is recorded as sent, and the task's
    retry sends everyone's email. (Failures once DATA started are in test_reminders_exactly_once.py.)"""
    from satgas.oaths import reminders
    from satgas.reports.tests.mailserver import mail_server, unused_port, use_smtp

    people = [PersonFactory(unit=unit_a, email=f"p{i}@x.test") for i in range(3)]
    campaign = open_campaign(units=[unit_a], actor=admin_user)
    use_smtp(settings, unused_port())
    with pytest.raises(OSError):
        reminders.send_reminders(campaign, [p.pk for p in people])
    assert not ReminderLog.objects.exists(), "a claim that never reached the server is released"
    with mail_server() as (inbox, port):
        use_smtp(settings, port)
        assert reminders.send_reminders(campaign, [p.pk for p in people]).sent == 3  # the task's retry
    assert sorted(m["X-Envelope-To"] for m in inbox.messages) == [p.email for p in people]
    assert ReminderLog.objects.filter(status="SENT").count() == 3


def test_compliance_bars_use_css_numbers_in_indonesian(client, admin_user, unit_a):
    people = [PersonFactory(unit=unit_a) for _ in range(3)]
    campaign = open_campaign(units=[unit_a], actor=admin_user)
    _sign(campaign, people[0])
    client.force_login(admin_user)
    html = client.get(reverse("oaths:campaign_detail", args=[campaign.pk])).content.decode()
    # The bar's width is a class (the Content-Security-Policy allows no style attribute); the number in
    # aria-valuenow keeps the dot an Indonesian locale would have turned into a comma.
    assert 'class="progress-bar bg-success satgas-w-33"' in html and 'aria-valuenow="33.3"' in html
