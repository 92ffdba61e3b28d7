"""The limits every input shares, so that no request can crash the server with an extreme value.

- **Dates** are between ``DATE_MIN`` and ``DATE_MAX`` (1 January 1900 – 31 December 2100): the domain has
  nothing outside (births, terms, elections, incidents), and date arithmetic near year 1 or 9999 overflows
  (a period ending after 31 December 9999, 0001-01-01 00:00 WIB stored in UTC). Every form gets the rule from
  ``style_form`` (``limit_dates``): a validation message on the field, and ``min``/``max`` on date inputs.
  Query-string filters read dates with ``parse_date_param``: a bad or far date is ignored, like an absent one.
- **Search texts** read straight from a query string go through ``text_param``: one line, no control
  characters (PostgreSQL refuses NUL), bounded length. Filter forms get the same from their form fields.
- **Integers beyond the database's range** (an id of 20 digits in a path, a query string or a form) match no
  row: ``satgas/core/lookups.py`` extends to ``in`` and to foreign keys what Django does for ``exact`` and
  comparisons on integer fields, instead of SQLite raising ``OverflowError``.
- **Page numbers** are read by Django's ``Paginator.get_page``, which already answers the first page for
  ``abc`` and the last one for ``999999``.
"""

import datetime as dt

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from .text import strip_control

DATE_MIN = dt.date(1900, 1, 1)
DATE_MAX = dt.date(2100, 12, 31)
OUT_OF_RANGE = _("Enter a date between 1900 and 2100.")


class DateNotBefore(MinValueValidator):
    message = OUT_OF_RANGE

    def compare(self, a, b):
        return _as_date(a) < b

    def __init__(self):
        super().__init__(DATE_MIN, message=OUT_OF_RANGE)


class DateNotAfter(MaxValueValidator):
    message = OUT_OF_RANGE

    def compare(self, a, b):
        return _as_date(a) > b

    def __init__(self):
        super().__init__(DATE_MAX, message=OUT_OF_RANGE)


def _as_date(value):
    return value.date() if isinstance(value, dt.datetime) else value


def limit_dates(form: forms.BaseForm) -> forms.BaseForm:
    """Every date and date-time field of ``form`` accepts only ``DATE_MIN`` to ``DATE_MAX``."""
    for field in form.fields.values():
        if isinstance(field, forms.SplitDateTimeField):
            field.fields[0].validators += _missing(field.fields[0])
            continue
        if not isinstance(field, (forms.DateField, forms.DateTimeField)):
            continue
        field.validators += _missing(field)
        input_type = getattr(field.widget, "input_type", "")
        if input_type == "date":
            field.widget.attrs.setdefault("min", DATE_MIN.isoformat())
            field.widget.attrs.setdefault("max", DATE_MAX.isoformat())
        elif input_type == "datetime-local":
            field.widget.attrs.setdefault("min", f"{DATE_MIN.isoformat()}T00:00")
            field.widget.attrs.setdefault("max", f"{DATE_MAX.isoformat()}T23:59")
    return form


def _missing(field) -> list:
    kinds = {type(validator) for validator in field.validators}
    return [validator() for validator in (DateNotBefore, DateNotAfter) if validator not in kinds]


def parse_date_param(value: str | None) -> dt.date | None:
    """A date from a query string (``2024-02-14``), or ``None`` when absent, malformed or out of range."""
    try:
        day = dt.date.fromisoformat((value or "").strip())
    except ValueError:
        return None
    return day if DATE_MIN <= day <= DATE_MAX else None


def text_param(params, name: str, *, max_length: int = 100) -> str:
    """A search text from a query string (or a POST), on one line, without control characters (PostgreSQL
    refuses NUL in a query), at most ``max_length`` characters."""
    return strip_control(params.get(name, ""), multiline=False).strip()[:max_length]
