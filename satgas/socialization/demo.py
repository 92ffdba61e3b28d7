"""Demo socialization sessions (called by ``manage.py seed_demo``).

Deterministic and idempotent: the same three past sessions of January 2024,
tied to "Pemilu 2024" when that election exists, with attendance for a fixed
part of each unit's staff. Running it again adds nothing.
"""

import datetime as dt
import zoneinfo

from django.db import transaction

from satgas.elections.models import Election
from satgas.personnel.models import Person, PersonStatus, Unit

from .models import Attendance, AttendanceMethod, SessionMode, SocializationSession

WIB = zoneinfo.ZoneInfo("Asia/Jakarta")

SESSIONS = [
    {
        "unit": "LAPAS-SMG",
        "title": "Sosialisasi Netralitas ASN dan PPNPN Lapas Kelas I Semarang",
        "starts_at": dt.datetime(2024, 1, 15, 9, 0, tzinfo=WIB),
        "ends_at": dt.datetime(2024, 1, 15, 11, 30, tzinfo=WIB),
        "mode": SessionMode.IN_PERSON,
        "location_or_link": "Aula Lapas Kelas I Semarang, Jl. Raya Semarang-Boja, Kedungpane",
        "speaker": "Kepala Divisi Administrasi",
        "share": 0.8,
        "method": AttendanceMethod.SELF_CHECKIN,
    },
    {
        "unit": "RUTAN-PBG",
        "title": "Sosialisasi Netralitas Pegawai Rutan Purbalingga",
        "starts_at": dt.datetime(2024, 1, 18, 13, 30, tzinfo=WIB),
        "ends_at": dt.datetime(2024, 1, 18, 15, 0, tzinfo=WIB),
        "mode": SessionMode.VIDEO_CALL,
        "location_or_link": "https://zoom.us/j/0000000000",
        "speaker": "Kepala Rutan Kelas IIB Purbalingga",
        "share": 0.6,
        "method": AttendanceMethod.IMPORTED,
    },
    {
        "unit": "KANIM-CLP",
        "title": "Sosialisasi Netralitas ASN Kantor Imigrasi Cilacap",
        "starts_at": dt.datetime(2024, 1, 22, 8, 30, tzinfo=WIB),
        "ends_at": dt.datetime(2024, 1, 22, 10, 0, tzinfo=WIB),
        "mode": SessionMode.IN_PERSON,
        "location_or_link": "Ruang rapat Kantor Imigrasi Kelas II TPI Cilacap",
        "speaker": "Kepala Kantor Imigrasi",
        "share": 0.5,
        "method": AttendanceMethod.PICKED,
    },
]


@transaction.atomic
def seed_socialization() -> int:
    """Create the demo sessions that do not exist yet; return how many sessions were created."""
    units = {u.code: u for u in Unit.objects.filter(code__in=[s["unit"] for s in SESSIONS])}
    election = Election.objects.filter(name="Pemilu 2024").first()
    created_count = 0
    for spec in SESSIONS:
        unit = units.get(spec["unit"])
        if unit is None:
            continue
        session, created = SocializationSession.objects.get_or_create(
            title=spec["title"],
            starts_at=spec["starts_at"],
            defaults={
                "election": election,
                "ends_at": spec["ends_at"],
                "mode": spec["mode"],
                "location_or_link": spec["location_or_link"],
                "speaker": spec["speaker"],
                "notes": "Materi: SE Menteri PANRB tentang netralitas ASN; SKB 5 instansi.",
                "checkin_open": False,
            },
        )
        if created:
            created_count += 1
            session.units.set([unit])
        staff = list(
            Person.objects.filter(unit=unit, status=PersonStatus.ACTIVE).order_by("id").values_list("pk", flat=True)
        )
        attendees = staff[: int(len(staff) * spec["share"])]
        recorded_at = spec["starts_at"] + dt.timedelta(minutes=10)
        Attendance.objects.bulk_create(
            [
                Attendance(session=session, person_id=pk, method=spec["method"], recorded_at=recorded_at)
                for pk in attendees
            ],
            ignore_conflicts=True,
        )
    return created_count
