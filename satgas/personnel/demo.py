"""Demo data of the personnel registry (used by ``manage.py seed_demo``).

Deterministic: the same units and the same few hundred synthetic employees
every time, so running the seed twice changes nothing.
"""

import datetime as dt
import random

from django.db import transaction

from .models import EmploymentType, Person, Placement, Unit, UnitType

REGION = (
    "KWJATENG",
    "Kantor Wilayah Kementerian Hukum dan HAM Jawa Tengah",
    UnitType.KANWIL,
    "",
    None,
    "Jl. Dr. Cipto No. 64, Semarang",
)

UNITS = [
    ("DIV-ADM", "Divisi Administrasi", UnitType.DIVISION, "", "KWJATENG", ""),
    ("DIV-PAS", "Divisi Pemasyarakatan", UnitType.DIVISION, "", "KWJATENG", ""),
    ("DIV-IMI", "Divisi Keimigrasian", UnitType.DIVISION, "", "KWJATENG", ""),
    ("DIV-YANKUM", "Divisi Pelayanan Hukum dan HAM", UnitType.DIVISION, "", "KWJATENG", ""),
    (
        "LAPAS-SMG",
        "Lapas Kelas I Semarang",
        UnitType.LAPAS,
        "I",
        "KWJATENG",
        "Jl. Raya Semarang-Boja, Kedungpane, Semarang",
    ),
    (
        "RUTAN-PBG",
        "Rutan Kelas IIB Purbalingga",
        UnitType.RUTAN,
        "IIB",
        "KWJATENG",
        "Jl. Letjend S. Parman, Purbalingga",
    ),
    ("LAPAS-KBK", "Lapas Kelas IIA Kembangkuning", UnitType.LAPAS, "IIA", "KWJATENG", "Pulau Nusakambangan, Cilacap"),
    ("LAPAS-PP", "Lapas Kelas IIA Pasir Putih", UnitType.LAPAS, "IIA", "KWJATENG", "Pulau Nusakambangan, Cilacap"),
    ("LAPAS-BATU", "Lapas Kelas I Batu", UnitType.LAPAS, "I", "KWJATENG", "Pulau Nusakambangan, Cilacap"),
    (
        "KANIM-CLP",
        "Kantor Imigrasi Kelas II TPI Cilacap",
        UnitType.KANIM,
        "II TPI",
        "KWJATENG",
        "Jl. Jend. Sudirman, Cilacap",
    ),
    (
        "KANIM-SMG",
        "Kantor Imigrasi Kelas I TPI Semarang",
        UnitType.KANIM,
        "I TPI",
        "KWJATENG",
        "Jl. Siliwangi, Semarang",
    ),
    ("BAPAS-SMG", "Bapas Kelas I Semarang", UnitType.BAPAS, "I", "KWJATENG", "Jl. Ki Mangunsarkoro, Semarang"),
]
HEAD_TITLES = {
    UnitType.KANWIL: "Kepala Kantor Wilayah",
    UnitType.DIVISION: "Kepala Divisi",
    UnitType.LAPAS: "Kepala Lapas",
    UnitType.RUTAN: "Kepala Rutan",
    UnitType.BAPAS: "Kepala Bapas",
    UnitType.KANIM: "Kepala Kantor Imigrasi",
}

FIRST = [
    "Agus",
    "Budi",
    "Dwi",
    "Eko",
    "Fajar",
    "Hadi",
    "Indra",
    "Joko",
    "Slamet",
    "Teguh",
    "Wahyu",
    "Yudi",
    "Ari",
    "Bambang",
    "Rudi",
    "Sigit",
    "Heru",
    "Nur",
    "Tri",
    "Dian",
    "Sri",
    "Siti",
    "Rina",
    "Dewi",
    "Endang",
    "Lestari",
    "Ratna",
    "Wulan",
    "Yuni",
    "Fitri",
    "Retno",
    "Anik",
    "Tutik",
    "Ika",
    "Novi",
    "Putri",
]
LAST = [
    "Santoso",
    "Wibowo",
    "Prasetyo",
    "Setiawan",
    "Nugroho",
    "Hidayat",
    "Susanto",
    "Purnomo",
    "Saputra",
    "Kurniawan",
    "Rahayu",
    "Lestari",
    "Wulandari",
    "Handayani",
    "Utami",
    "Sari",
    "Astuti",
    "Maharani",
    "Hartono",
    "Sutrisno",
    "Haryanto",
    "Suryadi",
    "Mulyono",
    "Kusuma",
]
FEMALE_FIRST = {
    "Dewi",
    "Sri",
    "Siti",
    "Rina",
    "Endang",
    "Lestari",
    "Ratna",
    "Wulan",
    "Yuni",
    "Fitri",
    "Retno",
    "Anik",
    "Tutik",
    "Ika",
    "Novi",
    "Putri",
    "Dian",
    "Nur",
    "Tri",
}
TITLES = ["", "", "", ", S.H.", ", S.H., M.H.", ", S.E.", ", A.Md.IP.", ", S.Tr.Pas.", ", S.Kom.", ", S.Sos."]
POSITIONS = [
    "Petugas Pengamanan",
    "Pengelola Umum",
    "Analis Kepegawaian",
    "Pembimbing Kemasyarakatan",
    "Pemeriksa Keimigrasian",
    "Penjaga Tahanan",
    "Pengadministrasi Umum",
    "Bendahara",
    "Kepala Sub Seksi",
]
RANKS = [
    "Pengatur Muda (II/a)",
    "Pengatur (II/c)",
    "Penata Muda (III/a)",
    "Penata Muda Tingkat I (III/b)",
    "Penata (III/c)",
    "Penata Tingkat I (III/d)",
    "Pembina (IV/a)",
]
PPNPN_POSITIONS = ["Pengemudi", "Petugas Kebersihan", "Satpam", "Pramubakti", "Teknisi"]
PER_UNIT = {
    "KWJATENG": 40,
    "LAPAS-SMG": 70,
    "RUTAN-PBG": 25,
    "LAPAS-KBK": 30,
    "LAPAS-PP": 30,
    "LAPAS-BATU": 30,
    "KANIM-CLP": 25,
    "KANIM-SMG": 30,
    "BAPAS-SMG": 25,
}


