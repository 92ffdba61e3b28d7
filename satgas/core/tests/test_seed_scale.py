"""seed_scale: counts, valid identity numbers, constraints, and pages that render for the bench accounts."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.models import Count
from django.urls import reverse

from satgas.accounts.demo import DEMO_PASSWORD
from satgas.accounts.models import User
from satgas.accounts.roles import roles_for
from satgas.monitoring.models import MonitoringReport, ReportVersion, VulnerablePoint
from satgas.oaths.models import Campaign, Signature
from satgas.personnel import identity
from satgas.personnel.models import Person, Placement, Unit
from satgas.socialization.models import Attendance, SocializationSession
from satgas.taskforces.models import Inauguration, Membership, TaskForce
from satgas.violations.models import Case, CaseCounter, CaseTransition

UNITS, PEOPLE, CASES = 3, 200, 20


def seed(**extra):
    out = io.StringIO()
    call_command("seed_scale", units=UNITS, personnel=PEOPLE, cases=CASES, stdout=out, **extra)
    return out.getvalue()


def check_seeded():
    assert Unit.objects.count() == UNITS + 1  # the regional office and the units under it
    assert Unit.objects.filter(parent__code="KWJATENG").count() == UNITS
    assert Person.objects.count() == PEOPLE
    assert Placement.objects.filter(ended_on=None).count() == PEOPLE
    for person in Person.objects.all():
        info = identity.validate_for_type(person.employment_type, person.identity_number)
        assert (info.birth_date, info.sex) == (person.birth_date, person.sex)
        person.full_clean()
    kinds = dict(Person.objects.values_list("employment_type").annotate(n=Count("id")))
    assert kinds["PNS"] > kinds["PPNPN"] > 0
    campaigns = list(Campaign.objects.all())
    assert len(campaigns) == 2
    active = Person.objects.filter(status="ACTIVE").count()
    for campaign in campaigns:
        assert campaign.units.count() == UNITS + 1
        signed = Signature.objects.filter(campaign=campaign).count()
        assert 0.75 * active < signed < 0.95 * active
    assert Signature.objects.filter(text_sha256=campaigns[0].version.text_sha256).count() == Signature.objects.count()
    assert SocializationSession.objects.count() == 2 * (UNITS + 1) and Attendance.objects.exists()
    assert TaskForce.objects.filter(status="ACTIVE").count() == 2 * (UNITS + 1)
    assert Inauguration.objects.count() == TaskForce.objects.count()
    assert Membership.objects.filter(task_force__unit__code="LAPAS-SMG", role="LEADER").count() == 4  # 2 per election
    assert Case.objects.count() == CASES and CaseCounter.objects.get(year=2024).last == CASES
    assert CaseTransition.objects.exists()
    for case in Case.objects.all():
        case.full_clean()
    assert MonitoringReport.objects.count() == 12 * (UNITS + 1)
    assert ReportVersion.objects.exists() and VulnerablePoint.objects.exists()


def check_pages(client):
    admin = User.objects.get(email="admin@satgas.test")
    assert admin.check_password(DEMO_PASSWORD) and roles_for(admin).is_regional_admin
    member = User.objects.get(email="satgas@satgas.test")
    assert roles_for(member).taskforce_unit_ids == {Unit.objects.get(code="LAPAS-SMG").pk}
    staff = User.objects.get(email="pegawai@satgas.test")
    assert staff.person is not None and not roles_for(staff).is_taskforce
    campaign = Campaign.objects.order_by("pk").first()
    assert client.get(reverse("core:ping")).status_code == 302  # the trivial view needs a login too
    client.force_login(admin)
    response = client.get(reverse("core:ping"))
    assert response.status_code == 200 and response.content == b"ok"
    pages = {
        reverse("core:dashboard"): b"Active employees",
        reverse("personnel:person_list") + "?q=santoso": b"Santoso",
        reverse("oaths:campaign_detail", args=[campaign.pk]): b"Lapas Kelas I Semarang",
        reverse("violations:case_list"): b"NET/JTG/2024/",
        reverse("taskforces:overview"): b"Lapas Kelas I Semarang",
        reverse("monitoring:overview"): b"Lapas Kelas I Semarang",
    }
    client.cookies.load({"django_language": "en"})
    for url, text in pages.items():
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 200, url
        assert text in response.content, url
    for user in (member, staff):
        client.force_login(user)
        assert client.get(reverse("core:dashboard")).status_code == 200
    client.force_login(member)
    assert client.get(reverse("taskforces:overview")).status_code == 200


@pytest.mark.django_db
def test_seed_scale_fills_every_app_with_valid_data(client):
    out = seed()
    assert "personnel_person | 200 |" in out and "Seeded 3 units" in out
    check_seeded()
    check_pages(client)


@pytest.mark.django_db
def test_seed_scale_refuses_a_database_with_data_unless_forced():
    seed()
    nips = set(Person.objects.exclude(nip=None).values_list("nip", flat=True))
    with pytest.raises(CommandError, match="already has units"):
        seed()
    seed(force=True, seed=7)
    assert Person.objects.count() == 2 * PEOPLE and Unit.objects.count() == 2 * UNITS + 1
    assert nips < set(Person.objects.exclude(nip=None).values_list("nip", flat=True))
    assert User.objects.filter(email="admin@satgas.test").count() == 1


class Rollback(Exception):
    pass


@pytest.mark.django_db
def test_seed_scale_is_deterministic():
    def snapshot():
        people = list(Person.objects.order_by("id").values_list("full_name", "nip", "nik", "unit__code"))
        return people, list(Signature.objects.order_by("id").values_list("verification_code", flat=True))

    with pytest.raises(Rollback), transaction.atomic():  # the same seed on an empty database again
        seed()
        first = snapshot()
        raise Rollback
    seed()
    assert snapshot() == first


@pytest.mark.postgres
@pytest.mark.django_db
def test_seed_scale_copies_into_postgresql_and_resets_sequences(client):
    if connection.vendor != "postgresql":
        pytest.skip("the COPY path needs PostgreSQL")
    seed()
    check_seeded()
    check_pages(client)
    # The sequences moved past the copied ids: the application's own inserts still work.
    unit = Unit.objects.create(code="BARU", name="Unit baru", unit_type="LAPAS")
    assert unit.pk > Unit.objects.exclude(pk=unit.pk).order_by("-pk").first().pk
    assert Person.objects.create(full_name="Baru", employment_type="PPNPN", nik="3301014105900001", unit=unit).pk
