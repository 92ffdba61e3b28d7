"""Violation cases (with their history, handlers, clarifications and sanctions) and monitoring
(vulnerable points, monthly reports of 2024 with versions, social-media logs and evaluations)."""

import datetime as dt
import hashlib
import hmac

from django.conf import settings

from satgas.monitoring import rules as monitoring_rules
from satgas.monitoring.demo import POINTS
from satgas.monitoring.models import (
    Evaluation,
    FlaggedPost,
    MonitoringReport,
    PointStatus,
    ReportStatus,
    ReportVersion,
    SocialMediaWatch,
    VulnerablePoint,
)
from satgas.monitoring.services import REPORT_TEXT_FIELDS
from satgas.personnel.models import ASN_TYPES
from satgas.violations import rules as case_rules
from satgas.violations.models import (
    Assignment,
    Case,
    CaseCounter,
    CaseStatus,
    CaseTransition,
    Channel,
    Clarification,
    DisciplineForm,
    Intake,
    Platform,
    Sanction,
    SanctionKind,
    ViolationCategory,
)

from .registry import _pick, timestamp

S = CaseStatus
V, C, D = S.VERIFICATION, S.CLARIFICATION, S.DECISION
PROVEN_PATH = [V, C, D, S.PROVEN, S.FOLLOW_UP]
# (share of the cases, the statuses a case went through after RECEIVED)
CASE_PATHS = [
    ([], 0.04),
    ([V], 0.06),
    ([V, C], 0.05),
    ([V, C, D], 0.03),
    (PROVEN_PATH[:4], 0.02),
    (PROVEN_PATH, 0.04),
    ([*PROVEN_PATH, S.SANCTIONED], 0.05),
    ([*PROVEN_PATH, S.SANCTIONED, S.CLOSED], 0.25),
    ([V, C, D, S.NOT_PROVEN], 0.04),
    ([V, C, D, S.NOT_PROVEN, S.CLOSED], 0.20),
    ([V, S.DISMISSED], 0.17),
    ([V, S.REFERRED], 0.05),
]
REASONS = {
    V: "Laporan diterima lengkap; mulai verifikasi.",
    C: "Layak diklarifikasi.",
    D: "Klarifikasi selesai.",
    S.PROVEN: "Terlapor mengakui perbuatannya.",
    S.NOT_PROVEN: "Tidak cukup bukti.",
    S.FOLLOW_UP: "Rekomendasi sanksi diteruskan.",
    S.SANCTIONED: "SK sanksi terbit.",
    S.CLOSED: "Penanganan selesai.",
    S.DISMISSED: "Bukan pelanggaran netralitas.",
    S.REFERRED: "Dilimpahkan ke pengawas pemilu.",
}
FORWARDED = {S.FOLLOW_UP: "Pejabat Pembina Kepegawaian", S.REFERRED: "Bawaslu Provinsi Jawa Tengah"}
DESCRIPTIONS = [
    "Membagikan unggahan kampanye salah satu calon di akun pribadi.",
    "Hadir dan mengenakan atribut partai pada deklarasi calon.",
    "Berfoto dengan atribut partai dan diunggah di grup kantor.",
    "Menyukai dan mengomentari unggahan akun tim kampanye.",
    "Mengajak rekan kerja memilih pasangan calon tertentu di grup WhatsApp.",
    "Memasang stiker calon pada kendaraan dinas.",
]
INTAKES = ((Intake.ANONYMOUS, 0.30), (Intake.ONLINE, 0.25), (Intake.PAPER, 0.15), (Intake.PHONE, 0.15),
           (Intake.IN_PERSON, 0.15))  # fmt: skip
CHANNELS = ((Channel.SOCIAL_MEDIA, 0.5), (Channel.EVENT, 0.3), (Channel.OTHER, 0.2))
SOCIAL = [Platform.FACEBOOK, Platform.INSTAGRAM, Platform.TIKTOK, Platform.X, Platform.WHATSAPP]
REPORT_STATUSES = ((ReportStatus.ACCEPTED, 0.70), (ReportStatus.SUBMITTED, 0.10), (ReportStatus.RETURNED, 0.08),
                   (ReportStatus.DRAFT, 0.12))  # fmt: skip
EXTRA_POINTS = [
    ("Pegawai diminta menjadi saksi atau anggota tim pemenangan.", "Surat edaran dan pengawasan atasan langsung."),
    ("Pengumpulan fotokopi KTP pegawai untuk dukungan calon perseorangan.", "Larangan tertulis dan patroli Satgas."),
]


def _stage_for(ctx, day: dt.date):
    """The most recently started stage running on ``day`` (as ``violations.services.stage_for``)."""
    running = [s for s in ctx.stages if s[0] <= day <= s[1]]
    if not running:
        return None, None
    start, _end, _order, stage_id, election_id = max(running, key=lambda s: (s[0], s[2]))
    return stage_id, election_id


