"""Units, employees (valid NIP/NIK), placements, unit heads and the benchmark accounts."""

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.utils import timezone

from satgas.accounts.demo import DEMO_PASSWORD
from satgas.accounts.models import Role, RoleAssignment, User
from satgas.personnel import demo as personnel_demo
from satgas.personnel.models import EmploymentType, Person, PersonStatus, Placement, Unit, UnitType

# Cities and regencies of Central Java: (code, name).
CITIES = [
    ("SMG", "Semarang"), ("SKA", "Surakarta"), ("MGL", "Magelang"), ("PKL", "Pekalongan"), ("TGL", "Tegal"),
    ("SLT", "Salatiga"), ("CLP", "Cilacap"), ("PWT", "Purwokerto"), ("PBG", "Purbalingga"), ("BNR", "Banjarnegara"),
    ("KBM", "Kebumen"), ("PWR", "Purworejo"), ("WSB", "Wonosobo"), ("BYL", "Boyolali"), ("KLT", "Klaten"),
    ("SKH", "Sukoharjo"), ("WNG", "Wonogiri"), ("KRA", "Karanganyar"), ("SRG", "Sragen"), ("PWD", "Purwodadi"),
    ("BLA", "Blora"), ("RBG", "Rembang"), ("PTI", "Pati"), ("KDS", "Kudus"), ("JPR", "Jepara"), ("DMK", "Demak"),
    ("KDL", "Kendal"), ("BTG", "Batang"), ("PML", "Pemalang"), ("BBS", "Brebes"), ("TMG", "Temanggung"),
    ("SLW", "Slawi"), ("AMB", "Ambarawa"), ("UNG", "Ungaran"), ("KJN", "Kajen"),
]  # fmt: skip
# (type, share of the units, classes, name prefix, staff size factor per class)
UNIT_KINDS = [
    (UnitType.LAPAS, 0.45, ["I", "IIA", "IIB", "III"], "Lapas Kelas", {"I": 1.8, "IIA": 1.3, "IIB": 0.9, "III": 0.6}),
    (UnitType.RUTAN, 0.25, ["I", "IIA", "IIB"], "Rutan Kelas", {"I": 1.4, "IIA": 1.0, "IIB": 0.7}),
    (UnitType.BAPAS, 0.10, ["I", "II"], "Bapas Kelas", {"I": 0.8, "II": 0.5}),
    (UnitType.KANIM, 0.10, ["I TPI", "I Non TPI", "II TPI", "II Non TPI"], "Kantor Imigrasi Kelas", {}),
    (UnitType.LPKA, 0.03, ["I", "II"], "LPKA Kelas", {"I": 0.7, "II": 0.5}),
    (UnitType.RUPBASAN, 0.07, ["I", "II"], "Rupbasan Kelas", {"I": 0.3, "II": 0.2}),
]
HEAD_TITLES = {
    **personnel_demo.HEAD_TITLES,
    UnitType.LPKA: "Kepala LPKA",
    UnitType.RUPBASAN: "Kepala Rupbasan",
}
# Central Java regency codes of the NIK (3301–3329) and city codes (3371–3376).
NIK_REGENCIES = list(range(1, 30)) + list(range(71, 77))
KIND_SHARES = ((EmploymentType.PNS, 0.70), (EmploymentType.PPPK, 0.10), (EmploymentType.PPNPN, 0.20))
STATUS_SHARES = ((PersonStatus.ACTIVE, 0.98), (PersonStatus.MOVED, 0.01), (PersonStatus.RETIRED, 0.01))
FIRST_PLACEMENT = dt.date(2023, 1, 2)

# The benchmark (and demo) accounts: email -> (role, where the person works).
ACCOUNTS = {
    "admin@satgas.test": Role.REGIONAL_ADMIN,
    "satgas@satgas.test": None,  # a task-force secretary of the first unit, through the membership
    "pegawai@satgas.test": None,  # a staff member of the first unit
    "pimpinan@satgas.test": Role.LEADER,
}


@dataclass(slots=True)
class P:
    """What the other builders need to know about a generated employee."""

    id: int
    unit_id: int
    kind: str
    active: bool
    name: str
    birth: dt.date
    number: str  # NIP, NI PPPK or NIK: the identity number of the employment type


@dataclass(slots=True)
class U:
    id: int
    code: str
    name: str
    unit_type: str
    size: float


def _pick(rng, shares):
    x, total = rng.random(), 0.0
    for value, share in shares:
        total += share
        if x < total:
            return value
    return shares[-1][0]


