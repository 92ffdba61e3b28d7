"""Simple horizontal bar charts as inline SVG (no script, nothing for the PDF renderer to fetch).

Bars are one row each, so a chart stays legible whatever the number of units:
beyond ``limit`` rows only the most telling ones are drawn (the lowest coverage,
the most cases) and the caption says so.
"""

from django.utils.html import escape
from django.utils.safestring import mark_safe

from . import wording

ROW = 14  # px per bar
LABEL_WIDTH = 230
BAR_WIDTH = 360
VALUE_WIDTH = 60
FONT = "DejaVu Sans, sans-serif"


def _label(text: str, limit: int = 42) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def bar_chart(
    items: list[tuple[str, float | None]], *, percent: bool, limit: int = 40, lowest_first: bool = False
) -> dict:
    """``{"svg": markup, "shown": n, "total": n}`` for ``(label, value)`` pairs; ``None`` values are skipped."""
    items = [(label, value) for label, value in items if value is not None]
    total = len(items)
    if total > limit:
        items = sorted(items, key=lambda i: i[1], reverse=not lowest_first)[:limit]
    scale = 100.0 if percent else max([v for _l, v in items] + [1])
    height = ROW * len(items) + 8
    width = LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
        f'role="img" font-family="{FONT}" font-size="9">'
    ]
    for index, (label, value) in enumerate(items):
        y = 4 + index * ROW
        bar = 0 if scale == 0 else max(0.0, min(1.0, value / scale)) * BAR_WIDTH
        text = wording.percent_id(value) if percent else wording.number_id(value)
        parts.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{y + 10}" text-anchor="end">{escape(_label(label))}</text>'
            f'<rect x="{LABEL_WIDTH}" y="{y + 2}" width="{BAR_WIDTH}" height="{ROW - 4}" fill="#eeeeee"/>'
            f'<rect x="{LABEL_WIDTH}" y="{y + 2}" width="{bar:.1f}" height="{ROW - 4}" fill="#1f4e79"/>'
            f'<text x="{LABEL_WIDTH + BAR_WIDTH + 6}" y="{y + 10}">{escape(text)}</text>'
        )
    parts.append("</svg>")
    return {"svg": mark_safe("".join(parts)), "shown": len(items), "total": total}  # noqa: S308 - escaped above


def report_charts(snapshot: dict) -> list[dict]:
    """The annex charts: oath and socialization coverage per unit, cases by category."""
    charts = []
    oath_items = [(r["unit_name"], r["percent"]) for r in snapshot["oaths"]["rows"]]
    if any(v is not None for _l, v in oath_items):
        chart = bar_chart(oath_items, percent=True, lowest_first=True)
        charts.append({"title": "Cakupan penandatanganan ikrar/pakta per unit", "lowest": True, **chart})
    social_items = [(r["unit_name"], r["percent"]) for r in snapshot["socialization"]["rows"]]
    if any(v is not None for _l, v in social_items):
        chart = bar_chart(social_items, percent=True, lowest_first=True)
        charts.append({"title": "Cakupan sosialisasi per unit", "lowest": True, **chart})
    categories = [(c["name"], c["cases"]) for c in snapshot["violations"]["categories"]]
    if categories:
        chart = bar_chart(categories, percent=False)
        charts.append({"title": "Dugaan pelanggaran menurut kategori", "lowest": False, **chart})
    return charts
