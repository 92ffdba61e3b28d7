"""What every section shares: the units in scope, per-unit rows, percentages."""

from dataclasses import dataclass

from satgas.personnel.models import Unit

from .. import wording

# The row that sums the units deactivated since (their data still counts in the region's totals).
OTHER = {"unit_id": None, "unit_code": "", "unit_name": "Unit lain (sudah nonaktif)"}


@dataclass(frozen=True)
class Scope:
    """The office's units: ``units`` get a row each (the office first, then every active unit below it by
    name); ``inactive`` are the units below it deactivated since, whose numbers still count in the totals,
    in one ``OTHER`` row. ``all_ids`` is what the queries filter on."""

    units: list[dict]
    inactive: list[dict]

    @property
    def unit_ids(self) -> list[int]:
        return [u["id"] for u in self.units]

    @property
    def inactive_ids(self) -> list[int]:
        return [u["id"] for u in self.inactive]

    @property
    def all_ids(self) -> list[int]:
        return self.unit_ids + self.inactive_ids

    def ref(self, unit_id: int) -> dict:
        """The row label of a unit: its own for a unit with a row, ``OTHER`` for an inactive one."""
        unit = self._by_id.get(unit_id)
        return unit_ref(unit) if unit is not None else dict(OTHER)

    @property
    def _by_id(self) -> dict[int, dict]:
        return {u["id"]: u for u in self.units}


def _plain_unit(row: dict) -> dict:
    return {
        "id": row["id"],
        "code": row["code"],
        "name": row["name"],
        "type": row["unit_type"],
        "type_label": wording.UNIT_TYPES.get(row["unit_type"], row["unit_type"]),
    }


def scope(office: Unit) -> Scope:
    """The office and every unit below it (one query)."""
    rows = list(Unit.objects.order_by().values("id", "parent_id", "code", "name", "unit_type", "is_active"))
    children: dict[int | None, list[dict]] = {}
    for row in rows:
        children.setdefault(row["parent_id"], []).append(row)
    active, inactive, todo, seen = [], [], [office.pk], set()
    while todo:
        pk = todo.pop()
        if pk in seen:
            continue
        seen.add(pk)
        for child in children.get(pk, []):
            todo.append(child["id"])
            (active if child["is_active"] else inactive).append(child)
    key = lambda r: (r["name"].lower(), r["code"])  # noqa: E731
    head = next(r for r in rows if r["id"] == office.pk)
    return Scope(
        units=[_plain_unit(r) for r in [head, *sorted(active, key=key)]],
        inactive=[_plain_unit(r) for r in sorted(inactive, key=key)],
    )


def pct(part, whole) -> float | None:
    return wording.round_half_up(100 * part / whole, 1) if whole else None


def unit_ref(unit: dict) -> dict:
    return {"unit_id": unit["id"], "unit_code": unit["code"], "unit_name": unit["name"]}


def unit_rows(scope: Scope, values: dict[int, dict], defaults: dict, *, summed=()) -> list[dict]:
    """One row per unit of ``scope.units`` in order (``defaults`` where it has no numbers), then, when
    units deactivated since have any of the ``summed`` numbers, one ``OTHER`` row with their sums: the
    rows add up to the region's totals."""
    rows = [{**unit_ref(u), **defaults, **values.get(u["id"], {})} for u in scope.units]
    other, found = {**OTHER, **defaults}, False
    for unit_id in scope.inactive_ids:
        for key in summed:
            value = values.get(unit_id, {}).get(key)
            if value:
                other[key] = (other.get(key) or 0) + value
                found = True
    if found:
        rows.append(other)
    return rows


def total(rows: list[dict], keys) -> dict:
    return {k: sum(r.get(k) or 0 for r in rows) for k in keys}