def build_units(ctx, count: int) -> None:
    """The regional office (reused when present) and ``count`` technical units under it."""
    code, name, unit_type, unit_class, _parent, address = personnel_demo.REGION
    root = Unit.objects.filter(code=code).first()
    taken = set(Unit.objects.values_list("code", flat=True))
    specs = []  # (code, name, type, class, address, size)
    if root is None:
        specs.append((code, name, unit_type, unit_class, address, 1.2))
    real = [u for u in personnel_demo.UNITS if u[2] != UnitType.DIVISION]
    factors = {kind: sizes for kind, _s, _c, _p, sizes in UNIT_KINDS}
    for u_code, u_name, u_type, u_class, _p, u_address in real[:count]:
        if u_code not in taken:
            specs.append((u_code, u_name, u_type, u_class, u_address, factors.get(u_type, {}).get(u_class, 1.0)))
    taken |= {s[0] for s in specs}
    seen_names = {s[1] for s in specs}
    rng = ctx.rng
    while len(specs) - (root is None) < count:
        kind, _share, classes, prefix, sizes = _pick(rng, [(k, k[1]) for k in UNIT_KINDS])
        city_code, city = rng.choice(CITIES)
        unit_class = rng.choice(classes)
        base_code, base_name = f"{kind}-{city_code}", f"{prefix} {unit_class} {city}"
        n = 1
        u_code, u_name = base_code, base_name
        while u_code in taken or u_name in seen_names:
            n += 1
            u_code, u_name = f"{base_code}-{n}", f"{base_name} {n}"
        taken.add(u_code)
        seen_names.add(u_name)
        address = f"Jl. {rng.choice(['Pemuda', 'Sudirman', 'Diponegoro', 'Pahlawan', 'Gajah Mada'])} No. "
        address = f"{address}{rng.randint(1, 200)}, {city}"
        specs.append((u_code, u_name, kind, unit_class, address, sizes.get(unit_class, 1.0)))
    ids = iter(ctx.writer.ids(Unit, len(specs)))
    now = ctx.now
    rows, ctx.units = [], []
    root_id = root.pk if root else None
    for s_code, s_name, s_type, s_class, s_address, size in specs:
        pk = next(ids)
        parent = None if s_type == UnitType.KANWIL else root_id
        if s_type == UnitType.KANWIL:
            root_id = pk
        title = HEAD_TITLES.get(s_type, "")
        rows.append((pk, s_code, s_name, s_type, s_class, parent, s_address, "", "", None, title, True, now, now))
        ctx.units.append(U(pk, s_code, s_name, s_type, size * rng.uniform(0.6, 1.4)))
    fields = ["id", "code", "name", "unit_type", "unit_class", "parent", "address", "phone", "email", "head",
              "head_title", "is_active", "created_at", "updated_at"]  # fmt: skip
    ctx.writer.write(Unit, fields, rows)
    # An existing regional office (--force) keeps its own data: the new units go under it.
    ctx.root_id = root_id


def _counts(ctx, total: int) -> list[int]:
    weights = [u.size for u in ctx.units]
    scale = total / sum(weights)
    raw = [w * scale for w in weights]
    counts = [int(x) for x in raw]
    order = sorted(range(len(raw)), key=lambda i: raw[i] - counts[i], reverse=True)
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


def new_identity(rng, kind: str, birth: dt.date, sex: int, nips: set, niks: set) -> tuple[str | None, str | None]:
    """A NIP / NI PPPK (ASN) or a Central Java NIK (PPNPN) that passes ``personnel.identity`` and is not in
    ``nips`` / ``niks`` (which it joins). ``sex`` is the NIP digit: 1 male, 2 female."""
    if kind == EmploymentType.PPNPN:
        nik = None
        while nik is None or nik in niks:
            day = birth.day + (40 if sex == 2 else 0)
            nik = (
                f"33{rng.choice(NIK_REGENCIES):02d}{rng.randint(1, 20):02d}"
                f"{day:02d}{birth:%m}{birth:%y}{rng.randint(1, 9999):04d}"
            )
        niks.add(nik)
        return None, nik
    nip = None
    while nip is None or nip in nips:
        if kind == EmploymentType.PNS:
            appointed = min(birth.year + rng.randint(20, 30), 2023)
            middle = f"{appointed:04d}{rng.randint(1, 12):02d}"
        else:
            middle = f"{rng.choice([2019, 2021, 2022, 2023]):04d}{rng.randint(1, 99):02d}"
        nip = f"{birth:%Y%m%d}{middle}{sex}{rng.randint(1, 999):03d}"
    nips.add(nip)
    return nip, None


def random_person(rng) -> tuple[str, str, int, dt.date]:
    """Name (with titles), given name, NIP sex digit and birth date of a synthetic employee."""
    given = rng.choice(personnel_demo.FIRST)
    sex = 2 if given in personnel_demo.FEMALE_FIRST and rng.random() < 0.85 else 1
    name = f"{given} {rng.choice(personnel_demo.LAST)}{rng.choice(personnel_demo.TITLES)}"
    return name, given, sex, dt.date(rng.randint(1966, 2001), rng.randint(1, 12), rng.randint(1, 28))


