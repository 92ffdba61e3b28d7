"""Elections, oath campaigns and signatures, socialization sessions and attendance, task forces."""

import datetime as dt

from satgas.elections.demo import seed_elections
from satgas.oaths import demo as oaths_demo
from satgas.oaths.models import Campaign, CampaignStatus, ConfirmMode, DocumentKind, Signature, SignatureMethod
from satgas.personnel.models import EmploymentType
from satgas.socialization.models import Attendance, AttendanceMethod, SessionMode, SocializationSession
from satgas.taskforces import rules as taskforce_rules
from satgas.taskforces.models import (
    DecreeCounter,
    Inauguration,
    InaugurationMode,
    MemberRole,
    Membership,
    RegionalDefaults,
    TaskForce,
    TaskForceStatus,
)

from .registry import timestamp

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
TOKEN_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
SIGNED_SHARE = 0.85
USER_AGENTS = [
    "Mozilla/5.0 (Linux; Android 13; SM-A145F) AppleWebKit/537.36 Chrome/120.0 Mobile Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 Version/17.2 Mobile Safari/604.1",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36",
]
# Per election: campaign window, session day, attendance share, decree date of its task forces.
ELECTION_PLAN = {
    "Pemilu 2024": {
        "campaign": ("Ikrar Netralitas ASN dan PPNPN Pemilu 2024", dt.date(2023, 12, 19), dt.date(2024, 1, 31)),
        "sessions": (dt.date(2024, 1, 8), 0.8),
        "decree": dt.date(2024, 1, 22),
        "inaugurated": dt.date(2024, 1, 29),
    },
    "Pilkada 2024": {
        "campaign": ("Ikrar Netralitas ASN dan PPNPN Pilkada 2024", dt.date(2024, 9, 2), dt.date(2024, 10, 31)),
        "sessions": (dt.date(2024, 9, 9), 0.65),
        "decree": dt.date(2024, 9, 10),
        "inaugurated": dt.date(2024, 9, 17),
    },
}
COMPOSITION = [MemberRole.LEADER] * 2 + [MemberRole.SECRETARY] * 2 + [MemberRole.MEMBER] * 8


def code(rng, length: int = 20, alphabet: str = CODE_ALPHABET) -> str:
    return "".join(rng.choices(alphabet, k=length))


def build_elections(ctx) -> None:
    ctx.elections = {e.name: e for e in seed_elections()}  # the demo's 2024 elections (get or create)
    ctx.stages = [
        (s.starts_on, s.ends_on, s.order, s.pk, s.election_id) for e in ctx.elections.values() for s in e.stages.all()
    ]


