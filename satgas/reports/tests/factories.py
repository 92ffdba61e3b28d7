"""Test data for six-monthly reports: a small region whose 2024-1 numbers are counted by hand
(see test_figures.py for the counts), and helpers to get a report to any status."""

import datetime as dt
import itertools
from unittest import mock
from zoneinfo import ZoneInfo

import time_machine
from django.contrib.auth.models import Group

from satgas.accounts.tests.factories import UserFactory
from satgas.monitoring.models import Evaluation, FlaggedPost, SocialMediaWatch
from satgas.monitoring.tests.factories import PointFactory, ReportFactory, StageFactory
from satgas.oaths.models import Campaign, CampaignStatus, Signature, SignatureMethod
from satgas.oaths.tests.factories import ElectionFactory, published_version
from satgas.personnel.models import PersonStatus
from satgas.personnel.tests.factories import PersonFactory, UnitFactory
from satgas.reports import permissions, services
from satgas.reports.models import ReportStatus, SemesterReport
from satgas.reports.periods import Semester
from satgas.socialization.tests.factories import AttendanceFactory, SessionFactory
from satgas.taskforces import services as taskforce_services
from satgas.violations import services as violation_services
from satgas.violations.models import Case, CaseStatus, Intake, Sanction, ViolationCategory

WIB = ZoneInfo("Asia/Jakarta")
S2024_1 = Semester(2024, 1)
# Reports are generated after their period: 1 July 2024, 01:30 WIB (the schedule's time).
AFTER_2024_1 = dt.datetime(2024, 7, 1, 1, 30, tzinfo=WIB)
_codes = itertools.count(1)


def wib(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=WIB)


def approver(user):
    """Put ``user`` in the report approvers group (as seed_demo does for the demo admin and leader)."""
    permissions.sync_approver_group()
    user.groups.add(Group.objects.get(name=permissions.APPROVER_GROUP))
    for cache in ("_perm_cache", "_group_perm_cache", "_user_perm_cache"):
        if hasattr(user, cache):
            delattr(user, cache)
    return user


def office_head(region):
    head = PersonFactory(unit=region, full_name="Dr. Tejo Harwanto, S.H., M.H.")
    region.head, region.head_title = head, "Kepala Kantor Wilayah"
    region.address, region.phone, region.email = "Jl. Dr. Cipto No. 64, Semarang", "(024) 123456", "kanwil@uji.test"
    region.save()
    return head


def generate(*, office, semester=S2024_1, actor=None, now=AFTER_2024_1):
    with time_machine.travel(now, tick=False):
        return services.semester_report_generate(actor=actor, office=office, semester=semester, now=now)


def ensure_head(office):
    """Approval needs a signer (the head of the office with a NIP)."""
    if office.head_id is None:
        office_head(office)
    return office


def report_at(status: str, *, office, admin, approver_user=None) -> SemesterReport:
    """A generated report taken to ``status`` through the services (QUEUED without running the task)."""
    ensure_head(office)
    version = generate(office=office, actor=admin)
    report = version.report
    if status == ReportStatus.DRAFT:
        return report
    services.semester_report_approve(actor=approver_user or approver(admin), report=report)
    if status == ReportStatus.APPROVED:
        return SemesterReport.objects.get(pk=report.pk)
    # Queue without running the delivery task: the tests run the delivery themselves (the outbox row the send
    # recorded is dismissed, so no relay hands it over behind the test's back).
    from satgas.core.models import OutboxMessage, OutboxStatus

    with mock.patch("satgas.core.outbox.handover"):
        services.semester_report_send(actor=admin, report=report)
    rows = OutboxMessage.objects.filter(task_name="satgas.reports.tasks.semester_report_deliver", status="pending")
    rows.filter(pk__in=[row.pk for row in rows if row.args == [report.pk]]).update(status=OutboxStatus.CANCELLED)
    if status == ReportStatus.QUEUED:
        return SemesterReport.objects.get(pk=report.pk)
    raise ValueError(status)


# --- The hand-counted region -----------------------------------------------------------------


def _signature(campaign, person, when, *, paper_signed_on=None, recorded_by=None):
    paper = {"method": SignatureMethod.ONLINE}
    if paper_signed_on:
        paper = {
            "method": SignatureMethod.PAPER,
            "paper_signed_on": paper_signed_on,
            "recorded_by": recorded_by,
            "paper_scan": "oaths/uji-pindaian.pdf",
        }
    return Signature.objects.create(
        campaign=campaign,
        person=person,
        version=campaign.version,
        text_sha256=campaign.version.text_sha256,
        signed_at=when,
        typed_name=person.full_name,
        verification_code=f"UJI{next(_codes):017d}",
        **paper,
    )


