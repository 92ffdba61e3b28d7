"""The annex tables, declared once from a snapshot: the PDF annex and the XLSX show the same tables.

Each column has a kind (text, int, pct, dec, date) that decides how the PDF
writes it (Indonesian digits) while the XLSX keeps the raw number.
"""

from dataclasses import dataclass, field

from . import wording
from .figures.common import OTHER

# Above this many units the PDF annex is compact: one table with a row per unit summarising every section,
# plus the tables that are not per unit; the XLSX keeps every table in full. (A region of 600 units would
# otherwise make a PDF of several hundred pages that takes minutes and a gigabyte to lay out.)
PDF_DETAIL_MAX_UNITS = 100
PDF_MAX_LIST_ROWS = 200
PER_UNIT_TABLES = frozenset(
    {"personnel", "socialization", "oaths", "taskforces", "monitoring", "points_by_unit", "violations"}
)


@dataclass
class Table:
    key: str
    title: str
    sheet: str
    columns: list[tuple[str, str]]  # (heading, kind): text, short (a short text column), int, pct, dec, date
    rows: list[list] = field(default_factory=list)
    total: list | None = None
    note: str = ""
    in_pdf: bool = True  # False: too long for the letter's annex, in the XLSX only

    @property
    def headings(self) -> list[str]:
        return [c[0] for c in self.columns]

    @property
    def kinds(self) -> list[str]:
        return [c[1] for c in self.columns]


def format_cell(value, kind: str) -> str:
    if kind == "int":
        return wording.number_id(value)
    if kind == "pct":
        return wording.percent_id(value)
    if kind == "dec":
        return wording.number_id(value, 1) if value is not None else "–"
    if kind == "date":
        return wording.date_id(value) if value else "–"
    if value is None or value == "":
        return "–"
    return str(value)


# Relative column widths by kind: the PDF lays tables out with fixed widths (fast), shared in proportion.
WEIGHTS = {"text": 3.2, "short": 1.8, "date": 2.1, "int": 1.35, "pct": 1.35, "dec": 1.35}
NUMBER_COLUMN_PERCENT = 3.5


def column_widths(kinds: list[str]) -> list[float]:
    """Percentages of the table's width for each column (after the row-number column)."""
    weights = [WEIGHTS.get(kind, 2.0) for kind in kinds]
    total = sum(weights)
    return [round((100 - NUMBER_COLUMN_PERCENT) * w / total, 2) for w in weights]


def formatted(table: Table) -> dict:
    """Rows as display strings (for the PDF and the screen)."""
    return {
        "key": table.key,
        "title": table.title,
        "note": table.note,
        "number_width": NUMBER_COLUMN_PERCENT,
        "columns": [
            {"heading": h, "kind": k, "width": w}
            for (h, k), w in zip(table.columns, column_widths(table.kinds), strict=True)
        ],
        "rows": [
            [{"text": format_cell(v, k), "kind": k} for v, k in zip(row, table.kinds, strict=True)]
            for row in table.rows
        ],
        "total": [
            {"text": format_cell(v, k) if v != "" else "", "kind": k}
            for v, k in zip(table.total, table.kinds, strict=True)
        ]
        if table.total
        else None,
    }


OTHER_UNITS = OTHER["unit_name"]


def _unit(row) -> str:
    return row["unit_name"]


def _without_label(row) -> str:
    """A unit without a formed task force: none at all, or one still a draft."""
    return "Draf (belum ditetapkan)" if row.get("has_draft") else wording.TASKFORCE_STATUS["NONE"]


