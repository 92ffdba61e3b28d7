"""The case workflow, declared once.

::

    RECEIVED ─► VERIFICATION ─► CLARIFICATION ─► DECISION ─► PROVEN ─► FOLLOW_UP ─► SANCTIONED ─► CLOSED
        │             │               │              └──► NOT_PROVEN ─► CLOSED
        ├─────────────┴──► DISMISSED  │
        └─────────────┴───────────────┴──► REFERRED

Every move needs a reason. Dismissal is only possible while the report is being
verified; referral elsewhere (e.g. straight to Bawaslu) until the clarification
ends. Moving to SANCTIONED needs at least one sanction recorded.
"""

import datetime as dt

from django.conf import settings

from .models import CaseStatus

S = CaseStatus

CASE_TRANSITIONS: dict[str, frozenset[str]] = {
    S.RECEIVED: frozenset({S.VERIFICATION, S.DISMISSED, S.REFERRED}),
    S.VERIFICATION: frozenset({S.CLARIFICATION, S.DISMISSED, S.REFERRED}),
    S.CLARIFICATION: frozenset({S.DECISION, S.REFERRED}),
    S.DECISION: frozenset({S.PROVEN, S.NOT_PROVEN}),
    S.PROVEN: frozenset({S.FOLLOW_UP}),
    S.FOLLOW_UP: frozenset({S.SANCTIONED}),
    S.SANCTIONED: frozenset({S.CLOSED}),
    S.NOT_PROVEN: frozenset({S.CLOSED}),
    S.CLOSED: frozenset(),
    S.DISMISSED: frozenset(),
    S.REFERRED: frozenset(),
}

TERMINAL_STATUSES = frozenset(s for s, targets in CASE_TRANSITIONS.items() if not targets)
OPEN_STATUSES = frozenset(CaseStatus.values) - TERMINAL_STATUSES
# Reaching one of these ends verification (for "median days to verification").
VERIFICATION_DONE = frozenset({S.CLARIFICATION, S.DISMISSED, S.REFERRED})
# Moves that must name where the case goes.
NEEDS_FORWARDED_TO = frozenset({S.FOLLOW_UP, S.REFERRED})

# Each status belongs to a stage whose deadline runs from the stage's start
# (RECEIVED and VERIFICATION share the verification deadline: 7 days from receipt).
STAGE_OF = {
    S.RECEIVED: "verification",
    S.VERIFICATION: "verification",
    S.CLARIFICATION: "clarification",
    S.DECISION: "decision",
    S.PROVEN: "follow_up",
    S.FOLLOW_UP: "follow_up",
    S.SANCTIONED: "closing",
    S.NOT_PROVEN: "closing",
}


def allowed_targets(status: str) -> frozenset[str]:
    return CASE_TRANSITIONS.get(status, frozenset())


def is_allowed(source: str, target: str) -> bool:
    return target in allowed_targets(source)


def due_date(*, old_status: str | None, new_status: str, today: dt.date, current: dt.date | None) -> dt.date | None:
    """The deadline after a move: restarts when the stage changes, none once closed."""
    stage = STAGE_OF.get(new_status)
    if stage is None:
        return None
    if old_status is not None and STAGE_OF.get(old_status) == stage and current is not None:
        return current
    return today + dt.timedelta(days=settings.SATGAS_VIOLATION_DUE_DAYS[stage])


def format_number(*, year: int, seq: int) -> str:
    return settings.SATGAS_VIOLATION_NUMBER_PATTERN.format(year=year, seq=seq)
