"""Region-wide figures kept in the cache (satgas.core.aggregates): recomputed after every change they count."""

import pytest
from django.contrib.auth.models import update_last_login
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from satgas.accounts.tests.factories import UserFactory
from satgas.core import aggregates
from satgas.oaths import services
from satgas.oaths.tests.factories import open_campaign
from satgas.personnel.importing import import_personnel_file
from satgas.personnel.models import Unit
from satgas.personnel.tests.factories import PersonFactory, make_nip

pytestmark = pytest.mark.django_db


class Counter:
    def __init__(self):
        self.calls = 0

    def __call__(self):
        self.calls += 1
        return {"n": self.calls}


def test_a_figure_is_computed_once_until_its_topic_changes():
    compute = Counter()
    assert aggregates.cached("x", (1, [2, 3]), compute, topics=["t"]) == {"n": 1}
    assert aggregates.cached("x", (1, [2, 3]), compute, topics=["t"]) == {"n": 1}
    assert aggregates.cached("x", (1, [2, 4]), compute, topics=["t"]) == {"n": 2}  # other parts, other figure
    aggregates.changed("other")
    assert aggregates.cached("x", (1, [2, 3]), compute, topics=["t"]) == {"n": 1}
    aggregates.changed("t")
    assert aggregates.cached("x", (1, [2, 3]), compute, topics=["t"]) == {"n": 3}


def test_a_change_inside_a_transaction_is_bumped_again_when_it_commits(django_capture_on_commit_callbacks):
    compute = Counter()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        aggregates.changed("t")
        assert aggregates.cached("x", 1, compute, topics=["t"]) == {"n": 1}  # a reader before the commit
    assert len(callbacks) == 1
    callbacks[0]()  # the commit
    assert aggregates.cached("x", 1, compute, topics=["t"]) == {"n": 2}


def test_saving_people_and_logins_changes_the_registry_but_a_login_does_not(unit_a):
    compute = Counter()

    def read():
        return aggregates.cached("registry-probe", None, compute, topics=[aggregates.REGISTRY])["n"]

    assert read() == 1
    person = PersonFactory(unit=unit_a)
    assert read() == 2
    user = UserFactory(person=person)
    assert read() == 3
    update_last_login(None, user)
    assert read() == 3
    person.save()
    assert read() == 4


def test_dashboard_head_count_follows_the_registry_and_is_not_recounted_in_between(client, admin_user, unit_a):
    PersonFactory.create_batch(2, unit=unit_a)
    client.force_login(admin_user)
    url = reverse("core:dashboard")
    assert client.get(url).context["summary"]["total"] == 2
    with CaptureQueriesContext(connection) as cached_view:
        assert client.get(url).context["summary"]["total"] == 2
    assert not [q for q in cached_view.captured_queries if "GROUP BY" in q["sql"] and "personnel_person" in q["sql"]]
    PersonFactory(unit=unit_a)
    assert client.get(url).context["summary"]["total"] == 3


def test_a_personnel_import_written_in_bulk_changes_the_registry(client, admin_user, unit_a):
    client.force_login(admin_user)
    url = reverse("core:dashboard")
    assert client.get(url).context["summary"]["total"] == 0
    content = (
        f"nama,jenis_pegawai,nip,nik,kode_unit,jabatan\nBudi Santoso,PNS,{make_nip(serial=3)},,{unit_a.code},Staf\n"
    ).encode()
    result = import_personnel_file(content=content, filename="p.csv", actor=admin_user, dry_run=False, strict=True)
    assert result.applied, result.issues
    assert client.get(url).context["summary"]["total"] == 1


def test_compliance_totals_are_read_from_the_cache_until_someone_signs(client, admin_user, unit_a):
    PersonFactory.create_batch(3, unit=unit_a)
    campaign = open_campaign(units=[unit_a], actor=admin_user)
    client.force_login(admin_user)
    url = reverse("oaths:campaign_detail", args=[campaign.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as cached_view:
        compliance = client.get(url).context["compliance"]
    assert (compliance["required"], compliance["signed"]) == (3, 0)
    assert not [q for q in cached_view.captured_queries if "oaths_signature" in q["sql"] and "COUNT" in q["sql"]]


def test_many_rows_in_one_transaction_bump_each_topic_once_more_on_commit(unit_a):
    PersonFactory.create_batch(5, unit=unit_a)
    aggregates.changed(aggregates.REGISTRY, aggregates.MONITORING)
    pending = [c.topic for _sids, c, _robust in connection.run_on_commit if isinstance(c, aggregates._BumpOnCommit)]
    assert sorted(pending) == ["monitoring", "registry"]  # the test's transaction never commits: still pending


def test_signing_one_campaign_leaves_another_campaigns_figures_cached(admin_user, unit_a, unit_b):
    person = PersonFactory(unit=unit_a)
    first = open_campaign(units=[unit_a], actor=admin_user)
    second = open_campaign(units=[unit_b], actor=admin_user)
    figures = {c.pk: Counter() for c in (first, second)}

    def read(campaign):
        topics = [aggregates.REGISTRY, aggregates.campaign_topic(campaign.pk)]
        return aggregates.cached("probe", campaign.pk, figures[campaign.pk], topics=topics)["n"]

    assert (read(first), read(second)) == (1, 1)
    services.oath_sign(
        campaign=first, person=person, typed_name=person.full_name, confirmed=[1, 2, 3], ip_address=None, user_agent=""
    )
    assert (read(first), read(second)) == (2, 1)
    second.units.add(unit_a)  # a campaign's units change: its figures do
    assert (read(first), read(second)) == (2, 2)


def test_without_a_shared_cache_figures_are_computed_every_time(settings):
    settings.SATGAS_AGGREGATE_CACHE = False
    compute = Counter()
    aggregates.cached("x", 1, compute, topics=["t"])
    assert aggregates.cached("x", 1, compute, topics=["t"]) == {"n": 2}


def test_a_cache_that_is_down_neither_fails_a_write_nor_a_page(monkeypatch, unit_a):
    def down(*args, **kwargs):
        raise ConnectionError("redis down")

    for method in ("get_many", "get", "set", "add", "incr"):
        monkeypatch.setattr(aggregates.cache, method, down)
    PersonFactory(unit=unit_a)  # the save's bump fails quietly
    compute = Counter()
    assert aggregates.cached("x", 1, compute, topics=["t"]) == {"n": 1}
    assert aggregates.cached("x", 1, compute, topics=["t"]) == {"n": 2}


def test_a_version_the_cache_lost_never_returns_to_an_earlier_value():
    aggregates.changed("t")
    key = aggregates._version_key("t")
    before = aggregates.cache.get(key)
    aggregates.cache.delete(key)  # evicted
    aggregates.changed("t")
    assert aggregates.cache.get(key) > before


def test_the_scope_of_an_empty_queryset_is_a_key_too():
    assert aggregates.scope_of(Unit.objects.none()) == aggregates.scope_of(Unit.objects.filter(pk__in=[]))
    assert aggregates.scope_of(Unit.objects.filter(pk__in=[1])) != aggregates.scope_of(Unit.objects.none())
