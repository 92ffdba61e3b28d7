"""NIP, NI PPPK and NIK validation (satgas.personnel.identity, domain.md section 2)."""

import datetime as dt
import zoneinfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from satgas.personnel import identity
from satgas.personnel.identity import FEMALE, MALE, validate_for_type, validate_nik, validate_nip, validate_pppk_number

from .factories import make_nik, make_nip, make_pppk_number


@pytest.fixture(autouse=True)
def _fixed_today_in_english(time_machine):
    # "Today" decides plausible ages, appointment years and the NIK century.
    time_machine.move_to(dt.datetime(2025, 6, 15, 10, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Jakarta")), tick=False)
    with translation.override("en"):
        yield


def invalid(validator, value) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        validator(value)
    return caught.value


def code_of(exc: ValidationError) -> str:
    return exc.error_list[0].code


# --- NIP (PNS) ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "birth", "sex"),
    [
        ("198609262015051001", dt.date(1986, 9, 26), MALE),
        ("19860926 201505 1 001", dt.date(1986, 9, 26), MALE),
        (" 19860926\u00a0201505 1 001 ", dt.date(1986, 9, 26), MALE),  # a non-breaking space from a web page
        ("199201152019032005", dt.date(1992, 1, 15), FEMALE),
        ("196512311990121999", dt.date(1965, 12, 31), MALE),
        ("200002292024062001", dt.date(2000, 2, 29), FEMALE),  # leap day
    ],
)
def test_valid_nip_gives_birth_date_and_sex(value, birth, sex):
    info = validate_nip(value)

    assert info.number == value.replace(" ", "").replace("\u00a0", "")
    assert len(info.number) == 18
    assert (info.birth_date, info.sex) == (birth, sex)


@pytest.mark.parametrize(
    ("value", "code", "text"),
    [
        ("19860926201505100", "length", "must have 18 digits; “19860926201505100” has 17"),
        ("1986092620150510011", "length", "has 19"),
        ("", "not_digits", "may contain only digits"),
        ("19860926201505100A", "not_digits", "may contain only digits"),
        ("19860926-201505-1-001", "not_digits", "may contain only digits"),
        ("١٩٨٦٠٩٢٦٢٠١٥٠٥١٠٠١", "not_digits", "may contain only digits"),  # Arabic-Indic digits
        ("198602302015051001", "bad_date", "impossible birth date (1986-02-30)"),
        ("198613012015051001", "bad_date", "impossible birth date (1986-13-01)"),
        ("198609002015051001", "bad_date", "impossible birth date"),
        ("199002292015051001", "bad_date", "(1990-02-29)"),  # not a leap year
        ("198609262015131001", "bad_date", "impossible appointment month (13)"),
        ("198609262015001001", "bad_date", "impossible appointment month (00)"),
        ("198609262015053001", "bad_sex", "must be 1 (male) or 2 (female), not 3"),
        ("198609262015050001", "bad_sex", "not 0"),
        ("198609262015051000", "bad_serial", "cannot be 000"),
        ("198609261999051001", "bad_appointment", "appointment year 1999, which does not fit birth year 1986"),
        ("198609262027011001", "bad_appointment", "appointment year 2027"),  # after next year
        ("193905012015051001", "implausible_birth", "birth date 1939-05-01"),
        ("201001012015051001", "implausible_birth", "not plausible"),  # 15 years old
        ("1.98609E+17", "excel_scientific", "scientific notation"),
        ("1,98609E+17", "excel_scientific", "scientific notation"),  # Indonesian decimal comma
        ("1.98609262015051e17", "excel_scientific", "scientific notation"),
    ],
)
def test_invalid_nip_is_rejected_with_a_specific_reason(value, code, text):
    exc = invalid(validate_nip, value)

    assert code_of(exc) == code
    assert text in exc.messages[0]
    assert len(exc.messages) == 1


def test_excel_message_tells_how_to_fix_it():
    message = invalid(validate_nip, "1.98609E+17").messages[0]

    assert message.startswith("NIP “1.98609E+17”")
    assert "Format the column as Text" in message
    assert "18-digit" in message


def test_appointment_at_exactly_fifteen_and_next_year_is_accepted():
    assert validate_nip("198609262001011001").birth_date == dt.date(1986, 9, 26)
    assert validate_nip("198609262026011001").sex == MALE


def test_seventeenth_birthday_is_the_youngest_plausible_age():
    assert validate_nip("200806152025061001").birth_date == dt.date(2008, 6, 15)  # 17 today
    assert code_of(invalid(validate_nip, "200806162025061001")) == "implausible_birth"  # 17 tomorrow


# --- NI PPPK ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "birth", "sex"),
    [
        ("199003122022212007", dt.date(1990, 3, 12), FEMALE),
        ("19900312 2022 21 2 007", dt.date(1990, 3, 12), FEMALE),
        ("197801052023111042", dt.date(1978, 1, 5), MALE),
        (make_pppk_number(), dt.date(1990, 3, 12), FEMALE),
    ],
)
def test_valid_pppk_number(value, birth, sex):
    info = validate_pppk_number(value)

    assert (info.number, info.birth_date, info.sex) == (value.replace(" ", ""), birth, sex)


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("19900312202221200", "length"),
        ("1990031220222120XX", "not_digits"),
        ("199002302022212007", "bad_date"),
        ("199003122022213007", "bad_sex"),
        ("199003122022212000", "bad_serial"),
        ("199003122000212007", "bad_appointment"),
        ("1.99003E+17", "excel_scientific"),
    ],
)
def test_invalid_pppk_number(value, code):
    exc = invalid(validate_pppk_number, value)

    assert code_of(exc) == code
    assert "NI PPPK" in exc.messages[0]


