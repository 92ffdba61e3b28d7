"""The demo data (``seed_demo``) loaded once for a test module, plus what the demo lacks for the pages
under test (an open campaign, a session checking in now, one of every kind of private file, a generated
six-monthly report, a case in a second unit).

``demo_site(django_db_blocker)`` seeds, yields, then flushes the database (as after any transactional
test) and puts back the data the migrations seed. Tests of such a module use plain ``django_db``: each
runs in a transaction that is rolled back, over the module's committed demo data.
"""

import contextlib
import datetime as dt
import importlib
import os

from django.core.management import call_command
from django.test import override_settings

PERSONA_EMAILS = {
    "admin": "admin@satgas.test",
    "taskforce": "satgas@satgas.test",
    "staff": "pegawai@satgas.test",
    "leader": "pimpinan@satgas.test",
}
CHECKIN_SESSION = "Sosialisasi netralitas (uji aksesibilitas)"
OWN_UNIT = "LAPAS-SMG"  # the task-force and staff personas' unit
OTHER_UNIT = "RUTAN-PBG"


def restore_migration_data():
    """Data seeded by migrations, which a flush removes (violation categories)."""
    from django.apps import apps

    migration = importlib.import_module("satgas.violations.migrations.0002_seed_categories")
    migration.seed(apps, None)


def seed_extras():
    """What the demo lacks for the pages under test: an open campaign and a session checking in now."""
    from django.utils import timezone

    from satgas.oaths import services as oath_services
    from satgas.oaths.models import Campaign, CampaignStatus
    from satgas.personnel.models import Unit
    from satgas.socialization.tests.factories import SessionFactory

    # The demo's second campaign is a draft: open it so staff have something to sign.
    for campaign in Campaign.objects.filter(status=CampaignStatus.DRAFT):
        oath_services.campaign_transition(actor=None, campaign=campaign, to=CampaignStatus.OPEN)
    now = timezone.now()
    SessionFactory(
        title=CHECKIN_SESSION,
        starts_at=now - dt.timedelta(minutes=30),
        ends_at=now + dt.timedelta(hours=1),
        units=[Unit.objects.get(code=OWN_UNIT)],
    )


def seed_every_kind_of_record():
    """One record of every kind a URL points at that the demo does not create, made through the services:
    a personnel import, a session material, a paper signature with its scan, a flagged post and an attachment
    of a monitoring report, a clarification with an attachment, a case in a second unit, a draft oath text,
    and the 2024-1 six-monthly report of the regional office."""
    from django.utils import timezone

    from satgas.accounts.models import User
    from satgas.monitoring import services as monitoring_services
    from satgas.monitoring.models import MonitoringReport
    from satgas.oaths import services as oath_services
    from satgas.oaths.models import Campaign, CampaignStatus, OathDocument
    from satgas.personnel import services as personnel_services
    from satgas.personnel.models import Person, Unit
    from satgas.reports.tests import factories as report_factories
    from satgas.socialization import services as socialization_services
    from satgas.socialization.models import SocializationSession
    from satgas.socialization.tests.factories import pdf_upload
    from satgas.violations import services as violation_services
    from satgas.violations.models import CaseStatus
    from satgas.violations.tests.factories import case_at, png

    admin = User.objects.get(email=PERSONA_EMAILS["admin"])
    own, other = Unit.objects.get(code=OWN_UNIT), Unit.objects.get(code=OTHER_UNIT)

    personnel_services.personnel_import_start(
        actor=admin,
        filename="pegawai.csv",
        content=b"nama,jenis_pegawai,nik,kode_unit\nUji Impor,PPNPN,3374120504920001,LAPAS-SMG\n",
        strict=False,
        create_accounts=False,
    )
    session = SocializationSession.objects.filter(units=own).order_by("pk").first()
    socialization_services.material_upload(actor=admin, session=session, upload=pdf_upload())

    campaign = Campaign.objects.filter(status=CampaignStatus.OPEN, units=own).order_by("pk").first()
    signer = next(
        person
        for person in Person.objects.filter(unit=own, user=None).order_by("-pk")
        if oath_services.person_in_scope(campaign, person)
        and not person.oath_signatures.filter(campaign=campaign).exists()
    )
    oath_services.oath_record_paper(
        actor=admin,
        campaign=campaign,
        person=signer,
        paper_signed_on=timezone.localtime(campaign.opens_at).date(),
        scan=pdf_upload("pindaian.pdf"),
    )
    document = OathDocument.objects.order_by("pk").first()
    oath_services.version_create(
        actor=admin,
        document=document,
        title="Draf ikrar (uji)",
        preamble="Kami yang bertanda tangan di bawah ini:",
        closing="Demikian ikrar ini kami buat.",
        confirm_mode=document.versions.order_by("pk").first().confirm_mode,
        commitments=["Menjaga netralitas."],
    )

    for unit in (own, other):
        # A draft report of the month before the demo's earliest one (the demo's are accepted, so locked).
        earliest = MonitoringReport.objects.filter(unit=unit).order_by("period_start").first()
        report = monitoring_services.report_start(
            actor=admin, unit=unit, period_start=earliest.period_start - dt.timedelta(days=1)
        )
        monitoring_services.flagged_post_add(
            actor=admin,
            report=report,
            platform="FACEBOOK",
            url="https://example.com/post/1",
            posted_on=timezone.localdate() - dt.timedelta(days=1),
            description="Unggahan dukungan calon.",
        )
        monitoring_services.attachment_add(actor=admin, report=report, upload=pdf_upload("lampiran.pdf"))

    for unit in (own, other):
        case = case_at(CaseStatus.CLARIFICATION, unit=unit)
        violation_services.clarification_record(
            actor=admin,
            case=case,
            held_on=timezone.localdate(),
            attendees="Terlapor, atasan",
            minutes="Klarifikasi.",
            attachment=png(),
        )
        violation_services.evidence_add(actor=admin, case=case, files=[png()])
        violation_services.case_assign(actor=admin, case=case, handler=admin)

    region = Unit.objects.get(code="KWJATENG")
    report_factories.ensure_head(region)
    report_factories.generate(office=region, actor=admin)


@contextlib.contextmanager
def demo_site(django_db_blocker, private_root, *, every_kind=False):
    """Seed the demo (committed) for a module; flush it afterwards."""
    from django.db import connections

    with django_db_blocker.unblock(), override_settings(PRIVATE_ROOT=private_root):
        restore_migration_data()
        call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
        seed_extras()
        if every_kind:
            seed_every_kind_of_record()
        try:
            yield
        finally:
            call_command("flush", interactive=False, verbosity=0)
            restore_migration_data()
            # Once Playwright has run, the session's database teardown may see another connection
            # object than this one: close it, or PostgreSQL refuses to drop the test database.
            connections.close_all()
