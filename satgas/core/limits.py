"""The bounds of what a request accepts: the longest free text, the plausible dates, in one place.

Every SATGAS form applies them (``satgas.core.forms.InputRulesMixin``, README "Input rules"):

- a text field without its own ``max_length`` gets ``TEXT_LINE_MAX`` (one line) or ``TEXT_LONG_MAX`` (a text
  area), unless the form names another limit from this module in ``text_max_lengths``;
- every date and date-time field gets ``DATES`` (2000–2100), unless the form names another range in
  ``date_ranges`` (``PAST_DATES`` for what already happened, ``BIRTH_DATES`` for a date of birth): a message on
  the field, and ``min``/``max`` on date inputs. Date arithmetic near year 1 or 9999 overflows; nothing the
  domain records lies outside these ranges.

What is read straight from a query string follows the same bounds:

- dates with ``parse_date_param``: a malformed or implausible date is ignored, like an absent one;
- search texts with ``text_param``: one line, no control characters (PostgreSQL refuses NUL), bounded length;
- integers beyond the database's range (a 20-digit id in a path, a query string or a form) match no row:
  ``satgas/core/lookups.py`` extends to ``in`` and to foreign keys what Django does for ``exact`` on integer
  fields, instead of SQLite raising ``OverflowError``;
- page numbers are read by Django's ``Paginator.get_page``, which answers the first page for ``abc`` and the
  last one for ``999999``.

The database refuses the most important ones too (CheckConstraints on violation cases, their messages and notes,
and elections), so a write that bypasses the forms cannot store them either.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from .text import strip_control

# Free text, in characters.
TEXT_LINE_MAX = 255  # one line without a limit of its own (the model's max_length wins where there is one)
TEXT_SHORT_MAX = 2_000  # a few lines: an address, attendees, who the reported person is, lists of links or emails
TEXT_NOTE_MAX = 5_000  # notes, messages, comments, reasons
TEXT_LONG_MAX = 10_000  # descriptions, minutes, findings, the report's narrative
TEXT_LIST_MAX = 50_000  # pasted lists: NIP/NIK of a few thousand attendees, task-force members
DRAWN_SIGNATURE_MAX = 200_000  # a signature drawn on the screen, as a PNG data URL (the service's own limit)

# Dates of the work SATGAS records (elections, decrees, sessions, incidents).
EARLIEST = dt.date(2000, 1, 1)
LATEST = dt.date(2100, 12, 31)
EARLIEST_BIRTH = dt.date(1930, 1, 1)


def today() -> dt.date:
    return timezone.localdate()


@dataclass(frozen=True)
class DateRange:
    """Inclusive bounds; either may be a function of the day (``today``)."""

    earliest: dt.date | Callable[[], dt.date]
    latest: dt.date | Callable[[], dt.date]

    def bounds(self) -> tuple[dt.date, dt.date]:
        def value(bound):
            return bound() if callable(bound) else bound

        return value(self.earliest), value(self.latest)

    @property
    def up_to_today(self) -> bool:
        return self.latest is today


DATES = DateRange(EARLIEST, LATEST)
PAST_DATES = DateRange(EARLIEST, today)  # incidents, posts, meetings held, paper forms signed
BIRTH_DATES = DateRange(EARLIEST_BIRTH, today)

FUTURE_MESSAGE = _("The date cannot be in the future.")


def _label(day: dt.date) -> str:
    return formats.date_format(day, "j F Y")


class DateRangeValidator:
    """Refuses a date (or the local date of a date-time) outside ``date_range``, with a message naming the bound."""

    def __init__(self, date_range: DateRange):
        self.date_range = date_range

    def __call__(self, value) -> None:
        if isinstance(value, dt.datetime):
            value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
        if not isinstance(value, dt.date):
            return
        earliest, latest = self.date_range.bounds()
        if value < earliest:
            raise ValidationError(
                _("Enter a date on or after %(date)s."), code="date_too_early", params={"date": _label(earliest)}
            )
        if value > latest:
            if self.date_range.up_to_today:
                raise ValidationError(FUTURE_MESSAGE, code="date_in_future")
            raise ValidationError(
                _("Enter a date on or before %(date)s."), code="date_too_late", params={"date": _label(latest)}
            )

    def __eq__(self, other):
        return isinstance(other, DateRangeValidator) and other.date_range == self.date_range


def parse_date_param(value: str | None) -> dt.date | None:
    """A date from a query string (``2024-02-14``), or ``None`` when absent, malformed or implausible."""
    try:
        day = dt.date.fromisoformat((value or "").strip())
    except ValueError:
        return None
    return day if EARLIEST_BIRTH <= day <= LATEST else None


def text_param(params, name: str, *, max_length: int = 100) -> str:
    """A search text from a query string (or a POST), on one line, without control characters (PostgreSQL
    refuses NUL in a query), at most ``max_length`` characters."""
    return strip_control(params.get(name, ""), multiline=False).strip()[:max_length]