def _name(rng: random.Random) -> tuple[str, int]:
    first = rng.choice(FIRST)
    sex = 2 if first in FEMALE_FIRST and rng.random() < 0.85 else 1
    return f"{first} {rng.choice(LAST)}{rng.choice(TITLES)}", sex


def _nip(rng, birth, sex, serial):
    appointed = min(birth.year + rng.randint(20, 30), 2023)
    return f"{birth:%Y%m%d}{appointed:04d}{rng.randint(1, 12):02d}{sex}{serial:03d}"


def _pppk(rng, birth, sex, serial):
    return f"{birth:%Y%m%d}{rng.choice([2021, 2022, 2023]):04d}{rng.randint(1, 99):02d}{sex}{serial:03d}"


def _nik(rng, birth, sex, serial):
    day = birth.day + (40 if sex == 2 else 0)
    return f"33{rng.randint(1, 29):02d}{rng.randint(1, 20):02d}{day:02d}{birth:%m}{birth:%y}{serial:04d}"


@transaction.atomic
def seed_units() -> dict[str, Unit]:
    units: dict[str, Unit] = {}
    for code, name, unit_type, unit_class, parent, address in [REGION, *UNITS]:
        unit, _ = Unit.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "unit_type": unit_type,
                "unit_class": unit_class,
                "parent": units.get(parent),
                "address": address,
                "head_title": HEAD_TITLES.get(unit_type, ""),
            },
        )
        units[code] = unit
    return units


@transaction.atomic
def seed_personnel(units: dict[str, Unit]) -> int:
    """Create the synthetic employees that do not exist yet; return how many."""
    rng = random.Random(2024)
    today = dt.date(2023, 1, 2)
    serial = 0
    to_create: list[Person] = []
    for code, count in PER_UNIT.items():
        for i in range(count):
            serial += 1
            name, sex = _name(rng)
            birth = dt.date(rng.randint(1966, 2000), rng.randint(1, 12), rng.randint(1, 28))
            kind = EmploymentType.PPNPN if i % 6 == 5 else (EmploymentType.PPPK if i % 9 == 8 else EmploymentType.PNS)
            if kind == EmploymentType.PPNPN:
                nip, nik, position, rank = None, _nik(rng, birth, sex, serial), rng.choice(PPNPN_POSITIONS), ""
            else:
                make = _nip if kind == EmploymentType.PNS else _pppk
                nip, nik = make(rng, birth, sex, serial % 999 + 1), None
                position, rank = rng.choice(POSITIONS), rng.choice(RANKS)
            local = name.split(",")[0].lower().replace(" ", ".")
            person = Person(
                full_name=name,
                employment_type=kind,
                nip=nip,
                nik=nik,
                unit=units[code],
                position=position,
                rank_grade=rank,
                email=f"{local}.{serial}@pegawai.satgas.test",
                phone=f"08{rng.randint(10**9, 10**10 - 1)}",
            )
            person.clean()
            to_create.append(person)
    existing_nip = set(Person.objects.filter(nip__in=[p.nip for p in to_create if p.nip]).values_list("nip", flat=True))
    existing_nik = set(Person.objects.filter(nik__in=[p.nik for p in to_create if p.nik]).values_list("nik", flat=True))
    new = [p for p in to_create if (p.nip and p.nip not in existing_nip) or (p.nik and p.nik not in existing_nik)]
    Person.objects.bulk_create(new, batch_size=500)
    created = list(Person.objects.filter(nip__in=[p.nip for p in new if p.nip]))
    created += list(Person.objects.filter(nik__in=[p.nik for p in new if p.nik]))
    Placement.objects.bulk_create(
        [Placement(person=p, unit_id=p.unit_id, started_on=today, reason="Data awal") for p in created], batch_size=500
    )
    return len(new)


def seed_heads(units: dict[str, Unit]) -> None:
    """Give each unit without a head its first employee as head."""
    for unit in units.values():
        if unit.head_id is None:
            head = Person.objects.filter(unit=unit, employment_type=EmploymentType.PNS).order_by("id").first()
            if head:
                Unit.objects.filter(pk=unit.pk).update(head=head)
