"""Monitoring rules, declared once: the report workflow, risk levels and periods.

::

    DRAFT ─► SUBMITTED ─► ACCEPTED
                 │  ▲
                 ▼  │
               RETURNED   (revised, then submitted again)

Only DRAFT and RETURNED reports are editable; every submission freezes a version.
"""

import datetime as dt

from django.conf import settings

from .models import ReportStatus, RiskLevel

S = ReportStatus

REPORT_TRANSITIONS: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.SUBMITTED}),
    S.SUBMITTED: frozenset({S.ACCEPTED, S.RETURNED}),
    S.RETURNED: frozenset({S.SUBMITTED}),
    S.ACCEPTED: frozenset(),
}
# Who makes each move: the unit's task force submits, the regional office reviews.
REVIEW_TARGETS = frozenset({S.ACCEPTED, S.RETURNED})
EDITABLE_STATUSES = frozenset({S.DRAFT, S.RETURNED})


def allowed_targets(status: str) -> frozenset[str]:
    return REPORT_TRANSITIONS.get(status, frozenset())


def is_allowed(source: str, target: str) -> bool:
    return target in allowed_targets(source)


def is_editable(status: str) -> bool:
    return status in EDITABLE_STATUSES


def risk_level(*, likelihood: int, impact: int) -> int:
    """Likelihood × impact on 1–5 scales: 1–6 low, 8–12 medium, 15–25 high."""
    score = likelihood * impact
    if score >= 15:
        return RiskLevel.HIGH
    if score >= 8:
        return RiskLevel.MEDIUM
    return RiskLevel.LOW


# --- Periods --------------------------------------------------------------------


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def period_containing(day: dt.date) -> tuple[dt.date, dt.date]:
    """The reporting period around ``day``: blocks of SATGAS_MONITORING_PERIOD_MONTHS months from January."""
    months = settings.SATGAS_MONITORING_PERIOD_MONTHS
    first_month = (day.month - 1) // months * months + 1
    start = dt.date(day.year, first_month, 1)
    return start, _add_months(start, months) - dt.timedelta(days=1)


def period_after(start: dt.date) -> tuple[dt.date, dt.date]:
    return period_containing(_add_months(start, settings.SATGAS_MONITORING_PERIOD_MONTHS))


def period_before(start: dt.date) -> tuple[dt.date, dt.date]:
    return period_containing(start - dt.timedelta(days=1))


def due_date(period_end: dt.date) -> dt.date:
    return period_end + dt.timedelta(days=settings.SATGAS_MONITORING_DUE_DAYS)


def reminder_kind(*, due_on: dt.date, today: dt.date) -> str | None:
    """ "before" within the last SATGAS_MONITORING_REMIND_BEFORE_DAYS days up to the due date, "overdue" after."""
    if today > due_on:
        return "overdue"
    if (due_on - today).days <= settings.SATGAS_MONITORING_REMIND_BEFORE_DAYS:
        return "before"
    return None