def build_people(ctx, total: int) -> None:
    """``total`` employees over the units, with valid, unique identity numbers, and their placements."""
    rng = ctx.rng
    nips = set(Person.objects.exclude(nip=None).values_list("nip", flat=True))
    niks = set(Person.objects.exclude(nik=None).values_list("nik", flat=True))
    positions, ranks, ppnpn_positions = personnel_demo.POSITIONS, personnel_demo.RANKS, personnel_demo.PPNPN_POSITIONS
    ids = iter(ctx.writer.ids(Person, total))
    ctx.people = []
    person_rows = []
    now = ctx.now
    for unit, count in zip(ctx.units, _counts(ctx, total), strict=True):
        for _ in range(count):
            pk = next(ids)
            name, given, sex, birth = random_person(rng)
            kind = _pick(rng, KIND_SHARES)
            nip, nik = new_identity(rng, kind, birth, sex, nips, niks)
            if kind == EmploymentType.PPNPN:
                number, position, rank = nik, rng.choice(ppnpn_positions), ""
            else:
                number, position, rank = nip, rng.choice(positions), rng.choice(ranks)
            status = _pick(rng, STATUS_SHARES)
            email = f"{given}.{pk}@pegawai.satgas.test".lower() if rng.random() < 0.8 else ""
            phone = f"08{rng.randint(10**9, 10**10 - 1)}" if rng.random() < 0.7 else ""
            person_rows.append(
                (pk, name, kind, nip, nik, birth, "F" if sex == 2 else "M", unit.id, position, rank, email, phone,
                 status, now, now)
            )  # fmt: skip
            ctx.people.append(P(pk, unit.id, kind, status == PersonStatus.ACTIVE, name, birth, number))
    fields = ["id", "full_name", "employment_type", "nip", "nik", "birth_date", "sex", "unit", "position",
              "rank_grade", "email", "phone", "status", "created_at", "updated_at"]  # fmt: skip
    ctx.writer.write(Person, fields, person_rows)
    placement_ids = iter(ctx.writer.ids(Placement, len(ctx.people)))
    ctx.writer.write(
        Placement,
        ["id", "person", "unit", "started_on", "ended_on", "reason", "created_by"],
        ((next(placement_ids), p.id, p.unit_id, FIRST_PLACEMENT, None, "Data awal", None) for p in ctx.people),
    )
    by_unit: dict[int, list[P]] = {}
    for p in ctx.people:
        by_unit.setdefault(p.unit_id, []).append(p)
    ctx.by_unit = by_unit
    # Heads: the first active PNS of each unit.
    heads = []
    for unit in ctx.units:
        head = next((p for p in by_unit.get(unit.id, []) if p.active and p.kind == EmploymentType.PNS), None)
        if head:
            heads.append((head.id, unit.id))
    ctx.writer.execute_many('UPDATE "personnel_unit" SET "head_id" = %s WHERE "id" = %s', heads)
    ctx.head_ids = {p for p, _u in heads}


def build_accounts(ctx) -> None:
    """The benchmark accounts (the demo's emails and password), linked to generated people."""
    from satgas.violations.permissions import IDENTITY_GROUP

    first_unit = next((u for u in ctx.units if u.id != ctx.root_id), ctx.units[0])
    ctx.first_unit = first_unit
    candidates = {
        "admin@satgas.test": ctx.by_unit.get(ctx.root_id, []),
        "satgas@satgas.test": ctx.by_unit.get(first_unit.id, []),
        "pegawai@satgas.test": ctx.by_unit.get(first_unit.id, []),
        "pimpinan@satgas.test": ctx.by_unit.get(ctx.root_id, []),
    }
    used: set[int] = set(ctx.head_ids)
    password = make_password(DEMO_PASSWORD)
    ctx.users = {}
    for email, role in ACCOUNTS.items():
        user = User.objects.filter(email=email).first()
        if user is None:
            pool = [p for p in candidates[email] if p.active and p.kind == EmploymentType.PNS and p.id not in used]
            person = pool[len(pool) // 2] if pool else None  # not the first ones: those become task-force members
            if person:
                used.add(person.id)
                Person.objects.filter(pk=person.id).update(email=email)
            full_name = person.name if person else email
            user = User.objects.create(
                email=email, password=password, full_name=full_name, person_id=person.id if person else None
            )
        if role:
            RoleAssignment.objects.get_or_create(user=user, role=role, unit=None)
        ctx.users[email] = user
    ctx.admin = ctx.users["admin@satgas.test"]
    ctx.admin.groups.add(Group.objects.get_or_create(name=IDENTITY_GROUP)[0])
    ctx.account_person_ids = {u.person_id for u in ctx.users.values() if u.person_id}


def timestamp(day: dt.date, hour: int = 9, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=timezone.get_default_timezone())