def annex_tables(snapshot: dict) -> list[Table]:
    out: list[Table] = []
    p, s, o = snapshot["personnel"], snapshot["socialization"], snapshot["oaths"]
    t, m, v = snapshot["taskforces"], snapshot["monitoring"], snapshot["violations"]
    types = list(wording.EMPLOYMENT_TYPES)

    out.append(
        Table(
            "personnel",
            "Pegawai aktif menurut jenis kepegawaian",
            "Pegawai",
            [("Unit", "text"), *[(et, "int") for et in types], ("Jumlah", "int")],
            [[_unit(r), *[r[et] for et in types], r["total"]] for r in p["rows"]],
            ["Jumlah", *[p["total"][et] for et in types], p["total"]["total"]],
        )
    )
    out.append(
        Table(
            "socialization",
            "Cakupan sosialisasi netralitas",
            "Sosialisasi",
            [
                ("Unit", "text"),
                ("Kegiatan", "int"),
                ("Pegawai aktif", "int"),
                ("Hadir semester ini", "int"),
                ("Telah tersosialisasi", "int"),
                ("Cakupan", "pct"),
            ],
            [[_unit(r), r["sessions"], r["active"], r["attended"], r["covered"], r["percent"]] for r in s["rows"]],
            [
                "Jumlah",
                s["total"]["sessions"],
                s["total"]["active"],
                s["total"]["attended"],
                s["total"]["covered"],
                s["total"]["percent"],
            ],
            note="Telah tersosialisasi: pegawai aktif yang pernah mengikuti sosialisasi sampai akhir periode.",
        )
    )
    out.append(
        Table(
            "sessions",
            "Kegiatan sosialisasi dalam periode",
            "Daftar sosialisasi",
            [("Tanggal", "date"), ("Kegiatan", "text"), ("Bentuk", "short"), ("Unit", "int"), ("Peserta", "int")],
            [[x["date"], x["title"], x["mode_label"], x["units"], x["attendees"]] for x in s["sessions"]],
        )
    )
    rows = []
    for c in o["campaigns"]:
        for r in c["rows"]:
            rows.append([c["title"], c["kind_label"], _unit(r), r["required"], r["signed"], r["percent"]])
        rows.append([c["title"], c["kind_label"], "Jumlah", c["required"], c["signed"], c["percent"]])
    out.append(
        Table(
            "oaths",
            "Penandatanganan ikrar dan pakta integritas per kampanye",
            "Ikrar dan pakta",
            [
                ("Kampanye", "text"),
                ("Dokumen", "short"),
                ("Unit", "text"),
                ("Wajib", "int"),
                ("Tanda tangan", "int"),
                ("Cakupan", "pct"),
            ],
            rows,
            note="Tanda tangan yang dibuat sampai akhir periode.",
        )
    )
    out.append(
        Table(
            "taskforces",
            "Satuan tugas: status, susunan dan perubahan keanggotaan",
            "Satgas",
            [
                ("Unit", "text"),
                ("Pemilihan", "short"),
                ("Status", "short"),
                ("Nomor SK", "text"),
                ("Pengukuhan", "date"),
                ("Ketua", "int"),
                ("Sekretaris", "int"),
                ("Anggota", "int"),
                ("Lengkap", "short"),
                ("Masuk", "int"),
                ("Keluar", "int"),
            ],
            [
                [
                    _unit(r),
                    r["election"],
                    r["status_label"],
                    r["decree_number"],
                    r["inaugurated_on"],
                    r["current_leader"],
                    r["current_secretary"],
                    r["current_member"],
                    "Ya" if r["complete"] else "Belum",
                    r["started"],
                    r["ended"],
                ]
                for r in t["rows"]
            ]
            + [[u["unit_name"], "", _without_label(u), "", "", 0, 0, 0, "", 0, 0] for u in t["units_without"]],
            [
                "Jumlah",
                "",
                "",
                "",
                "",
                t["total"]["current_leader"],
                t["total"]["current_secretary"],
                t["total"]["current_member"],
                "",
                t["total"]["started"],
                t["total"]["ended"],
            ],
            note="Susunan pada hari terakhir periode; masuk/keluar: keanggotaan yang dimulai/diakhiri dalam periode. "
            "Satgas yang masih draf belum ditetapkan dan tidak dihitung sebagai terbentuk.",
        )
    )
    mt = m["total"]
    out.append(
        Table(
            "monitoring",
            "Laporan monitoring dan evaluasi unit",
            "Monitoring",
            [
                ("Unit", "text"),
                ("Jatuh tempo", "int"),
                ("Belum jatuh tempo", "int"),
                ("Disusun", "int"),
                ("Disampaikan", "int"),
                ("Diterima", "int"),
                ("Dikembalikan", "int"),
                ("Belum disampaikan", "int"),
                ("Evaluasi", "int"),
                ("Nilai rata-rata", "dec"),
                ("Unggahan dipantau", "int"),
                ("Unggahan ditandai", "int"),
            ],
            [
                [
                    _unit(r),
                    r["due"],
                    r["not_yet_due"],
                    r["started"],
                    r["submitted"],
                    r["accepted"],
                    r["returned"],
                    r["missing"],
                    r["evaluations"],
                    r["average_score"],
                    r["posts_reviewed"],
                    r["flagged"],
                ]
                for r in m["rows"]
            ],
            [
                "Jumlah",
                mt["due"],
                mt["not_yet_due"],
                mt["started"],
                mt["submitted"],
                mt["accepted"],
                mt["returned"],
                mt["missing"],
                mt["evaluations"],
                mt["average_score"],
                mt["posts_reviewed"],
                mt["flagged"],
            ],
            note="Jatuh tempo: periode monitoring dalam semester yang batas waktunya telah lewat pada tanggal "
            "laporan ini dibuat (satu laporan per unit); belum disampaikan: dari periode yang telah jatuh tempo.",
        )
    )
    points = m["points"]
    out.append(
        Table(
            "points_by_stage",
            "Titik rawan per tahapan pemilihan dan tingkat risiko",
            "Titik rawan per tahapan",
            [
                ("Pemilihan", "text"),
                ("Tahapan", "text"),
                ("Rendah", "int"),
                ("Sedang", "int"),
                ("Tinggi", "int"),
                ("Masih terbuka", "int"),
                ("Jumlah", "int"),
            ],
            [
                [x["election"], x["stage"], x["low"], x["medium"], x["high"], x["open"], x["total"]]
                for x in points["by_stage"]
            ],
            [
                "Jumlah",
                "",
                points["total"]["low"],
                points["total"]["medium"],
                points["total"]["high"],
                points["total"]["open"],
                points["total"]["total"],
            ],
        )
    )
    out.append(
        Table(
            "points_by_unit",
            "Titik rawan per unit",
            "Titik rawan per unit",
            [("Unit", "text"), ("Rendah", "int"), ("Sedang", "int"), ("Tinggi", "int"), ("Jumlah", "int")],
            [[_unit(r), r["low"], r["medium"], r["high"], r["total"]] for r in points["rows"]],
            [
                "Jumlah",
                points["total"]["low"],
                points["total"]["medium"],
                points["total"]["high"],
                points["total"]["total"],
            ],
        )
    )
    vt = v["total"]
    outcome_keys = list(wording.OUTCOMES)
    out.append(
        Table(
            "violations",
            "Dugaan pelanggaran yang diterima per unit dan hasil penanganannya",
            "Pelanggaran",
            [
                ("Unit", "text"),
                ("Diterima", "int"),
                *[(wording.OUTCOMES[k], "int") for k in outcome_keys],
                ("Sanksi dijatuhkan", "int"),
            ],
            [[_unit(r), r["received"], *[r[k] for k in outcome_keys], r["sanctions"]] for r in v["rows"]],
            ["Jumlah", vt["received"], *[vt[k] for k in outcome_keys], vt["sanctions"]],
            note="Hasil penanganan sampai akhir periode; sanksi: keputusan bertanggal dalam periode.",
        )
    )
    out.append(
        Table(
            "categories",
            "Dugaan pelanggaran menurut kategori",
            "Pelanggaran per kategori",
            [("Jenis", "text"), ("Kategori", "text"), ("Laporan", "int")],
            [[c["kind_label"], c["name"], c["cases"]] for c in v["categories"]],
            note="Satu laporan dapat masuk lebih dari satu kategori.",
        )
    )
    out.append(
        Table(
            "unit_categories",
            "Dugaan pelanggaran menurut unit dan kategori",
            "Kategori per unit",
            [("Unit", "text"), ("Kategori", "text"), ("Laporan", "int")],
            [[r["unit_name"], r["category"], r["cases"]] for r in v["by_unit_category"]],
            in_pdf=False,
        )
    )
    out.append(
        Table(
            "sanctions",
            "Sanksi yang dijatuhkan menurut jenis",
            "Sanksi",
            [("Jenis sanksi", "text"), ("Jumlah", "int")],
            [[x["label"], x["count"]] for x in v["sanctions"]],
            ["Jumlah", sum(x["count"] for x in v["sanctions"])],
        )
    )
    out.append(
        Table(
            "timings",
            "Lama penanganan (median, hari)",
            "Lama penanganan",
            [("Ukuran", "text"), ("Hari", "dec")],
            [
                ["Sejak diterima sampai verifikasi selesai", vt["median_days_verification"]],
                ["Sejak diterima sampai ditutup", vt["median_days_closure"]],
            ],
        )
    )
    return out


