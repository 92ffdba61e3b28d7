"""Civil-servant and national identity numbers (domain.md section 2).

* NIP (PNS), 18 digits: birth date ``YYYYMMDD`` + appointment ``YYYYMM`` +
  sex digit (1 male, 2 female) + 3-digit serial.
* NI PPPK, 18 digits: birth date ``YYYYMMDD`` + appointment year ``YYYY`` +
  2-digit code + sex digit + 3-digit serial.
* NIK, 16 digits: province (2) + regency (2) + district (2) + birth date
  ``DDMMYY`` with 40 added to the day for women + 4-digit serial.

Numbers may be written with spaces (``19860926 201505 1 001``); nothing else
is stripped. Every function raises ``django.core.exceptions.ValidationError``
with a message a clerk can act on.
"""

import datetime as dt
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

MALE = "M"
FEMALE = "F"

# Province codes of the national ID (Kemendagri), including the 2022 Papua provinces.
PROVINCE_CODES = frozenset(
    {
        11,
        12,
        13,
        14,
        15,
        16,
        17,
        18,
        19,
        21,
        31,
        32,
        33,
        34,
        35,
        36,
        51,
        52,
        53,
        61,
        62,
        63,
        64,
        65,
        71,
        72,
        73,
        74,
        75,
        76,
        81,
        82,
        91,
        92,
        93,
        94,
        95,
        96,
        97,
    }
)

_EXCEL_SCIENTIFIC = re.compile(r"^\s*\d(?:[.,]\d+)?\s*[eE]\s*\+?\s*\d+\s*$")


@dataclass(frozen=True)
class IdentityInfo:
    number: str
    birth_date: dt.date
    sex: str


def normalize_number(value) -> str:
    """Return the number as a string with spaces removed."""
    if value is None:
        return ""
    return "".join(str(value).split())


def _check_digits(raw, number: str, length: int, label: str) -> None:
    if len(number) == length and number.isdigit() and number.isascii():
        return  # the usual case, checked first: an import validates every row
    if _EXCEL_SCIENTIFIC.match(str(raw)):
        raise ValidationError(
            _(
                "%(label)s “%(value)s” looks like a number Excel converted to scientific "
                "notation, which loses the last digits. Format the column as Text in the "
                "spreadsheet and type the %(length)s-digit number again."
            )
            % {"label": label, "value": str(raw).strip(), "length": length},
            code="excel_scientific",
        )
    if not number.isdigit() or not number.isascii():
        raise ValidationError(
            _("%(label)s may contain only digits (spaces are allowed); got “%(value)s”.")
            % {"label": label, "value": str(raw).strip()},
            code="not_digits",
        )
    if len(number) != length:
        raise ValidationError(
            _("%(label)s must have %(length)s digits; “%(value)s” has %(count)s.")
            % {"label": label, "length": length, "value": str(raw).strip(), "count": len(number)},
            code="length",
        )


def _date(year: int, month: int, day: int, label: str) -> dt.date:
    """The birth date in a number; the message is only translated when it is impossible."""
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise ValidationError(
            _("%(label)s contains an impossible %(what)s (%(year)04d-%(month)02d-%(day)02d).")
            % {"label": label, "what": _("birth date"), "year": year, "month": month, "day": day},
            code="bad_date",
        ) from None


def _check_birth_date(birth: dt.date, label: str, today: dt.date) -> None:
    age = today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))
    if birth.year < 1940 or age < 17:
        raise ValidationError(
            _("%(label)s gives birth date %(date)s, which is not plausible for an employee.")
            % {"label": label, "date": birth.isoformat()},
            code="implausible_birth",
        )


def _check_appointment(birth: dt.date, year: int, label: str, today: dt.date) -> None:
    if year < birth.year + 15 or year > today.year + 1:
        raise ValidationError(
            _("%(label)s gives appointment year %(year)s, which does not fit birth year %(birth)s.")
            % {"label": label, "year": year, "birth": birth.year},
            code="bad_appointment",
        )


def _sex(digit: str, label: str) -> str:
    if digit == "1":
        return MALE
    if digit == "2":
        return FEMALE
    raise ValidationError(
        _("%(label)s sex digit (position 15) must be 1 (male) or 2 (female), not %(digit)s.")
        % {"label": label, "digit": digit},
        code="bad_sex",
    )


def validate_nip(value, *, today: dt.date | None = None) -> IdentityInfo:
    """Validate a PNS NIP."""
    label = "NIP"
    number = normalize_number(value)
    _check_digits(value, number, 18, label)
    birth = _date(int(number[0:4]), int(number[4:6]), int(number[6:8]), label)
    today = today or timezone.localdate()
    _check_birth_date(birth, label, today)
    appointed_year, appointed_month = int(number[8:12]), int(number[12:14])
    if not 1 <= appointed_month <= 12:
        raise ValidationError(
            _("%(label)s contains an impossible appointment month (%(month)02d).")
            % {"label": label, "month": appointed_month},
            code="bad_date",
        )
    _check_appointment(birth, appointed_year, label, today)
    sex = _sex(number[14], label)
    if number[15:18] == "000":
        raise ValidationError(_("NIP serial number (last 3 digits) cannot be 000."), code="bad_serial")
    return IdentityInfo(number=number, birth_date=birth, sex=sex)


