"""``{% letterhead_office unit as office %}``: the letterhead data of the regional office a unit belongs to,
for ``templates/documents/_letterhead.html`` (the oath statement and the task-force decree; the report
letter uses the office frozen in its snapshot)."""

from django import template
from django.conf import settings

register = template.Library()

MAX_DEPTH = 10


def office_of(unit):
    """The root of ``unit``'s tree (one query per level above it; the tree is shallow)."""
    seen = 0
    while unit is not None and unit.parent_id is not None and seen < MAX_DEPTH:
        unit = unit.parent
        seen += 1
    return unit


@register.simple_tag
def letterhead_office(unit) -> dict:
    office = office_of(unit)
    if office is None:
        return {"name": "", "website": settings.SATGAS_OFFICE_WEBSITE}
    return {
        "name": office.name,
        "address": office.address,
        "phone": office.phone,
        "email": office.email,
        "website": settings.SATGAS_OFFICE_WEBSITE,
    }