def _receipt_hash(rng) -> str:
    code = f"{rng.randrange(10**20):020d}"
    return hmac.new(settings.SECRET_KEY.encode(), f"violation-receipt:{code}".encode(), hashlib.sha256).hexdigest()


def build_cases(ctx, count: int) -> None:
    rng, writer = ctx.rng, ctx.writer
    if not count:
        return
    categories = list(ViolationCategory.objects.values_list("pk", flat=True)) or []
    year = 2024
    counter = CaseCounter.objects.filter(year=year).first()
    last_case = Case.objects.filter(year=year).order_by("-seq").values_list("seq", flat=True).first()
    seq = max(counter.last if counter else 0, last_case or 0)
    reportable = {u.id: [p for p in ctx.by_unit.get(u.id, []) if p.id not in ctx.account_person_ids] for u in ctx.units}
    admin, member = ctx.admin.pk, ctx.users["satgas@satgas.test"].pk
    online_reporters = [u.pk for u in ctx.users.values() if u.person_id]
    cases, links, transitions, assignments, clarifications, sanctions = [], [], [], [], [], []
    case_ids = iter(writer.ids(Case, count))
    h1_days, h2_days = 181, 184
    for _ in range(count):
        pk = next(case_ids)
        seq += 1
        received_day = dt.date(year, 1, 1) + dt.timedelta(
            days=rng.randrange(h1_days) if rng.random() < 0.85 else h1_days + rng.randrange(h2_days)
        )
        received = timestamp(received_day, rng.randint(7, 20), rng.randint(0, 59))
        incident = received_day - dt.timedelta(days=rng.randint(0, 14))
        stage_id, election_id = _stage_for(ctx, incident)
        unit = rng.choice(ctx.units)
        candidates = reportable[unit.id]
        person = rng.choice(candidates) if candidates and rng.random() < 0.8 else None
        intake = _pick(rng, INTAKES)
        channel = _pick(rng, CHANNELS)
        platform = rng.choice(SOCIAL) if channel == Channel.SOCIAL_MEDIA else ""
        path = _pick(rng, [(p, share) for p, share in CASE_PATHS])
        at, status, due, verified, closed = received, S.RECEIVED, None, None, None
        due = case_rules.due_date(old_status=None, new_status=S.RECEIVED, today=received_day, current=None)
        for target in path:
            at = at + dt.timedelta(hours=rng.randint(12, 24 * 12))
            if target == D:
                clarifications.append((pk, (at - dt.timedelta(days=1)).date(), at))
            if target == S.SANCTIONED:
                sanctions.append((pk, person, (at - dt.timedelta(hours=2))))
            transitions.append((pk, status, target, REASONS[target], FORWARDED.get(target, ""), admin, at))
            due = case_rules.due_date(old_status=status, new_status=target, today=at.date(), current=due)
            if target in case_rules.VERIFICATION_DONE and verified is None:
                verified = at
            if target in case_rules.TERMINAL_STATUSES:
                closed = at
            status = target
        if path:
            handler = member if unit.id == ctx.first_unit.id and rng.random() < 0.5 else admin
            assignments.append((pk, handler, admin, received + dt.timedelta(hours=1)))
        anonymous = intake == Intake.ANONYMOUS
        reporter = rng.choice(online_reporters) if intake == Intake.ONLINE and online_reporters else None
        if intake == Intake.ONLINE and reporter is None:
            intake, anonymous = Intake.ANONYMOUS, True
        cases.append(
            (pk, case_rules.format_number(year=year, seq=seq), year, seq, person.id if person else None,
             "" if person else "Pegawai bagian umum, regu pengamanan", person.unit_id if person else unit.id,
             incident, "" if channel != Channel.EVENT else "Lapangan kecamatan", election_id, stage_id, channel,
             platform, f"https://www.example.com/p/{pk}" if platform else "", rng.choice(DESCRIPTIONS),
             rng.random() < 0.1 and not anonymous, intake, reporter,
             "" if anonymous or intake == Intake.ONLINE else "Pelapor " + rng.choice(["A", "B", "C", "D"]),
             "" if anonymous or intake == Intake.ONLINE else f"08{rng.randint(10**9, 10**10 - 1)}",
             _receipt_hash(rng), admin if intake not in (Intake.ONLINE, Intake.ANONYMOUS) else None, status, at,
             due, received, verified, closed)
        )  # fmt: skip
        for category in rng.sample(categories, k=min(len(categories), rng.choice([1, 1, 2]))):
            links.append((pk, category))
    writer.write(
        Case,
        [
            "id",
            "number",
            "year",
            "seq",
            "reported_person",
            "reported_description",
            "unit",
            "incident_date",
            "incident_place",
            "election",
            "stage",
            "channel",
            "platform",
            "channel_url",
            "description",
            "confidential",
            "intake",
            "reporter",
            "reporter_name",
            "reporter_contact",
            "receipt_hash",
            "recorded_by",
            "status",
            "status_changed_at",
            "due_on",
            "received_at",
            "verified_at",
            "closed_at",
        ],  # fmt: skip
        cases,
    )
    through = Case.categories.through
    ids = iter(writer.ids(through, len(links)))
    writer.write(through, ["id", "case", "violationcategory"], ((next(ids), c, v) for c, v in links))
    ids = iter(writer.ids(CaseTransition, len(transitions)))
    writer.write(
        CaseTransition,
        ["id", "case", "from_status", "to_status", "reason", "forwarded_to", "actor", "at"],
        ((next(ids), *t) for t in transitions),
    )
    ids = iter(writer.ids(Assignment, len(assignments)))
    writer.write(
        Assignment,
        ["id", "case", "handler", "assigned_by", "assigned_at", "ended_at", "ended_by"],
        ((next(ids), c, h, by, at, None, None) for c, h, by, at in assignments),
    )
    ids = iter(writer.ids(Clarification, len(clarifications)))
    writer.write(
        Clarification,
        ["id", "case", "held_on", "place", "attendees", "minutes", "attachment", "attachment_type", "recorded_by",
         "recorded_at"],  # fmt: skip
        ((next(ids), c, held, "Ruang rapat unit", "Terlapor; atasan langsung; dua anggota satgas",
          "Terlapor memberikan keterangan.", "", "", admin, at) for c, held, at in clarifications),
    )  # fmt: skip
    ids = iter(writer.ids(Sanction, len(sanctions)))
    writer.write(
        Sanction,
        [
            "id",
            "case",
            "kind",
            "ethics_form",
            "discipline_level",
            "discipline_form",
            "contract_form",
            "decree_number",
            "decree_date",
            "imposed_by",
            "recorded_by",
            "recorded_at",
        ],  # fmt: skip
        (_sanction(rng, next(ids), c, person, at, admin) for c, person, at in sanctions),
    )
    CaseCounter.objects.update_or_create(year=year, defaults={"last": seq})