def validate_pppk_number(value, *, today: dt.date | None = None) -> IdentityInfo:
    """Validate a PPPK employee number (NI PPPK)."""
    label = "NI PPPK"
    number = normalize_number(value)
    _check_digits(value, number, 18, label)
    birth = _date(int(number[0:4]), int(number[4:6]), int(number[6:8]), label)
    today = today or timezone.localdate()
    _check_birth_date(birth, label, today)
    _check_appointment(birth, int(number[8:12]), label, today)
    sex = _sex(number[14], label)
    if number[15:18] == "000":
        raise ValidationError(_("NI PPPK serial number (last 3 digits) cannot be 000."), code="bad_serial")
    return IdentityInfo(number=number, birth_date=birth, sex=sex)


def validate_nik(value, *, today: dt.date | None = None) -> IdentityInfo:
    """Validate a 16-digit NIK (national identity number)."""
    label = "NIK"
    number = normalize_number(value)
    _check_digits(value, number, 16, label)
    province = int(number[0:2])
    if province not in PROVINCE_CODES:
        raise ValidationError(
            _("NIK starts with %(code)s, which is not an Indonesian province code (Central Java is 33).")
            % {"code": number[0:2]},
            code="bad_province",
        )
    if number[2:4] == "00" or number[4:6] == "00":
        raise ValidationError(_("NIK regency and district codes (digits 3–6) cannot be 00."), code="bad_region")
    day, month, yy = int(number[6:8]), int(number[8:10]), int(number[10:12])
    sex = MALE
    if day > 40:
        day -= 40
        sex = FEMALE
    if not 1 <= day <= 31:
        raise ValidationError(
            _("NIK birth day (digits 7–8) must be 01–31, or 41–71 for women; got %(day)s.") % {"day": number[6:8]},
            code="bad_date",
        )
    today = today or timezone.localdate()
    year = (2000 if yy <= today.year % 100 else 1900) + yy
    birth = _date(year, month, day, label)
    _check_birth_date(birth, label, today)
    if number[12:16] == "0000":
        raise ValidationError(_("NIK serial number (last 4 digits) cannot be 0000."), code="bad_serial")
    return IdentityInfo(number=number, birth_date=birth, sex=sex)


def validate_for_type(employment_type: str, value, *, today: dt.date | None = None) -> IdentityInfo:
    """Validate the identifying number that goes with an employment type.

    ``today`` (default: the local date) is what ages are checked against; a bulk import passes it once
    instead of asking the clock for every row."""
    from .models import EmploymentType

    if employment_type == EmploymentType.PNS:
        return validate_nip(value, today=today)
    if employment_type == EmploymentType.PPPK:
        return validate_pppk_number(value, today=today)
    return validate_nik(value, today=today)


# --- Phone numbers -------------------------------------------------------------------------------

PHONE_MAX_LENGTH = 40  # Person.phone
_PHONE_KEEP = re.compile(r"[^0-9+\-() ]")
_LETTER = re.compile(r"[^\W\d_]")


def normalize_phone(value) -> str:
    """A phone number as the registry keeps it; the one rule of the person form and the import.

    Digits, spaces and ``+ - ( )`` are kept (runs of spaces become one); other punctuation such as the dots of
    ``(024) 761.2345`` is dropped. Letters (``0812 ext. 5``), control characters, a value without digits or one
    longer than ``PHONE_MAX_LENGTH`` raise ``ValidationError``. Empty gives ``""``.
    """
    from satgas.core.text import CONTROL_CHARACTERS_MESSAGE, has_control_characters, strip_control

    text = "" if value is None else str(value).strip()
    if not text:
        return ""
    if has_control_characters(text, multiline=False):
        raise ValidationError(CONTROL_CHARACTERS_MESSAGE, code="control_characters")
    phone = " ".join(_PHONE_KEEP.sub("", text).split())
    if _LETTER.search(text) or not any(c.isdigit() for c in phone):
        raise ValidationError(
            _("Phone number “%(value)s” may contain only digits, spaces and + - ( ). Remove the other characters.")
            % {"value": strip_control(text)},
            code="phone_characters",
        )
    if len(phone) > PHONE_MAX_LENGTH:
        raise ValidationError(
            _("Phone number is too long (at most %(max)s characters). Fill in one number only.")
            % {"max": PHONE_MAX_LENGTH},
            code="phone_length",
        )
    return phone