def _campaign(*, version, election, units, types, opens, closes, status, actor, title):
    campaign = Campaign.objects.create(
        title=title,
        version=version,
        election=election,
        employment_types=types,
        opens_at=opens,
        closes_at=closes,
        status=status,
        created_by=actor,
    )
    campaign.units.set(units)
    return campaign


def _case(*, unit, received, moves=(), categories=(), confidential=False, actor=None):
    case, _code = violation_services.case_report(
        actor=None,
        intake=Intake.ANONYMOUS,
        unit=unit,
        reported_description="Pegawai bagian umum",
        incident_date=received.date(),
        description="Uji",
        channel="OTHER",
        categories=list(categories),
        confidential=confidential,
        now=received,
    )
    for status, when in moves:
        forwarded = "Bawaslu" if status in (CaseStatus.FOLLOW_UP, CaseStatus.REFERRED) else ""
        if status == CaseStatus.SANCTIONED:
            violation_services.sanction_record(
                actor=actor,
                case=case,
                kind="ETHICS",
                ethics_form="CLOSED",
                decree_number=f"SK-{case.pk}",
                decree_date=dt.date(2024, 3, 1),
                imposed_by="Kepala Kantor Wilayah",
            )
        case = violation_services.case_transition(
            actor=None, case=case, to=status, reason="Uji", forwarded_to=forwarded, now=when
        )
    return case


