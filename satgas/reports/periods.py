"""Reporting semesters: 1 January – 30 June and 1 July – 31 December, Asia/Jakarta time.

``Semester(2024, 1)`` is written ``2024-1``. ``start`` is inclusive and ``end`` is
the next semester's start (exclusive), both aware datetimes at midnight WIB, so
2024-06-30 23:59:59 WIB belongs to 2024-1 and 2024-07-01 00:00 WIB to 2024-2
although it is still 30 June in UTC.
"""

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

JAKARTA = ZoneInfo("Asia/Jakarta")
_PATTERN = re.compile(r"^\s*(\d{4})\s*-\s*([12])\s*$")
ROMAN = {1: "I", 2: "II"}


@dataclass(frozen=True, order=True)
class Semester:
    year: int
    half: int

    def __post_init__(self):
        if self.half not in (1, 2):
            raise ValueError(f"A semester is 1 or 2, not {self.half!r}.")
        if not 2000 <= self.year <= 2999:
            raise ValueError(f"Year {self.year!r} is out of range (2000–2999).")

    @classmethod
    def parse(cls, text: str) -> "Semester":
        """``"2024-1"`` -> ``Semester(2024, 1)``; anything else raises ``ValueError``."""
        match = _PATTERN.match(str(text or ""))
        if not match:
            raise ValueError(
                f"{text!r} is not a period: write YEAR-1 (January–June) or YEAR-2 (July–December), e.g. 2024-1."
            )
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def containing(cls, moment: dt.datetime | dt.date) -> "Semester":
        """The semester of an aware datetime (judged in Asia/Jakarta) or of a date."""
        if isinstance(moment, dt.datetime):
            if moment.tzinfo is None:
                raise ValueError("A naive datetime has no place in time; pass an aware one.")
            moment = moment.astimezone(JAKARTA).date()
        return cls(moment.year, 1 if moment.month <= 6 else 2)

    def __str__(self) -> str:
        return f"{self.year}-{self.half}"

    @property
    def code(self) -> str:
        return str(self)

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, 1 if self.half == 1 else 7, 1)

    @property
    def last_day(self) -> dt.date:
        return dt.date(self.year, 6, 30) if self.half == 1 else dt.date(self.year, 12, 31)

    @property
    def start(self) -> dt.datetime:
        return dt.datetime.combine(self.first_day, dt.time(), tzinfo=JAKARTA)

    @property
    def end(self) -> dt.datetime:
        """The next semester's start: exclusive."""
        return self.next().start

    def next(self) -> "Semester":
        return Semester(self.year, 2) if self.half == 1 else Semester(self.year + 1, 1)

    def previous(self) -> "Semester":
        return Semester(self.year - 1, 2) if self.half == 1 else Semester(self.year, 1)

    def __contains__(self, moment) -> bool:
        if isinstance(moment, dt.datetime):
            return self.start <= moment < self.end
        return self.first_day <= moment <= self.last_day

    @property
    def roman(self) -> str:
        return ROMAN[self.half]

    @property
    def title_id(self) -> str:
        """Official wording: ``Semester I Tahun 2024``."""
        return f"Semester {self.roman} Tahun {self.year}"


def recent_semesters(*, today: dt.date, count: int) -> list[Semester]:
    """The last ``count`` finished semesters before the one containing ``today``, newest first."""
    current = Semester.containing(today)
    out, semester = [], current
    for _ in range(count):
        semester = semester.previous()
        out.append(semester)
    return out
