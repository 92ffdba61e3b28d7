"""Demo data for the six-monthly report (used by ``manage.py seed_demo``); idempotent.

The other apps' demo data date most of their work to "now" (violation cases, monitoring
reports) or to the Pilkada 2024 stages (vulnerable points), which fall outside the first
semester of 2024. So that the demo's 2024-1 report has something in every section, this adds,
through the apps' own services, a few records dated in January–June 2024: three violation cases
(one sanctioned, one dismissed, one still open), monthly monitoring reports of two units for
January–April with evaluations, and vulnerable points of the Pemilu 2024 campaign and voting
stages. What the other demo modules already put in 2024-1: the oath campaign of 19 December 2023 –
31 January 2024 (it overlaps the semester; its signatures date from December and January), the
socialization sessions of January 2024, the task forces (decrees of 22 January, inaugurated
29 January 2024).

The demo admin and the demo leader join the "Report approvers" group. No report is generated:
the admin does that in the demo.
"""

import datetime as dt
from zoneinfo import ZoneInfo

from django.contrib.auth.models import Group
from django.db import transaction

from satgas.accounts.models import User
from satgas.personnel.models import Person, Unit

from . import permissions

WIB = ZoneInfo("Asia/Jakarta")
DEMO_MARK = "[demo 2024-1]"


def _at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=WIB)


def _approvers() -> None:
    permissions.sync_approver_group()
    group = Group.objects.filter(name=permissions.APPROVER_GROUP).first()
    if group is None:
        return
    for user in User.objects.filter(email__in=["admin@satgas.test", "pimpinan@satgas.test"]):
        user.groups.add(group)


def _cases(admin, unit) -> None:
    from satgas.violations import services
    from satgas.violations.models import Case, CaseStatus, Channel, Intake, SanctionKind, ViolationCategory

    if Case.objects.filter(description__startswith=DEMO_MARK).exists():
        return
    people = list(Person.objects.filter(unit=unit, employment_type="PNS").exclude(pk=unit.head_id).order_by("id")[5:8])
    ethics = list(ViolationCategory.objects.filter(kind="ETHICS").order_by("order")[:2])
    S = CaseStatus

    proven, _code = services.case_report(
        actor=admin,
        intake=Intake.PAPER,
        unit=unit,
        reported_person=people[0] if people else None,
        reported_description="" if people else "Pegawai seksi umum",
        reporter_name="Pelapor masyarakat",
        incident_date=dt.date(2024, 2, 3),
        categories=ethics[:1],
        channel=Channel.SOCIAL_MEDIA,
        platform="INSTAGRAM",
        channel_url="https://www.instagram.com/p/contoh",
        description=f"{DEMO_MARK} Mengunggah foto bersama calon anggota legislatif dengan pose jari.",
        now=_at(2024, 2, 5, 9, 0),
    )
    for status, when, reason, forwarded in [
        (S.VERIFICATION, _at(2024, 2, 6, 9, 0), "Laporan lengkap.", ""),
        (S.CLARIFICATION, _at(2024, 2, 9, 9, 0), "Layak diklarifikasi.", ""),
        (S.DECISION, _at(2024, 2, 20, 9, 0), "Klarifikasi selesai.", ""),
        (S.PROVEN, _at(2024, 2, 22, 9, 0), "Terlapor mengakui.", ""),
        (S.FOLLOW_UP, _at(2024, 2, 26, 9, 0), "Rekomendasi sanksi moral.", "Pejabat Pembina Kepegawaian"),
    ]:
        proven = services.case_transition(
            actor=admin, case=proven, to=status, reason=reason, forwarded_to=forwarded, now=when
        )
    services.sanction_record(
        actor=admin,
        case=proven,
        kind=SanctionKind.ETHICS,
        ethics_form="OPEN",
        decree_number="W.10-PGD.KP.05.02-07 TAHUN 2024",
        decree_date=dt.date(2024, 3, 11),
        imposed_by="Kepala Kantor Wilayah",
    )
    proven = services.case_transition(
        actor=admin, case=proven, to=S.SANCTIONED, reason="SK sanksi terbit.", now=_at(2024, 3, 12, 9, 0)
    )
    services.case_transition(actor=admin, case=proven, to=S.CLOSED, reason="Selesai.", now=_at(2024, 3, 15, 9, 0))

    dismissed, _code = services.case_report(
        actor=None,
        intake=Intake.ANONYMOUS,
        unit=unit,
        reported_description="Petugas pelayanan kunjungan",
        incident_date=dt.date(2024, 4, 8),
        categories=ethics[1:2],
        channel=Channel.EVENT,
        description=f"{DEMO_MARK} Diduga menghadiri kampanye terbuka pada jam kerja.",
        now=_at(2024, 4, 10, 14, 0),
    )
    dismissed = services.case_transition(
        actor=admin, case=dismissed, to=S.VERIFICATION, reason="Mulai verifikasi.", now=_at(2024, 4, 11, 9, 0)
    )
    services.case_transition(
        actor=admin,
        case=dismissed,
        to=S.DISMISSED,
        reason="Pegawai sedang cuti tahunan; bukti tidak cukup.",
        now=_at(2024, 4, 15, 9, 0),
    )

    services.case_report(
        actor=admin,
        intake=Intake.PHONE,
        unit=unit,
        reported_person=people[1] if len(people) > 1 else None,
        reported_description="" if len(people) > 1 else "Staf registrasi",
        reporter_name="Penelepon",
        incident_date=dt.date(2024, 6, 20),
        channel=Channel.OTHER,
        description=f"{DEMO_MARK} Membagikan ajakan memilih di grup WhatsApp kantor.",
        now=_at(2024, 6, 24, 10, 0),
    )


