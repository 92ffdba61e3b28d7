"""Free text that is safe to store, show and export.

Control characters (NUL, BEL, ESC, ... — everything in Unicode category ``Cc`` except tab, line feed and carriage
return, plus the C1 range) have no place in a name, a description or a note: they break XML (XLSX exports answer
500 on them), PostgreSQL refuses NUL in text, and they hide content from a reader. Forms refuse them with a
message (``reject_control_characters``); writers of files strip them as a last defence (``strip_control``).
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# C0 controls except \t \n \r, DEL, and the C1 controls.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Within a single-line value (names, titles) line breaks and tabs are control characters too.
_CONTROL_SINGLE_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def has_control_characters(value: str, *, multiline: bool = True) -> bool:
    pattern = _CONTROL if multiline else _CONTROL_SINGLE_LINE
    return bool(value) and bool(pattern.search(value))


def strip_control(value, *, multiline: bool = True):
    """``value`` without control characters (non-strings are returned unchanged)."""
    if not isinstance(value, str):
        return value
    pattern = _CONTROL if multiline else _CONTROL_SINGLE_LINE
    if not multiline:
        # Keep the words apart where a line break or tab stood.
        value = re.sub(r"[\t\n\r]+", " ", value)
    return pattern.sub("", value)


CONTROL_CHARACTERS_MESSAGE = _(
    "This text contains invisible control characters (for example from a copied document). "
    "Type it again or paste it as plain text."
)


def reject_control_characters(value) -> None:
    """A validator for multi-line text fields."""
    if isinstance(value, str) and has_control_characters(value):
        raise ValidationError(CONTROL_CHARACTERS_MESSAGE, code="control_characters")