def _sanction(rng, pk, case_id, person, at, admin):
    ethics = discipline_level = discipline_form = contract = ""
    if person is not None and person.kind == "PPNPN":
        kind, contract = SanctionKind.CONTRACT, rng.choice(["ORAL_WARNING", "WRITTEN_WARNING", "FINAL_WARNING"])
    elif person is not None and person.kind in ASN_TYPES and rng.random() < 0.4:
        kind = SanctionKind.DISCIPLINARY
        discipline_level, discipline_form = rng.choice(
            [("LIGHT", DisciplineForm.WRITTEN_REPRIMAND), ("MODERATE", DisciplineForm.ALLOWANCE_CUT_6),
             ("HEAVY", DisciplineForm.DEMOTION)]
        )  # fmt: skip
    else:
        kind, ethics = SanctionKind.ETHICS, rng.choice(["CLOSED", "OPEN"])
    number = f"W.10-PGD.KP.05.02-{case_id} TAHUN {at.year}"
    return (pk, case_id, kind, ethics, discipline_level, str(discipline_form), contract, number, at.date(),
            "Kepala Kantor Wilayah", admin, at)  # fmt: skip


def build_monitoring(ctx) -> None:
    rng, writer = ctx.rng, ctx.writer
    admin, member = ctx.admin.pk, ctx.users["satgas@satgas.test"].pk
    stages = [(s[3], s[0]) for s in ctx.stages]  # (stage id, starts_on)
    points_text = [(desc, mitigation) for _stage, desc, _l, _i, mitigation in POINTS] + EXTRA_POINTS
    points = []
    for unit in ctx.units:
        for stage_id, starts in rng.sample(stages, k=min(5, len(stages))):
            likelihood, impact = rng.randint(1, 5), rng.randint(1, 5)
            desc, mitigation = rng.choice(points_text)
            status = _pick(rng, [(PointStatus.OPEN, 0.6), (PointStatus.MITIGATED, 0.25), (PointStatus.CLOSED, 0.15)])
            points.append(
                (unit.id, stage_id, desc, likelihood, impact,
                 monitoring_rules.risk_level(likelihood=likelihood, impact=impact), mitigation, "Sekretaris Satgas",
                 status, starts, ctx.now, ctx.now)
            )  # fmt: skip
    ids = iter(writer.ids(VulnerablePoint, len(points)))
    writer.write(
        VulnerablePoint,
        [
            "id",
            "unit",
            "stage",
            "description",
            "likelihood",
            "impact",
            "risk_level",
            "mitigation",
            "owner",
            "status",
            "review_on",
            "created_at",
            "updated_at",
        ],  # fmt: skip
        ((next(ids), *p) for p in points),
    )

    periods, start = [], dt.date(2024, 1, 1)
    while start.year == 2024:
        periods.append(monitoring_rules.period_containing(start))
        start = monitoring_rules.period_after(start)[0]
    sessions_by_unit: dict[int, list] = {}
    for _pk, starts_at, unit_id in ctx.sessions:
        sessions_by_unit.setdefault(unit_id, []).append(starts_at)
    reports, versions, evaluations, watches, flagged = [], [], [], [], []
    report_ids = iter(writer.ids(MonitoringReport, len(ctx.units) * len(periods)))
    for unit in ctx.units:
        staff = sum(1 for p in ctx.by_unit.get(unit.id, []) if p.active)
        for period_start, period_end in periods:
            pk = next(report_ids)
            status = _pick(rng, REPORT_STATUSES)
            author = member if unit.id == ctx.first_unit.id else admin
            submitted = timestamp(period_end + dt.timedelta(days=rng.randint(1, 12)), 10) if status != "DRAFT" else None
            texts = (
                "Patroli media sosial dan pengawasan langsung kegiatan pegawai.",
                "Pemantauan grup WhatsApp kantor.",
                rng.choice(["Tidak ditemukan pelanggaran netralitas.", "Satu unggahan diteruskan ke Satgas."]),
                "",
                "Lanjutkan sosialisasi berkala.",
            )
            comment = "Lengkapi jumlah akun yang dipantau." if status == ReportStatus.RETURNED else ""
            reports.append(
                (pk, unit.id, period_start, period_end, monitoring_rules.due_date(period_end), status, *texts, comment,
                 submitted, author, ctx.now, ctx.now)
            )  # fmt: skip
            if status == ReportStatus.DRAFT:
                continue
            watch = [("Facebook", "Grup pegawai", rng.randint(10, 120))]
            if rng.random() < 0.5:
                watch.append(("Instagram", "Akun resmi unit dan akun pegawai", rng.randint(5, 60)))
            watches += [(pk, *w) for w in watch]
            if rng.random() < 0.05:
                url = f"https://www.facebook.com/contoh/posts/{pk}"
                posted = period_start + dt.timedelta(days=3)
                flagged.append((pk, "Facebook", url, posted, "Unggahan dukungan kepada pasangan calon."))
            sessions = [
                {"title": "Sosialisasi netralitas", "date": s.date().isoformat()}
                for s in sessions_by_unit.get(unit.id, [])
                if period_start <= s.date() <= period_end
            ]
            snapshot = {
                **dict(zip(REPORT_TEXT_FIELDS, texts, strict=True)),
                "period_start": period_start.isoformat(),
                "period_end": period_end.isoformat(),
                "unit": unit.name,
                "sessions": sessions,
                "oath_coverage": {"election": "", "staff": staff, "signed": int(staff * 0.85), "socialized": 0},
                "watches": [{"platform": w[0], "accounts": w[1], "posts_reviewed": w[2]} for w in watch],
                "flagged_posts": [],
                "attachments": [],
            }
            outcomes = {"ACCEPTED": ["ACCEPTED"], "SUBMITTED": [""], "RETURNED": ["RETURNED"]}[status]
            if status == ReportStatus.ACCEPTED and rng.random() < 0.15:
                outcomes = ["RETURNED", "ACCEPTED"]
            for number, outcome in enumerate(outcomes, start=1):
                when = submitted - dt.timedelta(days=len(outcomes) - number)
                note = "Lengkapi jumlah akun yang dipantau." if outcome == "RETURNED" else ""
                versions.append((pk, number, snapshot, when, author, outcome, note))
            if status == ReportStatus.ACCEPTED:
                evaluations.append((unit.id, period_start, rng.randint(50, 98), "Baik.", admin, submitted))
    writer.write(
        MonitoringReport,
        [
            "id",
            "unit",
            "period_start",
            "period_end",
            "due_on",
            "status",
            "activities",
            "other_media",
            "findings",
            "obstacles",
            "recommendations",
            "review_comment",
            "submitted_at",
            "created_by",
            "created_at",
            "updated_at",
        ],  # fmt: skip
        reports,
    )
    for model, fields, rows in [
        (
            ReportVersion,
            ["report", "number", "snapshot", "submitted_at", "submitted_by", "outcome", "outcome_comment"],
            versions,
        ),
        (Evaluation, ["unit", "period_start", "score", "notes", "evaluated_by", "evaluated_at"], evaluations),
        (SocialMediaWatch, ["report", "platform", "accounts", "posts_reviewed"], watches),
        (FlaggedPost, ["report", "platform", "url", "posted_on", "description"], flagged),
    ]:
        ids = iter(writer.ids(model, len(rows)))
        writer.write(model, ["id", *fields], ((next(ids), *row) for row in rows))
