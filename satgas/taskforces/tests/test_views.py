"""Pages do what they say: overview statuses and filters, export, activation, decree and defaults forms."""

import datetime as dt
import io
import re

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from satgas.personnel.tests.factories import PersonFactory, UnitFactory
from satgas.taskforces import selectors, services
from satgas.taskforces.models import MemberRole, RegionalDefaults, TaskForce
from satgas.taskforces.views import STATUS_LABELS

from .factories import active_taskforce, add_members, make_taskforce

pytestmark = pytest.mark.django_db


@pytest.fixture
def region_world(region, admin_user):
    units = {
        key: UnitFactory(parent=region, code=f"U-{key.upper()}")
        for key in ("none", "draft", "active", "short", "ended")
    }
    kanim = UnitFactory(parent=region, code="KANIM-X", unit_type="KANIM")
    make_taskforce(unit=units["draft"])
    active_taskforce(unit=units["active"], actor=admin_user)
    short = active_taskforce(unit=units["short"], actor=admin_user)
    services.membership_end(
        actor=admin_user, membership=selectors.roster(short)[-1], ended_on=selectors.today(), reason="Pensiun"
    )
    ended = active_taskforce(unit=units["ended"], actor=admin_user)
    services.taskforce_transition(actor=admin_user, task_force=ended, to="ENDED")
    return {**units, "kanim": kanim}


def test_overview_shows_each_status(client, admin_user, region_world, region):
    client.force_login(admin_user)
    rows = {r.unit.code: r for r in client.get(reverse("taskforces:overview")).context["rows"]}
    assert {code: rows[f"U-{code.upper()}"].status for code in ("none", "draft", "active", "short", "ended")} == {
        "none": "none",
        "draft": "draft",
        "active": "active",
        "short": "incomplete",
        "ended": "ended",
    }
    assert rows["U-SHORT"].counts == {"LEADER": 2, "SECRETARY": 2, "MEMBER": 7}
    assert rows["U-ACTIVE"].task_force.decree_number and rows["U-ACTIVE"].inaugurated is False
    html = client.get(reverse("taskforces:overview")).content.decode()
    row = re.search(r'<tr data-unit="U-SHORT".*?</tr>', html, re.S).group(0)
    with translation.override("id"):  # the UI language
        assert str(STATUS_LABELS["incomplete"]) in row
        assert f'data-label="{translation.gettext("Members")}"' in row
    rows = client.get(reverse("taskforces:overview"), {"unit_type": "KANIM"}).context["rows"]
    assert [r.unit for r in rows] == [region_world["kanim"]]


def test_overview_export_reads_back(client, admin_user, region_world):
    client.force_login(admin_user)
    response = client.get(reverse("taskforces:overview_xlsx"))
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = {row[0]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["U-SHORT"][3] == str(STATUS_LABELS["incomplete"])
    assert rows["U-SHORT"][4:7] == (2, 2, 7) and rows["U-SHORT"][7:10] == (2, 2, 8)
    assert rows["U-NONE"][4] in ("", None)


def test_activation_from_the_page_needs_a_reason_when_incomplete(client, admin_user, unit_a):
    tf = make_taskforce(unit=unit_a)
    add_members(tf, roles=[MemberRole.LEADER])
    client.force_login(admin_user)
    url = reverse("taskforces:transition", args=[tf.pk])
    client.post(url, {"to": "ACTIVE"})
    assert TaskForce.objects.get(pk=tf.pk).status == "DRAFT"
    client.post(url, {"to": "ACTIVE", "reason": "Unit kecil"})
    tf.refresh_from_db()
    assert tf.status == "ACTIVE" and tf.activation_reason == "Unit kecil"


def test_decree_form_generates_the_next_number(client, admin_user, unit_a):
    tf = make_taskforce(unit=unit_a)
    client.force_login(admin_user)
    data = {"number": "", "decree_date": "2024-01-22", "signatory_name": "Kakanwil", "signatory_title": "Kepala"}
    response = client.post(reverse("taskforces:decree", args=[tf.pk]), data)
    assert response.status_code == 302
    assert TaskForce.objects.get(pk=tf.pk).decree_number == "W.10-1.KP.05.02 TAHUN 2024"


def test_defaults_form_refuses_a_pattern_without_number(client, admin_user):
    client.force_login(admin_user)
    url = reverse("taskforces:defaults")
    data = {"leaders": 1, "secretaries": 1, "members": 4, "decree_place": "Semarang"}
    response = client.post(url, {**data, "decree_pattern": "SK/{tahun}"})
    assert response.status_code == 200 and "decree_pattern" in response.context["form"].errors
    client.post(url, {**data, "decree_pattern": "SK-{nomor}/{kode_unit}/{bulan_romawi}/{tahun}"})
    defaults = RegionalDefaults.objects.get()
    assert (defaults.leaders, defaults.members, defaults.decree_pattern) == (
        1,
        4,
        "SK-{nomor}/{kode_unit}/{bulan_romawi}/{tahun}",
    )


def test_detail_roster_as_of_a_date(client, admin_user, unit_a):
    tf = active_taskforce(unit=unit_a, actor=admin_user)
    old = selectors.roster(tf)[0]
    newcomer = PersonFactory(unit=unit_a)
    services.membership_replace(actor=admin_user, membership=old, person=newcomer, on=dt.date(2024, 6, 1), reason="x")
    client.force_login(admin_user)
    url = reverse("taskforces:detail", args=[tf.pk])
    before = {m.person for m in client.get(url, {"tanggal": "2024-05-31"}).context["members"]}
    after = {m.person for m in client.get(url, {"tanggal": "2024-06-01"}).context["members"]}
    assert old.person in before and newcomer not in before
    assert newcomer in after and old.person not in after
    assert client.get(url, {"tanggal": "not-a-date"}).context["on"] == selectors.today()