def _monitoring(admin, units) -> None:
    from satgas.elections.models import Election
    from satgas.monitoring import services
    from satgas.monitoring.models import MonitoringReport, VulnerablePoint

    election = Election.objects.filter(name="Pemilu 2024").first()
    if election is not None and not VulnerablePoint.objects.filter(stage__election=election).exists():
        stages = {s.name: s for s in election.stages.all()}
        points = [
            ("Masa kampanye", "Pegawai memasang alat peraga kampanye di lingkungan rumah dinas.", 3, 4),
            ("Masa kampanye", "Pegawai mengikuti akun kampanye calon di media sosial.", 4, 3),
            ("Pemungutan suara", "Pegawai yang bertugas jaga tidak dapat menggunakan hak pilih.", 2, 2),
        ]
        for unit in units:
            for stage_name, description, likelihood, impact in points:
                if stage_name in stages:
                    services.point_save(
                        actor=admin,
                        unit=unit,
                        stage=stages[stage_name],
                        description=description,
                        likelihood=likelihood,
                        impact=impact,
                        mitigation="Patroli dan sosialisasi ulang oleh Satgas.",
                        owner="Ketua Tim Satgas",
                        status="MITIGATED",
                        review_on=stages[stage_name].starts_on,
                    )
    for unit in units:
        for month, score in ((1, 88), (2, 82), (3, 76), (4, 70)):
            start = dt.date(2024, month, 1)
            if MonitoringReport.objects.filter(unit=unit, period_start=start).exists():
                continue
            report = services.report_start(actor=admin, unit=unit, period_start=start)
            services.report_update(
                actor=admin,
                report=report,
                activities="Patroli media sosial pegawai dan pengawasan langsung kegiatan di lingkungan kantor.",
                findings="Satu unggahan dukungan calon ditindaklanjuti." if month == 2 else "Tidak ada temuan.",
                recommendations="Sosialisasi ulang menjelang pemungutan suara.",
            )
            services.watch_add(
                actor=admin, report=report, platform="Instagram", accounts="Akun pegawai", posts_reviewed=60
            )
            services.report_submit(actor=admin, report=report, now=_at(2024, month + 1, 5, 10, 0))
            services.report_review(actor=admin, report=report, to="ACCEPTED")
            services.evaluation_record(actor=admin, unit=unit, period_start=start, score=score, notes="Baik.")


@transaction.atomic
def seed_reports() -> None:
    _approvers()
    admin = User.objects.filter(email="admin@satgas.test").first()
    units = list(Unit.objects.filter(code__in=["LAPAS-SMG", "KANIM-SMG"]).order_by("code"))
    if admin is None or not units:
        return
    _cases(admin, next(u for u in units if u.code == "LAPAS-SMG"))
    _monitoring(admin, units)