def test_pppk_number_has_no_appointment_month():
    # Digits 13-14 are a code, not a month: 21 is fine for PPPK but not a month for a PNS NIP.
    assert validate_pppk_number("199003122022212007").sex == FEMALE
    assert code_of(invalid(validate_nip, "199003122022212007")) == "bad_date"


# --- NIK ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "birth", "sex"),
    [
        ("3374120504920001", dt.date(1992, 4, 5), MALE),  # Semarang, Central Java
        ("3374124504920001", dt.date(1992, 4, 5), FEMALE),  # women: day + 40
        ("3322017112880123", dt.date(1988, 12, 31), FEMALE),  # day 71 = 31
        ("3374 1201 0105 0001", dt.date(2005, 1, 1), MALE),  # yy 05 <= 25: 2005
        ("3171062609860003", dt.date(1986, 9, 26), MALE),  # Jakarta
        ("9471010101900001", dt.date(1990, 1, 1), MALE),  # Papua
        (make_nik(female=True, birth=dt.date(1979, 11, 30)), dt.date(1979, 11, 30), FEMALE),
    ],
)
def test_valid_nik_gives_birth_date_and_sex(value, birth, sex):
    info = validate_nik(value)

    assert (info.number, info.birth_date, info.sex) == (value.replace(" ", ""), birth, sex)


@pytest.mark.parametrize(
    ("value", "code", "text"),
    [
        ("337412050492001", "length", "must have 16 digits"),
        ("33741205049200011", "length", "has 17"),
        ("33741205O4920001", "not_digits", "only digits"),  # letter O for zero
        ("9974120504920001", "bad_province", "99, which is not an Indonesian province code"),
        ("0074120504920001", "bad_province", "not an Indonesian province"),
        ("3300120504920001", "bad_region", "cannot be 00"),
        ("3374000504920001", "bad_region", "cannot be 00"),
        ("3374123504920001", "bad_date", "01–31, or 41–71 for women; got 35"),
        ("3374124004920001", "bad_date", "got 40"),
        ("3374127204920001", "bad_date", "got 72"),
        ("3374120004920001", "bad_date", "got 00"),
        ("3374123002920001", "bad_date", "impossible birth date (1992-02-30)"),
        ("3374127002920001", "bad_date", "(1992-02-30)"),  # a woman born on "Feb 30"
        ("3374120513920001", "bad_date", "(1992-13-05)"),
        ("3374122902930001", "bad_date", "(1993-02-29)"),
        ("3374120504920000", "bad_serial", "cannot be 0000"),
        ("3374120101150001", "implausible_birth", "2015-01-01"),  # a child
        ("3374120101390001", "implausible_birth", "1939-01-01"),
        ("3.37412E+15", "excel_scientific", "16-digit"),
    ],
)
def test_invalid_nik_is_rejected_with_a_specific_reason(value, code, text):
    exc = invalid(validate_nik, value)

    assert code_of(exc) == code
    assert text in exc.messages[0]


def test_nik_two_digit_year_is_this_century_up_to_the_current_year(time_machine):
    assert validate_nik("3374120101050001").birth_date == dt.date(2005, 1, 1)
    assert validate_nik("3374120101950001").birth_date == dt.date(1995, 1, 1)
    time_machine.move_to(dt.datetime(2030, 1, 2, tzinfo=zoneinfo.ZoneInfo("Asia/Jakarta")), tick=False)
    assert validate_nik("3374120101100001").birth_date == dt.date(2010, 1, 1)  # 20 years old in 2030
    assert code_of(invalid(validate_nik, "3374120101310001")) == "implausible_birth"  # 1931, not 2031


# --- Helpers --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("employment_type", "value", "label"),
    [("PNS", make_nip(), "NIP"), ("PPPK", make_pppk_number(), "NI PPPK"), ("PPNPN", make_nik(), "NIK")],
)
def test_validate_for_type_picks_the_validator(employment_type, value, label):
    assert validate_for_type(employment_type, value).number == value
    exc = invalid(lambda v: validate_for_type(employment_type, v), "12345")
    assert exc.messages[0].startswith(f"{label} must have")


@pytest.mark.parametrize(("value", "expected"), [(None, ""), ("", ""), (" 1 2\t3\n", "123"), (198609, "198609")])
def test_normalize_number(value, expected):
    assert identity.normalize_number(value) == expected


def test_messages_are_translatable():
    with translation.override("id"):
        exc = invalid(validate_nip, "123")
    # Whatever the catalogue holds, the message is complete (placeholders filled in).
    assert "%(" not in exc.messages[0] and "123" in exc.messages[0]