def build_oaths(ctx) -> None:
    """The oath text (reused when published already), one closed campaign per election over every unit,
    and signatures of about 85 % of the active staff in each."""
    d = oaths_demo
    text = (d.OATH_TITLE, d.OATH_PREAMBLE, d.OATH_COMMITMENTS, d.OATH_CLOSING)
    ctx.oath = d._published_version(DocumentKind.OATH, *text, ConfirmMode.EACH, ctx.admin)
    rng, writer = ctx.rng, ctx.writer
    unit_ids = [u.id for u in ctx.units]
    types = list(EmploymentType.values)
    ctx.campaigns = {}
    codes: set[str] = set(Signature.objects.values_list("verification_code", flat=True))
    for election_name, plan in ELECTION_PLAN.items():
        title, opens, closes = plan["campaign"]
        opens_at, closes_at = timestamp(opens, 8), timestamp(closes, 23, 59)
        campaign = Campaign.objects.create(
            title=title,
            version=ctx.oath,
            election=ctx.elections[election_name],
            employment_types=types,
            opens_at=opens_at,
            closes_at=closes_at,
            status=CampaignStatus.CLOSED,
            created_by=ctx.admin,
            opened_at=opens_at,
            closed_at=closes_at,
        )
        ctx.campaigns[election_name] = campaign
        through = Campaign.units.through
        through_ids = iter(writer.ids(through, len(unit_ids)))
        writer.write(through, ["id", "campaign", "unit"], ((next(through_ids), campaign.pk, u) for u in unit_ids))
        window = int((closes_at - opens_at).total_seconds() // 60)
        signers = [p for p in ctx.people if p.active and rng.random() < SIGNED_SHARE]
        rows = _signature_rows(ctx, campaign, signers, opens_at, window, codes)
        writer.write(
            Signature,
            [
                "id",
                "campaign",
                "person",
                "version",
                "text_sha256",
                "signed_at",
                "method",
                "typed_name",
                "drawn_signature",
                "confirmed_commitments",
                "ip_address",
                "user_agent",
                "verification_code",
                "signed_by",
                "recorded_by",
                "paper_signed_on",
                "paper_scan",
            ],  # fmt: skip
            rows,
        )


def _signature_rows(ctx, campaign, signers, opens_at, window: int, codes: set[str]):
    rng, sha, version_id = ctx.rng, ctx.oath.text_sha256, ctx.oath.pk
    ids = iter(ctx.writer.ids(Signature, len(signers)))
    commitments = list(range(1, len(oaths_demo.OATH_COMMITMENTS) + 1))
    for p in signers:
        verification = code(rng)
        while verification in codes:
            verification = code(rng)
        codes.add(verification)
        signed_at = opens_at + dt.timedelta(minutes=rng.randint(0, window - 1))
        ip = f"10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
        yield (
            next(ids), campaign.pk, p.id, version_id, sha, signed_at, SignatureMethod.ONLINE, p.name, "",
            commitments, ip, rng.choice(USER_AGENTS), verification, None, None, None, "",
        )  # fmt: skip


def build_socialization(ctx) -> None:
    """One session per unit and election, attended by a fixed share of the unit's active staff."""
    rng, writer = ctx.rng, ctx.writer
    sessions, links, attendance = [], [], []
    session_ids = iter(writer.ids(SocializationSession, len(ctx.units) * len(ELECTION_PLAN)))
    link_ids = writer.ids(SocializationSession.units.through, len(ctx.units) * len(ELECTION_PLAN))
    link_iter = iter(link_ids)
    methods = list(AttendanceMethod.values)
    now = ctx.now
    for election_name, plan in ELECTION_PLAN.items():
        first_day, share = plan["sessions"]
        election = ctx.elections[election_name]
        for unit in ctx.units:
            pk = next(session_ids)
            day = first_day + dt.timedelta(days=rng.randint(0, 20))
            starts = timestamp(day, rng.choice([8, 9, 13]), rng.choice([0, 30]))
            video = rng.random() < 0.3
            sessions.append(
                (pk, f"Sosialisasi Netralitas ASN dan PPNPN {unit.name} ({election_name})"[:200], election.pk, starts,
                 starts + dt.timedelta(hours=2), SessionMode.VIDEO_CALL if video else SessionMode.IN_PERSON,
                 "https://zoom.us/j/0000000000" if video else f"Aula {unit.name}", "Kepala Divisi Administrasi",
                 "Materi: SE Menteri PANRB tentang netralitas ASN; SKB 5 instansi.", code(rng, 22, TOKEN_ALPHABET),
                 False, ctx.admin.pk, now, now)
            )  # fmt: skip
            links.append((next(link_iter), pk, unit.id))
            method = rng.choice(methods)
            recorded = starts + dt.timedelta(minutes=10)
            for p in ctx.by_unit.get(unit.id, []):
                if p.active and rng.random() < share:
                    attendance.append((p.id, pk, method, recorded))
    writer.write(
        SocializationSession,
        [
            "id",
            "title",
            "election",
            "starts_at",
            "ends_at",
            "mode",
            "location_or_link",
            "speaker",
            "notes",
            "checkin_code",
            "checkin_open",
            "created_by",
            "created_at",
            "updated_at",
        ],  # fmt: skip
        sessions,
    )
    writer.write(SocializationSession.units.through, ["id", "socializationsession", "unit"], links)
    ids = iter(writer.ids(Attendance, len(attendance)))
    writer.write(
        Attendance,
        ["id", "session", "person", "method", "recorded_at", "recorded_by"],
        ((next(ids), s, p, m, t, None) for p, s, m, t in attendance),
    )
    ctx.sessions = [(s[0], s[3], link[2]) for s, link in zip(sessions, links, strict=True)]  # (id, starts_at, unit)


def build_taskforces(ctx) -> None:
    """An active, inaugurated task force per unit and election with the default 2/2/8 composition."""
    rng, writer = ctx.rng, ctx.writer
    defaults, _ = RegionalDefaults.objects.get_or_create(pk=1)
    required = (defaults.leaders, defaults.secretaries, defaults.members)
    head = next((p for p in ctx.by_unit.get(ctx.root_id, []) if p.id in ctx.head_ids), None)
    satgas_person = ctx.users["satgas@satgas.test"].person_id
    excluded = ctx.head_ids | (ctx.account_person_ids - {satgas_person})
    teams = {}
    for unit in ctx.units:
        pool = [p.id for p in ctx.by_unit.get(unit.id, []) if p.active and p.kind == "PNS" and p.id not in excluded]
        team = [pk for pk in pool[:13] if pk != satgas_person]
        if unit.id == ctx.first_unit.id and satgas_person:
            team.insert(2, satgas_person)  # a secretary
        teams[unit.id] = team[:12]
    task_forces, memberships, inaugurations = [], [], []
    tf_ids = iter(writer.ids(TaskForce, len(ctx.units) * len(ELECTION_PLAN)))
    m_ids = iter(writer.ids(Membership, sum(len(t) for t in teams.values()) * len(ELECTION_PLAN)))
    i_ids = iter(writer.ids(Inauguration, len(ctx.units) * len(ELECTION_PLAN)))
    counters: dict[int, int] = {}
    for counter in DecreeCounter.objects.all():
        counters[counter.year] = counter.last_number
    badge_codes: set[str] = set(Membership.objects.values_list("badge_code", flat=True))
    for election_name, plan in ELECTION_PLAN.items():
        election, decree = ctx.elections[election_name], plan["decree"]
        for unit in ctx.units:
            pk = next(tf_ids)
            counters[decree.year] = counters.get(decree.year, 0) + 1
            number = taskforce_rules.format_decree_number(
                defaults.decree_pattern, number=counters[decree.year], on=decree, unit_code=unit.code
            )
            team = teams[unit.id]
            complete = len(team) >= sum(required)
            task_forces.append(
                (pk, unit.id, election.pk, TaskForceStatus.ACTIVE, *required, decree, None,
                 number, decree, True, head.name if head else "", head.number if head else "",
                 "Kepala Kantor Wilayah", "" if complete else "Data uji skala: jumlah pegawai belum mencukupi.",
                 timestamp(decree, 10), None, ctx.admin.pk, ctx.now)
            )  # fmt: skip
            for person_id, role in zip(team, COMPOSITION, strict=False):
                badge = code(rng)
                while badge in badge_codes:
                    badge = code(rng)
                badge_codes.add(badge)
                memberships.append(
                    (next(m_ids), pk, person_id, role, decree, None, "", None, True, True, badge, ctx.admin.pk, ctx.now)
                )
            inaugurations.append(
                (next(i_ids), pk, plan["inaugurated"], "Aula Kresna Basudewa, Kanwil Jawa Tengah",
                 rng.choice(InaugurationMode.values), "Kepala Kantor Wilayah", ctx.admin.pk, ctx.now)
            )  # fmt: skip
    writer.write(
        TaskForce,
        [
            "id",
            "unit",
            "election",
            "status",
            "required_leaders",
            "required_secretaries",
            "required_members",
            "term_starts_on",
            "term_ends_on",
            "decree_number",
            "decree_date",
            "decree_number_generated",
            "signatory_name",
            "signatory_nip",
            "signatory_title",
            "activation_reason",
            "activated_at",
            "ended_on",
            "created_by",
            "created_at",
        ],  # fmt: skip
        task_forces,
    )
    writer.write(
        Membership,
        [
            "id",
            "task_force",
            "person",
            "role",
            "started_on",
            "ended_on",
            "end_reason",
            "replaces",
            "inaugurated",
            "badge_issued",
            "badge_code",
            "created_by",
            "created_at",
        ],  # fmt: skip
        memberships,
    )
    fields = ["id", "task_force", "held_on", "place", "mode", "led_by", "recorded_by", "recorded_at"]
    writer.write(Inauguration, fields, inaugurations)
    for year, last in counters.items():
        DecreeCounter.objects.update_or_create(year=year, defaults={"last_number": last})