def summary_rows(snapshot: dict) -> list[tuple[str, str]]:
    """The key numbers, for the letter body and the first XLSX sheet (label, formatted value)."""
    p, s, o = snapshot["personnel"]["total"], snapshot["socialization"]["total"], snapshot["oaths"]
    t, m, v = snapshot["taskforces"]["total"], snapshot["monitoring"]["total"], snapshot["violations"]["total"]
    required = sum(c["required"] for c in o["campaigns"])
    signed = sum(c["signed"] for c in o["campaigns"])
    return [
        ("Unit kerja yang dilaporkan", wording.number_id(len(snapshot["units"]))),
        (
            "Pegawai aktif (PNS / PPPK / PPNPN)",
            f"{wording.number_id(p['total'])} ({wording.number_id(p['PNS'])} / "
            f"{wording.number_id(p['PPPK'])} / {wording.number_id(p['PPNPN'])})",
        ),
        ("Kegiatan sosialisasi dalam periode", wording.number_id(s["sessions"])),
        ("Cakupan sosialisasi", wording.percent_id(s["percent"])),
        ("Kampanye ikrar/pakta dalam periode", wording.number_id(len(o["campaigns"]))),
        (
            "Cakupan penandatanganan",
            wording.percent_id(wording.round_half_up(100 * signed / required, 1) if required else None),
        ),
        (
            "Satuan tugas (aktif / susunan lengkap)",
            f"{wording.number_id(t['task_forces'])} "
            f"({wording.number_id(t['active'])} / {wording.number_id(t['complete'])})",
        ),
        (
            "Laporan monitoring disampaikan / jatuh tempo",
            f"{wording.number_id(m['due'] - m['missing'])} / {wording.number_id(m['due'])}",
        ),
        ("Titik rawan teridentifikasi", wording.number_id(snapshot["monitoring"]["points"]["total"]["total"])),
        ("Dugaan pelanggaran diterima", wording.number_id(v["received"])),
        ("Sanksi dijatuhkan", wording.number_id(v["sanctions"])),
    ]