def hand_counted_region(region, unit_a, unit_b):
    """The region of test_figures.py; every number there is counted from this function."""
    admin = UserFactory(email="penyusun@uji.test")
    head = office_head(region)
    # Personnel: region 1 PNS (the head); A 3 PNS, 1 PPPK, 1 PPNPN (+1 retired); B 2 PNS, 1 PPNPN.
    a1, a2, a3 = (PersonFactory(unit=unit_a) for _ in range(3))
    a_pppk = PersonFactory(unit=unit_a, employment_type="PPPK")
    PersonFactory(unit=unit_a, ppnpn=True)
    retired = PersonFactory(unit=unit_a, status=PersonStatus.RETIRED)
    b1, b2 = PersonFactory(unit=unit_b), PersonFactory(unit=unit_b)
    PersonFactory(unit=unit_b, ppnpn=True)
    # A unit of the region deactivated since (its numbers go to the "other units" row); another office.
    closed_unit = UnitFactory(code="LAPAS-TUTUP", name="Lapas Tutup", parent=region)  # deactivated at the end
    PersonFactory(unit=closed_unit)
    other_region = UnitFactory(code="KWJATIM", name="Kanwil Jawa Timur", unit_type="KANWIL", unit_class="")
    other_unit = UnitFactory(code="LAPAS-JTM", name="Lapas Jatim", parent=other_region)
    outsider = PersonFactory(unit=other_unit)

    # Socialization.
    s1 = SessionFactory(starts_at=wib(2024, 3, 10, 9, 0), units=[unit_a, unit_b])
    for person in (a1, a2, b1):
        AttendanceFactory(session=s1, person=person)
    s0 = SessionFactory(starts_at=wib(2023, 12, 5, 9, 0), units=[unit_a])
    AttendanceFactory(session=s0, person=a3)
    s2 = SessionFactory(starts_at=wib(2024, 7, 5, 9, 0), units=[unit_b])
    AttendanceFactory(session=s2, person=b2)
    edge = SessionFactory(starts_at=wib(2024, 6, 30, 23, 30), units=[region])
    AttendanceFactory(session=edge, person=head)
    other_session = SessionFactory(starts_at=wib(2024, 3, 10, 9, 0), units=[other_unit])
    AttendanceFactory(session=other_session, person=outsider)

    # Oaths.
    election = ElectionFactory()
    version = published_version(actor=admin)
    c1 = _campaign(
        version=version,
        election=election,
        units=[unit_a, unit_b],
        types=["PNS", "PPPK"],
        opens=wib(2023, 12, 19, 8, 0),
        closes=wib(2024, 1, 31, 23, 59),
        status=CampaignStatus.CLOSED,
        actor=admin,
        title="Ikrar Netralitas Pemilu 2024",
    )
    _signature(c1, a1, wib(2024, 1, 5, 10, 0))
    _signature(c1, a2, wib(2023, 12, 20, 10, 0))
    _signature(c1, b1, wib(2024, 1, 10, 10, 0))
    _signature(c1, b2, wib(2024, 7, 3, 10, 0))  # recorded after the period: not counted
    # Signed on paper on 28 June, typed in on 3 July: counted (the paper's date, not the entry's).
    _signature(c1, a3, wib(2024, 7, 3, 9, 0), paper_signed_on=dt.date(2024, 6, 28), recorded_by=admin)
    _signature(c1, retired, wib(2024, 1, 6, 10, 0))  # not active any more: not counted
    _campaign(
        version=version,
        election=election,
        units=[unit_a],
        types=["PNS"],
        opens=wib(2024, 8, 1, 8, 0),
        closes=wib(2024, 8, 31, 8, 0),
        status=CampaignStatus.OPEN,
        actor=admin,
        title="Kampanye berikutnya",
    )
    _campaign(
        version=version,
        election=election,
        units=[unit_a],
        types=["PNS"],
        opens=wib(2024, 2, 1, 8, 0),
        closes=wib(2024, 2, 28, 8, 0),
        status=CampaignStatus.DRAFT,
        actor=admin,
        title="Draf",
    )

    # Task forces: A active 1/1/1 (member replaced in April), B a draft with its leader only (not formed).
    start = dt.date(2024, 1, 22)
    tf_a = taskforce_services.taskforce_create(
        actor=admin,
        unit=unit_a,
        election=election,
        term_starts_on=start,
        required_leaders=1,
        required_secretaries=1,
        required_members=1,
    )
    for person, role in ((a1, "LEADER"), (a2, "SECRETARY")):
        taskforce_services.membership_add(actor=admin, task_force=tf_a, person=person, role=role, started_on=start)
    replaced = taskforce_services.membership_add(
        actor=admin, task_force=tf_a, person=a_pppk, role="MEMBER", started_on=start
    )
    taskforce_services.membership_replace(
        actor=admin, membership=replaced, person=a3, on=dt.date(2024, 4, 1), reason="Mutasi"
    )
    taskforce_services.decree_set(
        actor=admin,
        task_force=tf_a,
        decree_date=start,
        number="W.10-7.KP.05.02 TAHUN 2024",
        signatory_name="Kepala",
        signatory_title="Kepala Kantor Wilayah",
    )
    tf_a = taskforce_services.taskforce_transition(actor=admin, task_force=tf_a, to="ACTIVE")
    taskforce_services.inauguration_record(
        actor=admin,
        task_force=tf_a,
        held_on=dt.date(2024, 1, 29),
        place="Aula",
        mode="IN_PERSON",
        led_by="Kakanwil",
        inaugurated_ids=[],
        badge_ids=[],
    )
    tf_b = taskforce_services.taskforce_create(
        actor=admin,
        unit=unit_b,
        election=election,
        term_starts_on=start,
        required_leaders=1,
        required_secretaries=1,
        required_members=1,
    )
    taskforce_services.membership_add(
        actor=admin, task_force=tf_b, person=b1, role="LEADER", started_on=dt.date(2024, 2, 1)
    )

    # Monitoring (monthly periods: six in 2024-1).
    def monitoring_report(unit, month, status, year=2024):
        return ReportFactory(unit=unit, period_start=dt.date(year, month, 1), status=status, created_by=admin)

    a_jan = monitoring_report(unit_a, 1, "ACCEPTED")
    a_feb = monitoring_report(unit_a, 2, "SUBMITTED")
    monitoring_report(unit_a, 3, "DRAFT")
    monitoring_report(unit_a, 12, "ACCEPTED", year=2023)
    monitoring_report(unit_a, 7, "SUBMITTED")
    b_jan = monitoring_report(unit_b, 1, "RETURNED")
    monitoring_report(unit_b, 6, "SUBMITTED")  # June: handed in early, not due yet on 1 July
    for unit, month, score in ((unit_a, 1, 90), (unit_a, 2, 60), (unit_b, 1, 40), (unit_a, 12, 99)):
        year = 2023 if month == 12 else 2024
        Evaluation.objects.create(unit=unit, period_start=dt.date(year, month, 1), score=score, evaluated_by=admin)
    for report, posts in ((a_jan, 40), (a_feb, 10), (b_jan, 5)):
        SocialMediaWatch.objects.create(report=report, platform="Facebook", accounts="Grup", posts_reviewed=posts)
    FlaggedPost.objects.create(
        report=a_jan, platform="X", url="https://x.com/p/1", posted_on=dt.date(2024, 1, 3), description="Dukungan"
    )
    camp = StageFactory(
        election=election, name="Masa kampanye", starts_on=dt.date(2023, 11, 28), ends_on=dt.date(2024, 2, 10)
    )
    vote = StageFactory(
        election=election, name="Pemungutan suara", starts_on=dt.date(2024, 2, 14), ends_on=dt.date(2024, 2, 14)
    )
    later = StageFactory(name="Kampanye pilkada", starts_on=dt.date(2024, 9, 25), ends_on=dt.date(2024, 11, 23))
    PointFactory(unit=unit_a, stage=camp, likelihood=4, impact=4)
    PointFactory(unit=unit_a, stage=camp, likelihood=1, impact=1, status="MITIGATED")
    PointFactory(unit=unit_a, stage=vote, likelihood=3, impact=3)
    PointFactory(unit=unit_b, stage=vote, likelihood=5, impact=5, status="CLOSED")
    PointFactory(unit=unit_a, stage=later, likelihood=3, impact=3)

    # Violations.
    ethics = ViolationCategory.objects.create(kind="ETHICS", code="uji-etik", name="Uji etik", order=1)
    discipline = ViolationCategory.objects.create(
        kind="DISCIPLINARY", code="uji-disiplin", name="Uji disiplin", usual_level="HEAVY", order=1
    )
    S = CaseStatus
    _case(
        actor=admin,
        unit=unit_a,
        received=wib(2024, 2, 1, 10, 0),
        categories=[ethics],
        moves=[
            (S.VERIFICATION, wib(2024, 2, 2, 10, 0)),
            (S.CLARIFICATION, wib(2024, 2, 5, 10, 0)),
            (S.DECISION, wib(2024, 2, 10, 10, 0)),
            (S.PROVEN, wib(2024, 2, 12, 10, 0)),
            (S.FOLLOW_UP, wib(2024, 2, 15, 10, 0)),
            (S.SANCTIONED, wib(2024, 3, 2, 10, 0)),
            (S.CLOSED, wib(2024, 3, 5, 10, 0)),
        ],
    )
    _case(
        unit=unit_a,
        received=wib(2024, 4, 1, 10, 0),
        categories=[discipline, ethics],
        moves=[(S.VERIFICATION, wib(2024, 4, 2, 10, 0)), (S.DISMISSED, wib(2024, 4, 3, 10, 0))],
    )
    _case(unit=unit_b, received=wib(2024, 6, 30, 23, 0), confidential=True)
    _case(unit=unit_b, received=wib(2024, 7, 1, 0, 30))  # 2024-2 in WIB, still 30 June in UTC
    _case(
        unit=unit_a,
        received=wib(2024, 5, 1, 10, 0),
        moves=[
            (S.VERIFICATION, wib(2024, 5, 2, 10, 0)),
            (S.CLARIFICATION, wib(2024, 5, 6, 10, 0)),
            (S.DECISION, wib(2024, 6, 1, 10, 0)),
            (S.NOT_PROVEN, wib(2024, 7, 10, 10, 0)),  # after the period: still in progress then
        ],
    )
    _case(unit=unit_b, received=wib(2024, 3, 1, 10, 0), moves=[(S.REFERRED, wib(2024, 3, 3, 10, 0))])
    _case(unit=other_unit, received=wib(2024, 3, 1, 10, 0))
    _case(unit=closed_unit, received=wib(2024, 3, 15, 10, 0))  # a unit deactivated since: still counted
    old, _code = violation_services.case_report(
        actor=None,
        intake=Intake.ANONYMOUS,
        unit=unit_a,
        reported_description="Lama",
        incident_date=dt.date(2023, 11, 10),
        description="Uji",
        channel="OTHER",
        now=wib(2023, 11, 15, 10, 0),
    )
    Case.objects.filter(pk=old.pk).update(status=S.PROVEN)
    for decree_date in (dt.date(2024, 2, 20), dt.date(2024, 7, 2)):
        Sanction.objects.create(
            case=old,
            kind="DISCIPLINARY",
            discipline_level="MODERATE",
            discipline_form="ALLOWANCE_CUT_6",
            decree_number=f"SK-LAMA-{decree_date}",
            decree_date=decree_date,
            imposed_by="PPK",
        )
    closed_unit.is_active = False
    closed_unit.save(update_fields=["is_active"])
    return {"admin": admin, "head": head, "other_region": other_region, "ethics": ethics, "discipline": discipline}


def force_status(report: SemesterReport, status: str, *, token=None, claimed_seconds_ago: int = 0) -> SemesterReport:
    """Put a report in ``status`` directly (consistent with the model's constraints), to drive the services
    from every source status. The report must have a version."""
    from django.utils import timezone

    version = report.versions.order_by("-number").first()
    now = timezone.now()
    fields = {
        "status": status,
        "approved_version": None if status == ReportStatus.DRAFT else version,
        "claim_token": token,
        "claimed_at": now - dt.timedelta(seconds=claimed_seconds_ago) if token else None,
        "delivered_at": None,
        "message_id": "",
    }
    if status == ReportStatus.DELIVERED:
        fields.update(delivered_at=now, message_id="<earlier@uji.test>")
    SemesterReport.objects.filter(pk=report.pk).update(**fields)
    report.refresh_from_db()
    return report
