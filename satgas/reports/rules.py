"""The six-monthly report workflow, declared once.

::

    DRAFT ─► APPROVED ─► QUEUED ─► SENDING ─► DELIVERED
      ▲ │        │          ▲         │ │          ▲
      └─┘◄───────┘          └─────────┘ └──► FAILED ┘ (late confirmation)
  (regenerate / edit)  (release: SMTP failed       │
                        before DATA, retry)        └──► QUEUED (an admin resends)

Every status change is one of the named ``MOVES`` below; services (including
the delivery's conditional ``UPDATE``s) take a move's sources and target from
here and nowhere else, so ``TRANSITIONS`` (derived) is the whole workflow.

Regenerating or editing the text makes a new version and puts the report back
to DRAFT (an approval is for one version). Once the report is queued for
sending nothing about its letter changes any more; only the recipients may be
corrected after a failed delivery.

The late confirmation (FAILED → DELIVERED) is deliberate: a claim that
outlived its lease is declared interrupted (FAILED, "check the mailbox"); if
the task that still holds that very claim then finishes sending, recording
DELIVERED is the truth. It is conditional on the claim token, which a resend
replaces, so it never confirms an older attempt over a newer one.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from .models import ReportStatus

S = ReportStatus


@dataclass(frozen=True)
class Move:
    name: str
    sources: frozenset[str]
    target: str
    meaning: str


def _move(name: str, sources: set[str], target: str, meaning: str) -> tuple[str, Move]:
    return name, Move(name, frozenset(sources), target, meaning)


MOVES: dict[str, Move] = dict(
    [
        _move("regenerate", {S.DRAFT, S.APPROVED}, S.DRAFT, "a new version from current data"),
        _move("edit_text", {S.DRAFT, S.APPROVED}, S.DRAFT, "a new version from the latest snapshot, new text"),
        _move("approve", {S.DRAFT}, S.APPROVED, "a person with the permission (or the system) approves"),
        _move("send", {S.APPROVED, S.FAILED}, S.QUEUED, "sending requested (again after a failure)"),
        _move("claim", {S.QUEUED}, S.SENDING, "the delivery task claims the report before SMTP"),
        _move("release", {S.SENDING}, S.QUEUED, "SMTP failed before DATA: the claim is released for a retry"),
        _move("deliver", {S.SENDING}, S.DELIVERED, "the server accepted the message"),
        _move("confirm_late", {S.FAILED}, S.DELIVERED, "the claim's own task finished after it was declared"),
        _move("fail", {S.SENDING}, S.FAILED, "retries used up, or a definite failure"),
        _move("interrupt", {S.SENDING}, S.FAILED, "the message may have left (lease expired, failure after DATA)"),
    ]
)


def _transitions() -> dict[str, frozenset[str]]:
    out: dict[str, set[str]] = {status: set() for status in S.values}
    for move in MOVES.values():
        for source in move.sources:
            out[source].add(move.target)
    return {source: frozenset(targets) for source, targets in out.items()}


TRANSITIONS: dict[str, frozenset[str]] = _transitions()

# Generating a new version (regenerate, edit the text) is allowed only here.
EDITABLE_STATUSES = MOVES["regenerate"].sources
# The recipients may still be corrected here (they are not part of the letter).
RECIPIENTS_EDITABLE = frozenset({S.DRAFT, S.APPROVED, S.FAILED})
# A person (or the system) queues the report from here; SENDING -> QUEUED is the delivery task's own
# release of its claim, never a request to send.
SENDABLE_STATUSES = MOVES["send"].sources
# "Sent": queued for delivery at least once; the letter is final.
SENT_STATUSES = frozenset({S.QUEUED, S.SENDING, S.DELIVERED, S.FAILED})


class TransitionError(Exception):
    def __init__(self, source: str, target: str, move: str = ""):
        super().__init__(f"{source} -> {target} is not allowed" + (f" ({move})" if move else ""))
        self.source, self.target, self.move = source, target, move


def allowed_targets(status: str) -> frozenset[str]:
    return TRANSITIONS.get(status, frozenset())


def is_allowed(source: str, target: str) -> bool:
    return target in allowed_targets(source)


def check(source: str, target: str) -> None:
    if not is_allowed(source, target):
        raise TransitionError(source, target)


def sources_of(move: str) -> frozenset[str]:
    """The statuses ``move`` may start from (for conditional updates: ``status__in=sources_of(...)``)."""
    return MOVES[move].sources


def target_of(move: str) -> str:
    return MOVES[move].target


def can(move: str, source: str) -> bool:
    return source in MOVES[move].sources


def check_move(move: str, source: str) -> str:
    """The target of ``move`` from ``source``; ``TransitionError`` when the move may not start there."""
    if not can(move, source):
        raise TransitionError(source, MOVES[move].target, move)
    return MOVES[move].target


def is_editable(status: str) -> bool:
    return status in EDITABLE_STATUSES


def can_send_from(status: str) -> bool:
    return can("send", status)


def letter_has_signer(snapshot: dict | None) -> bool:
    """A letter is approved only when it names its signer: the head of the office with a NIP, as frozen
    in the version's snapshot."""
    office = (snapshot or {}).get("office", {})
    return bool(office.get("head_name") and office.get("head_nip"))


# --- Letter numbers ------------------------------------------------------------------

NUMBER_FIELDS = ("year", "half", "seq", "office_code", "period_year")


def format_letter_number(*, seq: int, year: int, half: int, office_code: str, period_year: int) -> str:
    """``SATGAS_REPORT_NUMBER_PATTERN`` filled in: {seq} (gap-free per office and letter year),
    {year} (the letter's year), {half} (1 or 2), {office_code}, {period_year}."""
    pattern = settings.SATGAS_REPORT_NUMBER_PATTERN
    if "{seq" not in pattern:
        raise ImproperlyConfigured("SATGAS_REPORT_NUMBER_PATTERN must contain {seq} (the running number).")
    try:
        return pattern.format(seq=seq, year=year, half=half, office_code=office_code, period_year=period_year)
    except (KeyError, IndexError, ValueError) as exc:
        raise ImproperlyConfigured(
            f"SATGAS_REPORT_NUMBER_PATTERN {pattern!r} is not valid ({exc!r}); "
            f"use the placeholders {', '.join('{' + f + '}' for f in NUMBER_FIELDS)}."
        ) from exc
