"""The first draft of the letter's text, written from the numbers (official Indonesian wording).

Admins edit it before approval; once edited by a person it is never replaced
by a regeneration.
"""

from . import wording
from .periods import Semester


def default_hal(semester: Semester) -> str:
    return f"Laporan Hasil Monitoring dan Evaluasi Satgas Netralitas ASN dan PPNPN {semester.title_id}"


def _n(value) -> str:
    return wording.number_id(value)


def default_narrative(snapshot: dict) -> dict:
    period, office = snapshot["period"], snapshot["office"]
    p, s = snapshot["personnel"]["total"], snapshot["socialization"]["total"]
    campaigns = snapshot["oaths"]["campaigns"]
    t, m = snapshot["taskforces"]["total"], snapshot["monitoring"]["total"]
    points = snapshot["monitoring"]["points"]["total"]
    v = snapshot["violations"]["total"]
    required = sum(c["required"] for c in campaigns)
    signed = sum(c["signed"] for c in campaigns)
    oath_pct = wording.round_half_up(100 * signed / required, 1) if required else None
    units_below = len(snapshot["units"]) - 1

    summary = [
        f"Pada {period['title']} ({wording.date_id(period['first_day'])} sampai dengan "
        f"{wording.date_id(period['last_day'])}), {office['name']} beserta {_n(units_below)} unit kerja di bawahnya "
        f"mencatat {_n(p['total'])} pegawai aktif (PNS {_n(p['PNS'])}, PPPK {_n(p['PPPK'])}, PPNPN {_n(p['PPNPN'])}).",
        f"Diselenggarakan {_n(s['sessions'])} kegiatan sosialisasi netralitas; {_n(s['covered'])} dari "
        f"{_n(s['active'])} pegawai aktif ({wording.percent_id(s['percent'])}) telah mengikuti sosialisasi.",
    ]
    if campaigns:
        summary.append(
            f"Dalam {_n(len(campaigns))} kampanye penandatanganan ikrar netralitas dan pakta integritas, "
            f"{_n(signed)} dari {_n(required)} pegawai yang wajib ({wording.percent_id(oath_pct)}) "
            "telah menandatangani."
        )
    else:
        summary.append("Tidak ada kampanye penandatanganan ikrar atau pakta integritas dalam periode ini.")
    drafts = (
        f"; {_n(t['drafts'])} satuan tugas lain masih dalam penyusunan (belum ditetapkan)" if t.get("drafts") else ""
    )
    summary.append(
        f"Telah dibentuk {_n(t['task_forces'])} satuan tugas, {_n(t['active'])} di antaranya aktif, "
        f"{_n(t['complete'])} dengan susunan lengkap dan {_n(t['inaugurated'])} telah dikukuhkan{drafts}."
    )
    not_due = f"; laporan {_n(m['not_yet_due'])} periode lainnya belum jatuh tempo" if m.get("not_yet_due") else ""
    summary.append(
        f"Unit menyampaikan {_n(m['due'] - m['missing'])} dari {_n(m['due'])} laporan monitoring yang telah "
        f"jatuh tempo ({_n(m['accepted'])} diterima){not_due}, dan mengidentifikasi {_n(points['total'])} "
        f"titik rawan ({_n(points['high'])} berisiko tinggi)."
    )
    summary.append(
        f"Diterima {_n(v['received'])} laporan dugaan pelanggaran netralitas: {_n(v['proven'])} terbukti, "
        f"{_n(v['not_proven'])} tidak terbukti, {_n(v['in_progress'])} masih dalam proses; "
        f"{_n(v['sanctions'])} sanksi dijatuhkan dalam periode ini."
    )

    obstacles = []
    if s["percent"] is not None and s["percent"] < 100:
        obstacles.append(
            f"Belum seluruh pegawai mengikuti sosialisasi netralitas ({wording.percent_id(s['percent'])})."
        )
    if oath_pct is not None and oath_pct < 100:
        obstacles.append(
            f"Penandatanganan ikrar belum mencakup seluruh pegawai yang wajib ({wording.percent_id(oath_pct)})."
        )
    if m["missing"]:
        obstacles.append(f"{_n(m['missing'])} laporan monitoring unit yang telah jatuh tempo belum disampaikan.")
    if t["units_without"]:
        obstacles.append(f"{_n(t['units_without'])} unit kerja belum memiliki satuan tugas yang ditetapkan.")
    if not obstacles:
        obstacles.append("Tidak terdapat kendala yang berarti dalam periode ini.")

    return {
        "summary": " ".join(summary),
        "obstacles": "\n".join(obstacles),
        "recommendations": (
            "Melanjutkan sosialisasi netralitas secara berkala, memperkuat pemantauan media sosial pegawai, dan "
            "menindaklanjuti setiap dugaan pelanggaran sesuai ketentuan."
        ),
        "follow_up_plan": (
            "Satuan tugas menindaklanjuti unit dan pegawai yang belum mengikuti sosialisasi atau menandatangani ikrar, "
            "memperbarui pemetaan titik rawan sesuai tahapan pemilihan berikutnya, dan memantau penyelesaian laporan "
            "dugaan pelanggaran yang masih dalam proses."
        ),
    }
