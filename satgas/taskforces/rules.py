"""Pure rules of task forces: status transitions, composition, decree numbers, role words."""

import datetime as dt
import re
import string

from django.utils.translation import gettext_lazy

from .models import MemberRole, TaskForceStatus

# The one place that says how a task force may move.
TASKFORCE_TRANSITIONS: dict[str, set[str]] = {
    TaskForceStatus.DRAFT: {TaskForceStatus.ACTIVE},
    TaskForceStatus.ACTIVE: {TaskForceStatus.ENDED},
    TaskForceStatus.ENDED: set(),
}


def transition_allowed(source: str, target: str) -> bool:
    return target in TASKFORCE_TRANSITIONS.get(source, set())


# --- Composition ---------------------------------------------------------------


def composition_gaps(required: dict[str, int], counts: dict[str, int]) -> dict[str, int]:
    """Per role, how many people are missing (positive) or too many (negative); met roles are left out."""
    return {role: need - counts.get(role, 0) for role, need in required.items() if counts.get(role, 0) != need}


def composition_met(required: dict[str, int], counts: dict[str, int]) -> bool:
    return not composition_gaps(required, counts)


# --- Overview status -----------------------------------------------------------

OVERVIEW_NONE, OVERVIEW_DRAFT, OVERVIEW_ACTIVE, OVERVIEW_INCOMPLETE, OVERVIEW_ENDED = (
    "none",
    "draft",
    "active",
    "incomplete",
    "ended",
)
OVERVIEW_LABELS = {
    OVERVIEW_NONE: gettext_lazy("No task force"),
    OVERVIEW_DRAFT: gettext_lazy("Draft"),
    OVERVIEW_ACTIVE: gettext_lazy("Active"),
    OVERVIEW_INCOMPLETE: gettext_lazy("Active, incomplete"),
    OVERVIEW_ENDED: gettext_lazy("Ended"),
}


def overview_status(status: str | None, met: bool) -> str:
    """The status shown in the regional overview: an active task force whose composition
    is not met today is "incomplete"."""
    if status is None:
        return OVERVIEW_NONE
    if status == TaskForceStatus.ACTIVE:
        return OVERVIEW_ACTIVE if met else OVERVIEW_INCOMPLETE
    return OVERVIEW_DRAFT if status == TaskForceStatus.DRAFT else OVERVIEW_ENDED


# --- Decree numbers ------------------------------------------------------------

DECREE_TOKENS = ("nomor", "tahun", "bulan", "bulan_romawi", "kode_unit")
_ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]


class PatternError(ValueError):
    pass


def check_pattern(pattern: str) -> None:
    """A pattern must contain ``{nomor}`` and no other token than ``DECREE_TOKENS``."""
    try:
        fields = [name for _, name, _, _ in string.Formatter().parse(pattern) if name is not None]
    except ValueError as exc:
        raise PatternError(str(exc)) from None
    unknown = [name for name in fields if name not in DECREE_TOKENS]
    if unknown:
        raise PatternError(f"unknown token(s): {', '.join(unknown)}")
    if "nomor" not in fields:
        raise PatternError("the pattern needs {nomor}")


def format_decree_number(pattern: str, *, number: int, on: dt.date, unit_code: str) -> str:
    check_pattern(pattern)
    return pattern.format(
        nomor=number, tahun=on.year, bulan=f"{on.month:02d}", bulan_romawi=_ROMAN[on.month - 1], kode_unit=unit_code
    )


# --- Imported lines ------------------------------------------------------------

ROLE_WORDS = {
    "ketua": MemberRole.LEADER,
    "ketua tim": MemberRole.LEADER,
    "leader": MemberRole.LEADER,
    "sekretaris": MemberRole.SECRETARY,
    "secretary": MemberRole.SECRETARY,
    "anggota": MemberRole.MEMBER,
    "member": MemberRole.MEMBER,
}
_SEPARATOR = re.compile(r"[;\t,]")


def parse_member_line(line: str) -> tuple[str, str | None]:
    """``"19860926 201505 1 001; Ketua"`` -> ``("198609262015051001", "LEADER")``; unknown role -> ``None``."""
    parts = _SEPARATOR.split(line, maxsplit=1)
    number = "".join(parts[0].split())
    role_word = " ".join(parts[1].split()).lower() if len(parts) > 1 else ""
    return number, ROLE_WORDS.get(role_word)
