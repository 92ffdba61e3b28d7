"""The 2024 elections and their stages (domain.md section 6)."""

import datetime as dt

from django.db import transaction

from .models import Election, ElectionKind, ElectionStage


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


ELECTIONS = [
    {
        "name": "Pemilu 2024",
        "kind": ElectionKind.GENERAL,
        "voting_day": d("2024-02-14"),
        "regulation": "PKPU 3/2022",
        "stages": [
            ("Pendaftaran dan verifikasi partai politik", "2022-07-29", "2022-12-13"),
            ("Penetapan partai politik peserta pemilu", "2022-12-14", "2022-12-14"),
            ("Penetapan jumlah kursi dan daerah pemilihan", "2022-10-14", "2023-02-09"),
            ("Pemutakhiran data pemilih", "2022-10-14", "2023-06-21"),
            ("Pencalonan anggota DPD", "2022-12-06", "2023-11-25"),
            ("Pencalonan anggota DPR dan DPRD", "2023-04-24", "2023-11-25"),
            ("Pencalonan presiden dan wakil presiden", "2023-10-19", "2023-11-25"),
            ("Masa kampanye", "2023-11-28", "2024-02-10"),
            ("Masa tenang", "2024-02-11", "2024-02-13"),
            ("Pemungutan suara", "2024-02-14", "2024-02-14"),
            ("Penghitungan suara", "2024-02-14", "2024-02-15"),
            ("Rekapitulasi hasil penghitungan suara", "2024-02-15", "2024-03-20"),
            ("Pengucapan sumpah/janji anggota DPR dan DPD", "2024-10-01", "2024-10-01"),
            ("Pengucapan sumpah/janji presiden dan wakil presiden", "2024-10-20", "2024-10-20"),
        ],
    },
    {
        "name": "Pilkada 2024",
        "kind": ElectionKind.REGIONAL,
        "voting_day": d("2024-11-27"),
        "regulation": "PKPU 2/2024",
        "stages": [
            ("Pembentukan badan penyelenggara ad hoc", "2024-04-17", "2024-11-05"),
            ("Pemenuhan syarat dukungan calon perseorangan", "2024-05-05", "2024-08-19"),
            ("Pemutakhiran dan penyusunan daftar pemilih", "2024-05-31", "2024-09-23"),
            ("Pendaftaran pasangan calon", "2024-08-27", "2024-08-29"),
            ("Penelitian persyaratan calon", "2024-08-27", "2024-09-21"),
            ("Penetapan pasangan calon", "2024-09-22", "2024-09-22"),
            ("Masa kampanye", "2024-09-25", "2024-11-23"),
            ("Masa tenang", "2024-11-24", "2024-11-26"),
            ("Pemungutan suara", "2024-11-27", "2024-11-27"),
            ("Penghitungan dan rekapitulasi suara", "2024-11-27", "2024-12-16"),
        ],
    },
]


@transaction.atomic
def seed_elections() -> list[Election]:
    out = []
    for spec in ELECTIONS:
        stages = [(name, d(a), d(b)) for name, a, b in spec["stages"]]
        election, _ = Election.objects.get_or_create(
            name=spec["name"],
            defaults={
                "kind": spec["kind"],
                "voting_day": spec["voting_day"],
                "regulation": spec["regulation"],
                "starts_on": min(a for _, a, _ in stages),
                "ends_on": max(b for _, _, b in stages),
            },
        )
        for order, (name, starts, ends) in enumerate(stages):
            ElectionStage.objects.get_or_create(
                election=election, name=name, defaults={"starts_on": starts, "ends_on": ends, "order": order}
            )
        out.append(election)
    return out
