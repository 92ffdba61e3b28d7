"""Demo violation cases (used by ``manage.py seed_demo``); idempotent.

Creates three cases in Lapas Kelas I Semarang: one filed by the demo
task-force member with a screenshot, one anonymous and overdue in
verification, one taken all the way to a recorded sanction. The demo admin
joins the reporter-identity group.
"""

import datetime as dt
import struct
import zlib

from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from satgas.accounts.models import User
from satgas.personnel.models import Person, Unit

from . import permissions, services
from .models import Case, CaseStatus, Channel, Intake, Platform, SanctionKind, ViolationCategory

DEMO_MARK = "[demo]"


def _screenshot() -> SimpleUploadedFile:
    """A small valid PNG (grey 40x20) standing in for a screenshot."""

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + b"\x99" * 40 for _ in range(20))
    content = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 40, 20, 8, 0, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )
    return SimpleUploadedFile("tangkapan-layar.png", content, content_type="image/png")


@transaction.atomic
def seed_violations() -> int:
    admin = User.objects.filter(email="admin@satgas.test").first()
    member = User.objects.filter(email="satgas@satgas.test").first()
    if admin:
        admin.groups.add(Group.objects.get_or_create(name=permissions.IDENTITY_GROUP)[0])
    unit = Unit.objects.filter(code="LAPAS-SMG").first()
    if unit is None or member is None or Case.objects.filter(description__startswith=DEMO_MARK).exists():
        return 0
    people = list(Person.objects.filter(unit=unit).exclude(pk=member.person_id).exclude(pk=unit.head_id)[:2])
    today = timezone.localdate()
    ethics = ViolationCategory.objects.filter(kind="ETHICS").order_by("order")
    discipline = ViolationCategory.objects.filter(kind="DISCIPLINARY").order_by("order")

    filed, _code = services.case_report(
        actor=member,
        intake=Intake.ONLINE,
        unit=unit,
        reported_person=people[0] if people else None,
        reported_description="" if people else "Pegawai bagian umum",
        incident_date=today - dt.timedelta(days=2),
        categories=list(ethics[:1]) + list(discipline[1:2]),
        channel=Channel.SOCIAL_MEDIA,
        platform=Platform.FACEBOOK,
        channel_url="https://www.facebook.com/contoh/posts/1",
        description=f"{DEMO_MARK} Membagikan unggahan kampanye salah satu calon di akun pribadi.",
        files=[_screenshot()],
    )
    services.case_assign(actor=admin, case=filed, handler=member)

    anonymous, _code = services.case_report(
        actor=None,
        intake=Intake.ANONYMOUS,
        unit=unit,
        reported_description="Petugas regu pengamanan, shift pagi",
        incident_date=today - dt.timedelta(days=12),
        channel=Channel.EVENT,
        incident_place="Lapangan kecamatan",
        description=f"{DEMO_MARK} Hadir dan mengenakan atribut partai pada deklarasi calon.",
        now=timezone.now() - dt.timedelta(days=10),
    )
    services.case_transition(actor=member, case=anonymous, to=CaseStatus.VERIFICATION, reason="Mulai verifikasi.")
    services.case_assign(actor=admin, case=anonymous, handler=member)

    done, _code = services.case_report(
        actor=admin,
        intake=Intake.PAPER,
        unit=unit,
        reported_person=people[1] if len(people) > 1 else None,
        reported_description="" if len(people) > 1 else "Staf administrasi",
        reporter_name="Pelapor surat",
        incident_date=today - dt.timedelta(days=40),
        categories=list(ethics[4:5]),
        channel=Channel.OTHER,
        description=f"{DEMO_MARK} Berfoto dengan atribut partai dan diunggah di grup kantor.",
        now=timezone.now() - dt.timedelta(days=35),
    )
    steps = [
        (CaseStatus.VERIFICATION, "Laporan lengkap.", ""),
        (CaseStatus.CLARIFICATION, "Layak diklarifikasi.", ""),
        (CaseStatus.DECISION, "Klarifikasi selesai.", ""),
        (CaseStatus.PROVEN, "Terlapor mengakui.", ""),
        (CaseStatus.FOLLOW_UP, "Rekomendasi sanksi moral.", "Pejabat Pembina Kepegawaian"),
    ]
    for target, reason, forwarded_to in steps:
        if target == CaseStatus.DECISION:
            services.clarification_record(
                actor=admin,
                case=done,
                held_on=today - dt.timedelta(days=20),
                attendees="Terlapor; atasan langsung; dua anggota satgas",
                minutes="Terlapor mengakui dan berjanji tidak mengulangi.",
            )
        done = services.case_transition(actor=admin, case=done, to=target, reason=reason, forwarded_to=forwarded_to)
    services.sanction_record(
        actor=admin,
        case=done,
        kind=SanctionKind.ETHICS,
        ethics_form="CLOSED",
        decree_number="W.10-PGD.KP.05.02-01 TAHUN 2024",
        decree_date=today - dt.timedelta(days=5),
        imposed_by="Kepala Kantor Wilayah",
    )
    services.case_transition(actor=admin, case=done, to=CaseStatus.SANCTIONED, reason="SK sanksi terbit.")
    return 3