def unit_overview(snapshot: dict) -> Table:
    """One row per unit with the key number of every section (the compact annex of a large region), and
    the row of units deactivated since when a section has one."""

    def by_unit(section):
        return {r["unit_id"]: r for r in section["rows"]}

    sections = {
        "personnel": by_unit(snapshot["personnel"]),
        "social": by_unit(snapshot["socialization"]),
        "oaths": by_unit(snapshot["oaths"]),
        "monitoring": by_unit(snapshot["monitoring"]),
        "points": by_unit(snapshot["monitoring"]["points"]),
        "cases": by_unit(snapshot["violations"]),
    }
    forces: dict[int, list[str]] = {}
    for row in snapshot["taskforces"]["rows"]:
        forces.setdefault(row["unit_id"], []).append(row["status_label"])
    without = {u["unit_id"]: _without_label(u) for u in snapshot["taskforces"]["units_without"]}
    refs = [{"id": u["id"], "name": u["name"]} for u in snapshot["units"]]
    if any(None in rows for rows in sections.values()):
        refs.append({"id": None, "name": OTHER_UNITS})
    rows = []
    for unit in refs:
        uid = unit["id"]

        def cell(section, key, uid=uid):
            return sections[section].get(uid, {}).get(key)

        monitoring = sections["monitoring"].get(uid)
        rows.append(
            [
                unit["name"],
                cell("personnel", "total") or 0,
                cell("social", "percent"),
                cell("oaths", "percent"),
                ", ".join(forces.get(uid, [])) or without.get(uid, ""),
                f"{monitoring['due'] - monitoring['missing']}/{monitoring['due']}" if monitoring else "",
                cell("points", "total") or 0,
                cell("cases", "received") or 0,
                cell("cases", "sanctions") or 0,
            ]
        )
    return Table(
        "unit_overview",
        "Rekapitulasi per unit",
        "Rekapitulasi per unit",
        [
            ("Unit", "text"),
            ("Pegawai aktif", "int"),
            ("Cakupan sosialisasi", "pct"),
            ("Cakupan ikrar", "pct"),
            ("Satgas", "short"),
            ("Monitoring disampaikan/jatuh tempo", "short"),
            ("Titik rawan", "int"),
            ("Pelanggaran diterima", "int"),
            ("Sanksi", "int"),
        ],
        rows,
        note="Rincian setiap bagian per unit terdapat dalam lampiran XLSX yang menyertai surat ini.",
    )


def pdf_tables(snapshot: dict) -> list[Table]:
    """The tables of the PDF annex: all of them, or for a large region the compact set."""
    tables = [t for t in annex_tables(snapshot) if t.in_pdf]
    if len(snapshot["units"]) <= PDF_DETAIL_MAX_UNITS:
        return tables
    compact = [unit_overview(snapshot)]
    for table in tables:
        if table.key in PER_UNIT_TABLES:
            continue
        if len(table.rows) > PDF_MAX_LIST_ROWS:
            table.rows = table.rows[:PDF_MAX_LIST_ROWS]
            table.note = (table.note + " " if table.note else "") + (
                f"Ditampilkan {PDF_MAX_LIST_ROWS} baris pertama; selengkapnya dalam lampiran XLSX."
            )
        compact.append(table)
    return compact
