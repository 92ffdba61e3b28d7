"""Demo monitoring data (used by ``manage.py seed_demo``); idempotent.

Vulnerable points for the 2024 regional election in two units, and reports
for the last three ended periods of Lapas Semarang and Rutan Purbalingga:
accepted and evaluated, accepted, and (Purbalingga) returned. Lapas Semarang's
latest ended period is left open, so satgas@satgas.test files it in the demo.
"""

from django.db import transaction
from django.utils import timezone

from satgas.accounts.models import User
from satgas.elections.models import Election
from satgas.personnel.models import Unit

from . import selectors, services
from .models import MonitoringReport, VulnerablePoint

POINTS = [
    (
        "Masa kampanye",
        "Pegawai membagikan atau menyukai konten kampanye pasangan calon di media sosial.",
        4,
        4,
        "Sosialisasi ulang dan patroli siber mingguan oleh Satgas.",
    ),
    ("Masa kampanye", "Pegawai menghadiri kampanye pada hari kerja tanpa izin.", 3, 3, "Absensi diperiksa Satgas."),
    ("Masa tenang", "Grup WhatsApp pegawai dipakai menyebarkan ajakan memilih.", 3, 4, "Admin grup diingatkan."),
    ("Pemungutan suara", "Fasilitas kantor dipakai untuk kegiatan pasangan calon.", 2, 3, "Kendaraan dinas dikunci."),
]


@transaction.atomic
def seed_monitoring() -> int:
    admin = User.objects.filter(email="admin@satgas.test").first()
    election = Election.objects.filter(name="Pilkada 2024").first()
    units = list(Unit.objects.filter(code__in=["LAPAS-SMG", "RUTAN-PBG"]).order_by("code"))
    if admin is None or election is None or not units or VulnerablePoint.objects.filter(unit__in=units).exists():
        return 0
    stages = {s.name: s for s in election.stages.all()}
    created = 0
    for unit in units:
        for stage_name, description, likelihood, impact, mitigation in POINTS:
            if stage_name in stages:
                services.point_save(
                    actor=admin,
                    unit=unit,
                    stage=stages[stage_name],
                    description=description,
                    likelihood=likelihood,
                    impact=impact,
                    mitigation=mitigation,
                    owner="Sekretaris Satgas",
                    status="OPEN",
                    review_on=stages[stage_name].starts_on,
                )
                created += 1
    periods = selectors.recent_periods(today=timezone.localdate(), count=4)
    for unit in units:
        for index, (start, _end) in enumerate(periods[1:]):
            if MonitoringReport.objects.filter(unit=unit, period_start=start).exists():
                continue
            report = services.report_start(actor=admin, unit=unit, period_start=start)
            services.report_update(
                actor=admin,
                report=report,
                activities="Patroli media sosial dan pengawasan langsung kegiatan pegawai.",
                findings="Tidak ditemukan pelanggaran netralitas." if index else "Satu unggahan diteruskan ke Satgas.",
                recommendations="Lanjutkan sosialisasi berkala.",
            )
            services.watch_add(
                actor=admin, report=report, platform="Facebook", accounts="Grup pegawai", posts_reviewed=40
            )
            services.report_submit(actor=admin, report=report)
            if unit.code == "RUTAN-PBG" and index == 0:
                services.report_review(
                    actor=admin, report=report, to="RETURNED", comment="Lengkapi jumlah akun yang dipantau."
                )
                continue
            services.report_review(actor=admin, report=report, to="ACCEPTED")
            services.evaluation_record(actor=admin, unit=unit, period_start=start, score=80 - 5 * index, notes="Baik.")
            created += 1
    return created
