"""The numbers of a six-monthly report, computed with aggregate queries.

``snapshot(office=..., semester=...)`` returns plain JSON-able data: for each
section the region's totals and one row per unit — the office itself and every
active unit below it, in that order, then one "Unit lain (sudah nonaktif)" row
summing the units deactivated since, when they have numbers — so the rows
always add up to the region's totals. The number of queries is fixed: it does
not grow with units, people or cases (a test holds it to that).

Semantics ("as of the period end" where the data keeps history):

* Personnel: the employees active when the report is generated (status has no
  history; reports are generated right after the period ends).
* Socialization: sessions held in the period; coverage = active employees who
  attended any session held before the period ended.
* Oaths and pacts: campaigns whose window overlaps the period; signatures made
  by the period's last day (a paper form by the day it was signed on paper, an
  online one by its day in Asia/Jakarta), against the active employees the
  campaign asks.
* Task forces: those whose term overlaps the period, with their current status;
  only decreed ones (active or ended) are formed, drafts are listed apart and
  their units count as without a task force; members current on the period's
  last day; memberships started / ended in it.
* Monitoring: reports of the monitoring periods starting in the semester; a
  period is due once its due date (the monitoring app's ``due_date``) is on or
  before the generation day, later ones are "not yet due"; evaluations of those
  periods, graded by the monitoring app's thresholds; vulnerable points of the
  election stages overlapping the semester.
* Violations: cases received in the period; their outcome from the moves made
  before the period ended; sanctions whose decree is dated in the period;
  median days from receipt to the end of verification and to closure (moves
  before the period end).

Percentages, averages and medians are rounded half up to one decimal
(``wording.round_half_up``), as official figures are.
"""

import datetime as dt

from django.conf import settings
from django.utils import timezone

from satgas.personnel.models import Unit

from ..periods import Semester
from .cases import violations
from .common import OTHER, Scope, scope
from .people import oaths, personnel, socialization
from .supervision import monitoring, monitoring_periods, taskforces, vulnerable_points

SCHEMA = 2

__all__ = [
    "OTHER",
    "SCHEMA",
    "Scope",
    "monitoring",
    "monitoring_periods",
    "oaths",
    "office_info",
    "personnel",
    "scope",
    "snapshot",
    "socialization",
    "taskforces",
    "violations",
    "vulnerable_points",
]


def office_info(office: Unit) -> dict:
    """The letterhead and the signer, frozen with the numbers."""
    head = office.head
    return {
        "id": office.pk,
        "code": office.code,
        "name": office.name,
        "address": office.address,
        "phone": office.phone,
        "email": office.email,
        "website": settings.SATGAS_OFFICE_WEBSITE,
        "head_title": office.head_title or "Kepala Kantor Wilayah",
        "head_name": head.full_name if head else "",
        "head_nip": (head.nip or "") if head else "",
    }


def snapshot(*, office: Unit, semester: Semester, now: dt.datetime | None = None) -> dict:
    """Every number of the report, frozen as plain JSON."""
    now = now or timezone.now()
    office = Unit.objects.select_related("head").get(pk=office.pk)
    units = scope(office)
    return {
        "schema": SCHEMA,
        "computed_at": now.isoformat(),
        "period": {
            "code": semester.code,
            "year": semester.year,
            "half": semester.half,
            "roman": semester.roman,
            "title": semester.title_id,
            "first_day": semester.first_day.isoformat(),
            "last_day": semester.last_day.isoformat(),
        },
        "office": office_info(office),
        "units": units.units,
        "inactive_units": units.inactive,
        "personnel": personnel(units),
        "socialization": socialization(units, semester),
        "oaths": oaths(units, semester),
        "taskforces": taskforces(units, semester),
        "monitoring": monitoring(units, semester, now),
        "violations": violations(units, semester),
    }
