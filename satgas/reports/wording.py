"""Official Indonesian wording of the six-monthly report (document text, not UI text).

The letter and its annexes are Indonesian by regulation whatever language the
admin uses, like the task-force decree (``taskforces.models.DECREE_TITLES``).
Labels are copied into each version's snapshot, so a PDF re-rendered from a
snapshot says what the original said.
"""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

MONTHS = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
]

UNIT_TYPES = {
    "KANWIL": "Kantor Wilayah",
    "DIVISI": "Divisi",
    "LAPAS": "Lapas",
    "RUTAN": "Rutan",
    "BAPAS": "Bapas",
    "LPKA": "LPKA",
    "RUPBASAN": "Rupbasan",
    "KANIM": "Kantor Imigrasi",
}
EMPLOYMENT_TYPES = ("PNS", "PPPK", "PPNPN")
DOCUMENT_KINDS = {"OATH": "Ikrar Netralitas", "PACT": "Pakta Integritas"}
CAMPAIGN_STATUS = {"DRAFT": "Draf", "OPEN": "Dibuka", "CLOSED": "Ditutup"}
TASKFORCE_STATUS = {"DRAFT": "Draf", "ACTIVE": "Aktif", "ENDED": "Berakhir", "NONE": "Belum dibentuk"}
ROLES = {"LEADER": "Ketua Tim", "SECRETARY": "Sekretaris", "MEMBER": "Anggota"}
RISK_LEVELS = {1: "Rendah", 2: "Sedang", 3: "Tinggi"}
CATEGORY_KINDS = {"ETHICS": "Kode etik", "DISCIPLINARY": "Disiplin", "": "Belum dikategorikan"}
OUTCOMES = {
    "in_progress": "Dalam proses",
    "proven": "Terbukti",
    "not_proven": "Tidak terbukti",
    "dismissed": "Dihentikan pada verifikasi",
    "referred": "Dilimpahkan ke instansi lain",
}
SANCTIONS = {
    "ETHICS:CLOSED": "Sanksi moral: pernyataan secara tertutup",
    "ETHICS:OPEN": "Sanksi moral: pernyataan secara terbuka",
    "DISCIPLINARY:LIGHT": "Hukuman disiplin ringan",
    "DISCIPLINARY:MODERATE": "Hukuman disiplin sedang",
    "DISCIPLINARY:HEAVY": "Hukuman disiplin berat",
    "CONTRACT:ORAL_WARNING": "PPNPN: teguran lisan",
    "CONTRACT:WRITTEN_WARNING": "PPNPN: teguran tertulis",
    "CONTRACT:FINAL_WARNING": "PPNPN: teguran tertulis terakhir",
    "CONTRACT:TERMINATION": "PPNPN: pemutusan kontrak",
}


def date_id(day: dt.date | dt.datetime | str | None) -> str:
    """``1 Juli 2024`` (ISO strings from a snapshot are accepted)."""
    if not day:
        return ""
    if isinstance(day, str):
        day = dt.date.fromisoformat(day[:10])
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def round_half_up(value, decimals: int = 0) -> float | int:
    """Official figures round half up (``3.25`` -> ``3.3``, ``2.5`` -> ``3``), not half to even as
    Python's ``round`` does; the decimal text of the float is rounded, not its binary value."""
    rounded = Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return int(rounded) if decimals == 0 else float(rounded)


def number_id(value, decimals: int = 0) -> str:
    """``1234`` -> ``1.234``; ``87.5`` with one decimal -> ``87,5``; ``3.25`` with one -> ``3,3`` (half up)."""
    if value is None or value == "":
        return "–"
    text = f"{round_half_up(value, decimals):,.{decimals}f}"
    return text.replace(",", "\u0000").replace(".", ",").replace("\u0000", ".")


def percent_id(value) -> str:
    """``87.5`` -> ``87,5%``; ``None`` -> ``–``."""
    if value is None or value == "":
        return "–"
    return f"{number_id(value, 1)}%"
