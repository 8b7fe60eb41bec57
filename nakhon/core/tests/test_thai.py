"""Table-driven tests for nakhon.core.thai (pure Python: no Django settings needed)."""

from __future__ import annotations

import datetime as dt
import pickle
import random
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from pythainlp.util import bahttext, thai_strftime, thai_strptime
from stdnum.th import pin

from nakhon.core.thai import (
    BE_OFFSET,
    THAI_MONTHS,
    THAI_MONTHS_ABBR,
    BahtError,
    ThaiDateError,
    ThaiIdError,
    ThaiValueError,
    baht_text,
    be_to_ce_year,
    ce_to_be_year,
    fiscal_year,
    fiscal_year_range,
    format_baht,
    format_date_en,
    format_datetime_en,
    format_juristic_id,
    format_thai_date,
    format_thai_datetime,
    format_thai_id,
    from_thai_digits,
    is_valid_juristic_id,
    is_valid_thai_id,
    mask_thai_id,
    parse_thai_date,
    parse_thai_date_or_none,
    to_thai_digits,
    validate_juristic_id,
    validate_thai_id,
)

D = dt.date
UTC = dt.UTC
BANGKOK = ZoneInfo("Asia/Bangkok")


def with_check_digit(first12: str) -> str:
    """The published algorithm: sum of digit_i * (13 - i), check = (11 - sum % 11) % 10."""
    assert len(first12) == 12
    total = sum(int(digit) * (13 - index) for index, digit in enumerate(first12))
    return first12 + str((11 - total % 11) % 10)


def wrong_check_digit(number: str) -> str:
    return number[:12] + str((int(number[12]) + 1) % 10)


def group_pin(number: str) -> str:
    return f"{number[0]}-{number[1:5]}-{number[5:10]}-{number[10:12]}-{number[12]}"


VALID_PIN = with_check_digit("110170020751")  # "1101700207510"
VALID_PINS = [
    VALID_PIN,
    with_check_digit("310060044563"),
    with_check_digit("123454567878"),
    with_check_digit("500000000000"),
    with_check_digit("899999999999"),
    *(with_check_digit(f"{first}{index:011d}") for first in "12345678" for index in (0, 7, 99)),
]
VALID_MOAS = [
    "0105536112014",
    "0994000617721",
    "0993000133978",
    with_check_digit("010555500001"),
    with_check_digit("073556000123"),
]


# --- constants, years and digits -----------------------------------------------------------------


def test_month_tables() -> None:
    assert THAI_MONTHS[1:] == (
        "มกราคม",
        "กุมภาพันธ์",
        "มีนาคม",
        "เมษายน",
        "พฤษภาคม",
        "มิถุนายน",
        "กรกฎาคม",
        "สิงหาคม",
        "กันยายน",
        "ตุลาคม",
        "พฤศจิกายน",
        "ธันวาคม",
    )
    assert THAI_MONTHS_ABBR[1:] == (
        "ม.ค.",
        "ก.พ.",
        "มี.ค.",
        "เม.ย.",
        "พ.ค.",
        "มิ.ย.",
        "ก.ค.",
        "ส.ค.",
        "ก.ย.",
        "ต.ค.",
        "พ.ย.",
        "ธ.ค.",
    )
    assert len(THAI_MONTHS) == len(THAI_MONTHS_ABBR) == 13


@pytest.mark.parametrize(
    ("be", "ce"), [(2566, 2023), (2567, 2024), (2543, 2000), (2400, 1857), (2700, 2157), (543, 0)]
)
def test_year_conversion(be: int, ce: int) -> None:
    assert BE_OFFSET == 543
    assert be_to_ce_year(be) == ce
    assert ce_to_be_year(ce) == be


@pytest.mark.parametrize(
    ("arabic", "thai"),
    [
        ("0123456789", "๐๑๒๓๔๕๖๗๘๙"),
        ("2 มี.ค. 2566", "๒ มี.ค. ๒๕๖๖"),
        ("1,234.50 บาท", "๑,๒๓๔.๕๐ บาท"),
        ("no digits", "no digits"),
        ("", ""),
    ],
)
def test_thai_digits(arabic: str, thai: str) -> None:
    assert to_thai_digits(arabic) == thai
    assert from_thai_digits(thai) == arabic
    assert from_thai_digits(arabic) == arabic  # already Arabic: unchanged


# --- parse_thai_date -----------------------------------------------------------------------------

MAR_2 = D(2023, 3, 2)


@pytest.mark.parametrize(
    ("text", "era", "expected"),
    [
        # day, month name, BE year
        ("2 มี.ค. 2566", "be", MAR_2),
        ("2 มี.ค.2566", "be", MAR_2),
        ("2มี.ค.2566", "be", MAR_2),
        ("2 มีนาคม 2566", "be", MAR_2),
        ("2มีนาคม2566", "be", MAR_2),
        ("วันที่ 2 มีนาคม พ.ศ. 2566", "be", MAR_2),
        ("วันที่ 2 มีนาคม พ.ศ.2566", "be", MAR_2),
        ("วันที่2มีนาคมพ.ศ.2566", "be", MAR_2),
        ("ณ วันที่ 2 มีนาคม 2566", "be", MAR_2),
        ("2 มีนาคม พ.ศ 2566", "be", MAR_2),
        ("2 มีนาคม พศ. 2566", "be", MAR_2),
        ("2 มี.ค. พ.ศ. 2566", "be", MAR_2),
        ("02 มี.ค. 2566", "be", MAR_2),
        ("2 มีนา 2566", "be", MAR_2),
        ("2 มีค 2566", "be", MAR_2),
        ("2 มีค. 2566", "be", MAR_2),
        ("2 มี.ค 2566", "be", MAR_2),
        # Thai digits, whitespace, invisible characters
        ("๒ มี.ค. ๒๕๖๖", "be", MAR_2),
        ("๐๒/๐๓/๒๕๖๖", "be", MAR_2),
        ("2 มี.ค. ๒๕๖๖", "be", MAR_2),
        ("  2 มี.ค. 2566\n", "be", MAR_2),
        ("2\u00a0มี.ค.\u00a02566", "be", MAR_2),
        ("2  มี.ค.   2566", "be", MAR_2),
        ("2 มี\u200b.ค. 2566", "be", MAR_2),
        # numeric, day first
        ("02/03/2566", "be", MAR_2),
        ("2/3/2566", "be", MAR_2),
        ("2-3-2566", "be", MAR_2),
        ("2.3.2566", "be", MAR_2),
        ("02 / 03 / 2566", "be", MAR_2),
        ("วันที่ 02/03/2566", "be", MAR_2),
        # numeric, ISO order with a BE year
        ("2566-03-02", "be", MAR_2),
        ("2566-3-2", "be", MAR_2),
        ("2566/03/02", "be", MAR_2),
        ("๒๕๖๖-๐๓-๐๒", "be", MAR_2),
        # two-digit years are BE 25xx
        ("2 มี.ค. 66", "be", MAR_2),
        ("02/03/66", "be", MAR_2),
        ("2-3-66", "be", MAR_2),
        ("1 ม.ค. 00", "be", D(1957, 1, 1)),
        ("31 ธ.ค. 99", "be", D(2056, 12, 31)),
        # every month, full name, abbreviation, short form and variants
        ("15 มกราคม 2566", "be", D(2023, 1, 15)),
        ("15 ม.ค. 2566", "be", D(2023, 1, 15)),
        ("15 มกรา 2566", "be", D(2023, 1, 15)),
        ("15 กุมภาพันธ์ 2566", "be", D(2023, 2, 15)),
        ("15 กุมภาพันธ 2566", "be", D(2023, 2, 15)),
        ("15 ก.พ. 2566", "be", D(2023, 2, 15)),
        ("15 ก.พ 2566", "be", D(2023, 2, 15)),
        ("15 กพ. 2566", "be", D(2023, 2, 15)),
        ("15 กพ 2566", "be", D(2023, 2, 15)),
        ("15 เมษายน 2566", "be", D(2023, 4, 15)),
        ("15 เม.ย. 2566", "be", D(2023, 4, 15)),
        ("15 เมย 2566", "be", D(2023, 4, 15)),
        ("15 พฤษภาคม 2566", "be", D(2023, 5, 15)),
        ("15 พ.ค. 2566", "be", D(2023, 5, 15)),
        ("15 มิถุนายน 2566", "be", D(2023, 6, 15)),
        ("15 มิ.ย. 2566", "be", D(2023, 6, 15)),
        ("15 กรกฎาคม 2566", "be", D(2023, 7, 15)),
        ("15 กรกฏาคม 2566", "be", D(2023, 7, 15)),
        ("15 ก.ค. 2566", "be", D(2023, 7, 15)),
        ("15 สิงหาคม 2566", "be", D(2023, 8, 15)),
        ("15 ส.ค. 2566", "be", D(2023, 8, 15)),
        ("15 กันยายน 2566", "be", D(2023, 9, 15)),
        ("15 ก.ย. 2566", "be", D(2023, 9, 15)),
        ("15 ตุลาคม 2566", "be", D(2023, 10, 15)),
        ("15 ต.ค. 2566", "be", D(2023, 10, 15)),
        ("15 พฤศจิกายน 2566", "be", D(2023, 11, 15)),
        ("15 พ.ย. 2566", "be", D(2023, 11, 15)),
        ("15 ธันวาคม 2566", "be", D(2023, 12, 15)),
        ("15 ธ.ค. 2566", "be", D(2023, 12, 15)),
        # months 10-12 as numbers (PyThaiNLP's thai_strptime reads these as January)
        ("2/10/2566", "be", D(2023, 10, 2)),
        ("2/11/2566", "be", D(2023, 11, 2)),
        ("2/12/2566", "be", D(2023, 12, 2)),
        # leap years and month ends
        ("29 ก.พ. 2567", "be", D(2024, 2, 29)),
        ("29/02/2567", "be", D(2024, 2, 29)),
        ("29 ก.พ. 2543", "be", D(2000, 2, 29)),
        ("31 ม.ค. 2566", "be", D(2023, 1, 31)),
        ("30 เม.ย. 2566", "be", D(2023, 4, 30)),
        # the supported range
        ("1 ม.ค. 2400", "be", D(1857, 1, 1)),
        ("31 ธ.ค. 2700", "be", D(2157, 12, 31)),
        # CE era
        ("2023-03-02", "ce", MAR_2),
        ("02/03/2023", "ce", MAR_2),
        ("2 มี.ค. 2023", "ce", MAR_2),
        ("02/03/23", "ce", MAR_2),
        ("29/02/2024", "ce", D(2024, 2, 29)),
        ("1/1/1857", "ce", D(1857, 1, 1)),
        ("31/12/2157", "ce", D(2157, 12, 31)),
        # an explicit era marker beats the era argument
        ("2 มีนาคม ค.ศ. 2023", "be", MAR_2),
        ("2 มีนาคม พ.ศ. 2566", "ce", MAR_2),
        ("2 มีนาคม ค.ศ. 23", "be", MAR_2),
        # auto: >= 2400 is BE, below is CE; two digits are BE
        ("02/03/2566", "auto", MAR_2),
        ("02/03/2023", "auto", MAR_2),
        ("2566-03-02", "auto", MAR_2),
        ("2023-03-02", "auto", MAR_2),
        ("2 มี.ค. 66", "auto", MAR_2),
        ("1/1/2400", "auto", D(1857, 1, 1)),
        ("31/12/2157", "auto", D(2157, 12, 31)),
    ],
)
def test_parse_thai_date_valid(text: str, era: str, expected: dt.date) -> None:
    assert parse_thai_date(text, era=era) == expected  # type: ignore[arg-type]


def test_parse_thai_date_default_era_is_be() -> None:
    assert parse_thai_date("02/03/2566") == MAR_2


@pytest.mark.parametrize(
    ("text", "era", "code", "message"),
    [
        ("31 ก.พ. 2566", "be", "be-date-day", "day 31 is out of range for February 2566 (2023)"),
        ("29 ก.พ. 2566", "be", "be-date-day", "day 29 is out of range for February 2566 (2023)"),
        ("29/02/2566", "be", "be-date-day", "which has 28 days"),
        ("30 ก.พ. 2567", "be", "be-date-day", "February 2567 (2024), which has 29 days"),
        ("31 เม.ย. 2566", "be", "be-date-day", "day 31 is out of range for April"),
        ("32/01/2566", "be", "be-date-day", "day 32 is out of range for January 2566 (2023)"),
        ("0/1/2566", "be", "be-date-day", "day 0 is out of range"),
        ("00 ม.ค. 2566", "be", "be-date-day", "day 0 is out of range"),
        ("31/02/2023", "ce", "be-date-day", "February 2023 (BE 2566)"),
        ("2/13/2566", "be", "be-date-month", "month 13 is out of range (1–12)"),
        ("2/0/2566", "be", "be-date-month", "month 0 is out of range"),
        ("2 มีนาคา 2566", "be", "be-date-month", "unknown Thai month name 'มีนาคา'"),
        ("2 มีนาคา 2566", "be", "be-date-month", "did you mean 'มีนาคม'?"),
        ("2 กุมภาพัน 2566", "be", "be-date-month", "did you mean 'กุมภาพันธ์'?"),
        ("2 ฟฟฟฟ 2566", "be", "be-date-month", "unknown Thai month name 'ฟฟฟฟ'"),
        ("", "be", "be-date-empty", "the text is empty"),
        ("   ", "be", "be-date-empty", "the text is empty"),
        ("วันที่", "be", "be-date-empty", "the text is empty"),
        ("abc", "be", "be-date-format", "'abc' is not a valid Thai date"),
        ("2 March 2566", "be", "be-date-format", "expected a date such as"),
        ("2566", "be", "be-date-format", "expected a date such as"),
        ("2/3", "be", "be-date-format", "expected a date such as"),
        ("2/3-2566", "be", "be-date-format", "expected a date such as"),
        ("2 มี.ค. 2566 ครับ", "be", "be-date-format", "expected a date such as"),
        ("2/3/256", "be", "be-date-year", "the year '256' must have 2 or 4 digits"),
        ("2/3/25666", "be", "be-date-year", "must have 2 or 4 digits"),
        ("2 มี.ค. 6", "be", "be-date-year", "must have 2 or 4 digits"),
        ("2/3/2399", "be", "be-date-year", "BE year 2399 is outside the supported range 2400–2700"),
        ("2/3/2701", "be", "be-date-year", "BE year 2701 is outside"),
        ("2/3/1000", "be", "be-date-year", "BE year 1000 is outside"),
        ("2/3/3000", "auto", "be-date-year", "BE year 3000 is outside"),
        ("2/3/1856", "ce", "be-date-year", "CE year 1856 is outside the supported range 1857–2157"),
        ("2/3/2200", "ce", "be-date-year", "CE year 2200 is outside"),
        ("2/3/1800", "auto", "be-date-year", "CE year 1800 is outside"),
        ("2/3/2200", "auto", "be-date-year", "CE year 2200 is outside"),
        ("02/03/2023", "be", "be-date-era", "2023 looks like a Christian-era (CE) year"),
        ("02/03/2023", "be", "be-date-era", "CE 2023 is BE 2566"),
        ("2023-03-02", "be", "be-date-era", "looks like a Christian-era (CE) year"),
        ("2 มี.ค. 2023", "be", "be-date-era", "looks like a Christian-era (CE) year"),
        ("2 มีนาคม พ.ศ. 2023", "ce", "be-date-era", "looks like a Christian-era (CE) year"),
        ("2566-03-02", "ce", "be-date-era", "2566 looks like a Buddhist-era (BE) year"),
        ("02/03/2566", "ce", "be-date-era", "BE 2566 is CE 2023"),
        ("2 มีนาคม ค.ศ. 2566", "be", "be-date-era", "looks like a Buddhist-era (BE) year"),
    ],
)
def test_parse_thai_date_invalid(text: str, era: str, code: str, message: str) -> None:
    with pytest.raises(ThaiDateError) as caught:
        parse_thai_date(text, era=era)  # type: ignore[arg-type]
    err = caught.value
    assert err.code == code
    assert message in str(err)
    assert message in err.message_en
    assert repr(text) in str(err)  # the message names the offending value
    assert err.value == text
    assert err.message_th and err.message_th != err.message_en
    assert isinstance(err, ThaiValueError)
    assert isinstance(err, ValueError)


@pytest.mark.parametrize(
    ("text", "thai"),
    [
        ("31 ก.พ. 2566", "เดือนกุมภาพันธ์ พ.ศ. 2566 ไม่มีวันที่ 31"),
        ("02/03/2023", "ดูเหมือนเป็นปี ค.ศ."),
        ("2 มีนาคา 2566", "ไม่รู้จักชื่อเดือน 'มีนาคา'"),
        ("", "ไม่ได้ระบุวันที่"),
        ("abc", "รูปแบบวันที่ไม่ถูกต้อง"),
    ],
)
def test_parse_thai_date_thai_messages(text: str, thai: str) -> None:
    with pytest.raises(ThaiDateError) as caught:
        parse_thai_date(text)
    assert thai in caught.value.message_th


@pytest.mark.parametrize("value", [None, 20230302, MAR_2, b"2/3/2566"])
def test_parse_thai_date_rejects_non_text(value: object) -> None:
    with pytest.raises(ThaiDateError) as caught:
        parse_thai_date(value)  # type: ignore[arg-type]
    assert caught.value.code == "be-date-format"
    assert "expected text" in str(caught.value)


def test_parse_thai_date_rejects_unknown_era() -> None:
    with pytest.raises(ValueError, match="era must be"):
        parse_thai_date("2/3/2566", era="ad")  # type: ignore[arg-type]


@pytest.mark.parametrize("text", ["2/10/2566", "2/11/2566", "2 10 2566"])
def test_pythainlp_thai_strptime_is_not_used_because_it_misreads_months(text: str) -> None:
    """PyThaiNLP 5.4's thai_strptime matches month numbers by substring: "10" is January."""
    fmt = "%d %B %Y" if " " in text else "%d/%B/%Y"
    try:
        parsed = thai_strptime(text, fmt).date()
    except KeyError:  # and it cannot parse "/"-separated dates at all
        parsed = None
    assert parsed != parse_thai_date(text.replace(" ", "/"))


# --- format_thai_date and round trips ------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "style", "thai_digits", "expected"),
    [
        (MAR_2, "short", False, "2 มี.ค. 2566"),
        (MAR_2, "long", False, "2 มีนาคม พ.ศ. 2566"),
        (MAR_2, "numeric", False, "02/03/2566"),
        (MAR_2, "iso-be", False, "2566-03-02"),
        (MAR_2, "short", True, "๒ มี.ค. ๒๕๖๖"),
        (MAR_2, "long", True, "๒ มีนาคม พ.ศ. ๒๕๖๖"),
        (MAR_2, "numeric", True, "๐๒/๐๓/๒๕๖๖"),
        (MAR_2, "iso-be", True, "๒๕๖๖-๐๓-๐๒"),
        (D(2024, 12, 31), "short", False, "31 ธ.ค. 2567"),
        (D(2024, 12, 31), "long", False, "31 ธันวาคม พ.ศ. 2567"),
        (D(2000, 1, 1), "short", False, "1 ม.ค. 2543"),
        (D(1, 1, 1), "iso-be", False, "0544-01-01"),
        (dt.datetime(2023, 3, 2, 23, 59), "short", False, "2 มี.ค. 2566"),  # naive: as is
        # aware datetimes are converted to Bangkok time (UTC+7) first
        (dt.datetime(2023, 3, 1, 17, 0, tzinfo=UTC), "short", False, "2 มี.ค. 2566"),
        (dt.datetime(2023, 3, 1, 16, 59, tzinfo=UTC), "short", False, "1 มี.ค. 2566"),
        (dt.datetime(2023, 12, 31, 18, 0, tzinfo=UTC), "iso-be", False, "2567-01-01"),
    ],
)
def test_format_thai_date(value: dt.date, style: str, thai_digits: bool, expected: str) -> None:
    assert format_thai_date(value, style=style, thai_digits=thai_digits) == expected  # type: ignore[arg-type]


def test_format_thai_date_default_style_is_short() -> None:
    assert format_thai_date(MAR_2) == "2 มี.ค. 2566"


def test_format_thai_date_rejects_unknown_style() -> None:
    with pytest.raises(ValueError, match="style must be"):
        format_thai_date(MAR_2, style="medium")  # type: ignore[arg-type]


def test_format_thai_date_rejects_non_dates() -> None:
    with pytest.raises(TypeError):
        format_thai_date("2023-03-02")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("fmt", "style"),
    [("%-d %b %Y", "short"), ("%d/%m/%Y", "numeric"), ("%Y-%m-%d", "iso-be")],
)
@pytest.mark.parametrize("value", [D(2023, 3, 2), D(2024, 2, 29), D(1999, 12, 31), D(2030, 10, 1)])
def test_format_thai_date_agrees_with_pythainlp_strftime(
    value: dt.date, fmt: str, style: str
) -> None:
    moment = dt.datetime.combine(value, dt.time())
    assert format_thai_date(value, style=style) == thai_strftime(moment, fmt)  # type: ignore[arg-type]


ROUND_TRIP_DATES = [
    D(2023, 3, 2),
    D(2024, 2, 29),
    D(2023, 1, 1),
    D(2023, 12, 31),
    D(2022, 10, 1),
    D(2023, 9, 30),
    D(1857, 1, 1),
    D(2157, 12, 31),
    D(1941, 4, 1),
    *(D(2020, month, 28) for month in range(1, 13)),
]


@pytest.mark.parametrize("thai_digits", [False, True])
@pytest.mark.parametrize("style", ["short", "long", "numeric", "iso-be"])
@pytest.mark.parametrize("value", ROUND_TRIP_DATES)
def test_round_trip(value: dt.date, style: str, thai_digits: bool) -> None:
    text = format_thai_date(value, style=style, thai_digits=thai_digits)  # type: ignore[arg-type]
    assert parse_thai_date(text) == value
    assert parse_thai_date(text, era="auto") == value


@pytest.mark.parametrize("value", ROUND_TRIP_DATES)
def test_round_trip_english_numeric(value: dt.date) -> None:
    assert parse_thai_date(format_date_en(value, style="numeric"), era="ce") == value


@pytest.mark.parametrize(
    ("value", "thai_digits", "expected"),
    [
        (dt.datetime(2023, 3, 2, 14, 5), False, "2 มี.ค. 2566 14:05 น."),
        (dt.datetime(2023, 3, 2, 14, 5), True, "๒ มี.ค. ๒๕๖๖ ๑๔:๐๕ น."),
        (dt.datetime(2023, 3, 2, 0, 0), False, "2 มี.ค. 2566 00:00 น."),
        (dt.datetime(2023, 3, 2, 7, 5, tzinfo=UTC), False, "2 มี.ค. 2566 14:05 น."),
        (dt.datetime(2023, 3, 1, 20, 30, tzinfo=UTC), False, "2 มี.ค. 2566 03:30 น."),
        (dt.datetime(2023, 3, 2, 14, 5, tzinfo=BANGKOK), False, "2 มี.ค. 2566 14:05 น."),
        (
            dt.datetime(2023, 3, 2, 9, 5, tzinfo=ZoneInfo("Europe/London")),
            False,
            "2 มี.ค. 2566 16:05 น.",
        ),
        (
            dt.datetime(2023, 3, 2, 9, 5, tzinfo=dt.timezone(dt.timedelta(hours=-5))),
            False,
            "2 มี.ค. 2566 21:05 น.",
        ),
    ],
)
def test_format_thai_datetime(value: dt.datetime, thai_digits: bool, expected: str) -> None:
    assert format_thai_datetime(value, thai_digits=thai_digits) == expected


def test_format_thai_datetime_rejects_dates() -> None:
    with pytest.raises(TypeError, match="expected a datetime"):
        format_thai_datetime(MAR_2)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "style", "expected"),
    [
        (MAR_2, "short", "2 Mar 2023"),
        (MAR_2, "long", "2 March 2023"),
        (MAR_2, "numeric", "02/03/2023"),
        (MAR_2, "iso-be", "2566-03-02"),
        (D(2024, 9, 30), "short", "30 Sep 2024"),
        (dt.datetime(2023, 3, 1, 17, 0, tzinfo=UTC), "short", "2 Mar 2023"),
    ],
)
def test_format_date_en(value: dt.date, style: str, expected: str) -> None:
    assert format_date_en(value, style=style) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (dt.datetime(2023, 3, 2, 14, 5), "2 Mar 2023 14:05"),
        (dt.datetime(2023, 3, 2, 7, 5, tzinfo=UTC), "2 Mar 2023 14:05"),
    ],
)
def test_format_datetime_en(value: dt.datetime, expected: str) -> None:
    assert format_datetime_en(value) == expected


# --- fiscal year ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "start_month", "expected"),
    [
        (D(2022, 9, 30), 10, 2565),
        (D(2022, 10, 1), 10, 2566),
        (D(2022, 12, 31), 10, 2566),
        (D(2023, 1, 1), 10, 2566),
        (D(2023, 9, 30), 10, 2566),
        (D(2023, 10, 1), 10, 2567),
        (D(2024, 2, 29), 10, 2567),
        (dt.datetime(2023, 9, 30, 23, 59), 10, 2566),
        (dt.datetime(2023, 9, 30, 16, 59, tzinfo=UTC), 10, 2566),  # 23:59 in Bangkok
        (dt.datetime(2023, 9, 30, 17, 0, tzinfo=UTC), 10, 2567),  # 00:00 on 1 Oct in Bangkok
        (D(2023, 1, 1), 1, 2566),  # calendar year
        (D(2023, 12, 31), 1, 2566),
        (D(2023, 3, 31), 4, 2566),  # an April–March year
        (D(2023, 4, 1), 4, 2567),
    ],
)
def test_fiscal_year(value: dt.date, start_month: int, expected: int) -> None:
    assert fiscal_year(value, start_month=start_month) == expected


@pytest.mark.parametrize(
    ("fy", "start_month", "expected"),
    [
        (2566, 10, (D(2022, 10, 1), D(2023, 9, 30))),
        (2567, 10, (D(2023, 10, 1), D(2024, 9, 30))),
        (2543, 10, (D(1999, 10, 1), D(2000, 9, 30))),
        (2566, 1, (D(2023, 1, 1), D(2023, 12, 31))),
        (2566, 4, (D(2022, 4, 1), D(2023, 3, 31))),
        (2567, 3, (D(2023, 3, 1), D(2024, 2, 29))),
        (2566, 12, (D(2022, 12, 1), D(2023, 11, 30))),
    ],
)
def test_fiscal_year_range(fy: int, start_month: int, expected: tuple[dt.date, dt.date]) -> None:
    assert fiscal_year_range(fy, start_month=start_month) == expected


@pytest.mark.parametrize("start_month", [1, 4, 10, 12])
@pytest.mark.parametrize("fy", [2500, 2566, 2567, 2600])
def test_fiscal_year_and_range_agree(fy: int, start_month: int) -> None:
    first, last = fiscal_year_range(fy, start_month=start_month)
    assert fiscal_year(first, start_month=start_month) == fy
    assert fiscal_year(last, start_month=start_month) == fy
    assert fiscal_year(first - dt.timedelta(days=1), start_month=start_month) == fy - 1
    assert fiscal_year(last + dt.timedelta(days=1), start_month=start_month) == fy + 1
    assert 365 <= (last - first).days + 1 <= 366


@pytest.mark.parametrize(
    ("fy", "code", "message"),
    [
        (2023, "be-date-era", "looks like a CE year; pass the BE year (FY 2566)"),
        (3000, "be-date-year", "outside the supported range 2400–2700"),
        (100, "be-date-year", "outside the supported range"),
    ],
)
def test_fiscal_year_range_invalid(fy: int, code: str, message: str) -> None:
    with pytest.raises(ThaiDateError) as caught:
        fiscal_year_range(fy)
    assert caught.value.code == code
    assert message in str(caught.value)


@pytest.mark.parametrize("start_month", [0, 13, -1])
def test_fiscal_year_start_month_must_be_a_month(start_month: int) -> None:
    with pytest.raises(ValueError, match="start_month"):
        fiscal_year(MAR_2, start_month=start_month)
    with pytest.raises(ValueError, match="start_month"):
        fiscal_year_range(2566, start_month=start_month)


# --- baht ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (0, "ศูนย์บาทถ้วน"),
        (1, "หนึ่งบาทถ้วน"),
        (2, "สองบาทถ้วน"),
        (10, "สิบบาทถ้วน"),
        (11, "สิบเอ็ดบาทถ้วน"),
        (12, "สิบสองบาทถ้วน"),
        (20, "ยี่สิบบาทถ้วน"),
        (21, "ยี่สิบเอ็ดบาทถ้วน"),
        (99, "เก้าสิบเก้าบาทถ้วน"),
        (100, "หนึ่งร้อยบาทถ้วน"),
        (101, "หนึ่งร้อยเอ็ดบาทถ้วน"),
        (110, "หนึ่งร้อยสิบบาทถ้วน"),
        (111, "หนึ่งร้อยสิบเอ็ดบาทถ้วน"),
        (121, "หนึ่งร้อยยี่สิบเอ็ดบาทถ้วน"),
        (1_001, "หนึ่งพันเอ็ดบาทถ้วน"),
        (10_000, "หนึ่งหมื่นบาทถ้วน"),
        (100_000, "หนึ่งแสนบาทถ้วน"),
        (111_111, "หนึ่งแสนหนึ่งหมื่นหนึ่งพันหนึ่งร้อยสิบเอ็ดบาทถ้วน"),
        (1_000_000, "หนึ่งล้านบาทถ้วน"),
        (1_000_001, "หนึ่งล้านเอ็ดบาทถ้วน"),
        (1_000_010, "หนึ่งล้านสิบบาทถ้วน"),
        (1_000_011, "หนึ่งล้านสิบเอ็ดบาทถ้วน"),
        (2_000_021, "สองล้านยี่สิบเอ็ดบาทถ้วน"),
        (10_000_000, "สิบล้านบาทถ้วน"),
        (11_000_000, "สิบเอ็ดล้านบาทถ้วน"),
        (21_000_000, "ยี่สิบเอ็ดล้านบาทถ้วน"),
        (101_000_000, "หนึ่งร้อยเอ็ดล้านบาทถ้วน"),
        (1_000_000_000_000, "หนึ่งล้านล้านบาทถ้วน"),
        (1_000_001_000_000, "หนึ่งล้านเอ็ดล้านบาทถ้วน"),
        (2_000_001_000_001, "สองล้านเอ็ดล้านเอ็ดบาทถ้วน"),
        (3_500_000_000_000, "สามล้านห้าแสนล้านบาทถ้วน"),
        (10**18, "หนึ่งล้านล้านล้านบาทถ้วน"),
        (Decimal("1234.50"), "หนึ่งพันสองร้อยสามสิบสี่บาทห้าสิบสตางค์"),
        ("1,234.50", "หนึ่งพันสองร้อยสามสิบสี่บาทห้าสิบสตางค์"),
        ("1234.5", "หนึ่งพันสองร้อยสามสิบสี่บาทห้าสิบสตางค์"),
        ("๑,๒๓๔.๕๐", "หนึ่งพันสองร้อยสามสิบสี่บาทห้าสิบสตางค์"),
        (" 1,234.50 ", "หนึ่งพันสองร้อยสามสิบสี่บาทห้าสิบสตางค์"),
        (1234.5, "หนึ่งพันสองร้อยสามสิบสี่บาทห้าสิบสตางค์"),
        (Decimal("0.25"), "ยี่สิบห้าสตางค์"),
        ("0.25", "ยี่สิบห้าสตางค์"),
        (".25", "ยี่สิบห้าสตางค์"),
        (0.25, "ยี่สิบห้าสตางค์"),
        ("0.01", "หนึ่งสตางค์"),
        ("0.11", "สิบเอ็ดสตางค์"),
        ("0.21", "ยี่สิบเอ็ดสตางค์"),
        ("0.10", "สิบสตางค์"),
        ("1.01", "หนึ่งบาทหนึ่งสตางค์"),
        ("21.21", "ยี่สิบเอ็ดบาทยี่สิบเอ็ดสตางค์"),
        ("100.00", "หนึ่งร้อยบาทถ้วน"),
        ("5.", "ห้าบาทถ้วน"),
        ("+5", "ห้าบาทถ้วน"),
        (Decimal("-0"), "ศูนย์บาทถ้วน"),
        (Decimal("1E+3"), "หนึ่งพันบาทถ้วน"),
        # rounding: half-up to the satang
        ("0.005", "หนึ่งสตางค์"),
        ("0.004", "ศูนย์บาทถ้วน"),
        ("0.0049999", "ศูนย์บาทถ้วน"),
        ("1.005", "หนึ่งบาทหนึ่งสตางค์"),
        (1.005, "หนึ่งบาทหนึ่งสตางค์"),
        (2.675, "สองบาทหกสิบแปดสตางค์"),
        ("0.125", "สิบสามสตางค์"),
        ("0.995", "หนึ่งบาทถ้วน"),
        ("99.995", "หนึ่งร้อยบาทถ้วน"),
        ("999999.999", "หนึ่งล้านบาทถ้วน"),
    ],
)
def test_baht_text(amount: object, expected: str) -> None:
    assert baht_text(amount) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "amount",
    [
        1,
        2,
        11,
        21,
        99,
        101,
        999,
        1_001,
        12_345,
        99_999,
        100_001,
        999_999,
        1_000_000,
        1_000_001,
        1_234_567,
        21_000_021,
        987_654_321,
        10**12,
        123_456_789_012,
    ],
)
def test_baht_text_agrees_with_pythainlp_for_whole_baht(amount: int) -> None:
    assert baht_text(amount) == bahttext(amount)


@pytest.mark.parametrize(
    ("amount", "pythainlp_says", "correct"),
    [
        (0.25, "ศูนย์บาทยี่สิบห้าสตางค์", "ยี่สิบห้าสตางค์"),  # a "zero baht" prefix
        (1.005, "หนึ่งบาทถ้วน", "หนึ่งบาทหนึ่งสตางค์"),  # binary float rounding
        (2.675, "สองบาทหกสิบเจ็ดสตางค์", "สองบาทหกสิบแปดสตางค์"),
        (-5, "ลบห้าบาทถ้วน", None),  # negative amounts are read, we reject them
        (1_000_001_000_000, "หนึ่งล้านหนึ่งล้านบาทถ้วน", "หนึ่งล้านเอ็ดล้านบาทถ้วน"),
    ],
)
def test_pythainlp_bahttext_known_problems(
    amount: float, pythainlp_says: str, correct: str | None
) -> None:
    """Why baht_text wraps pythainlp.util.bahttext (pinned 5.4.0) instead of calling it."""
    assert bahttext(amount) == pythainlp_says
    if correct is None:
        with pytest.raises(BahtError):
            baht_text(amount)
    else:
        assert baht_text(amount) == correct


@pytest.mark.parametrize(
    ("amount", "pythainlp_error", "ours"),
    [
        (Decimal("1.5"), TypeError, "หนึ่งบาทห้าสิบสตางค์"),  # Decimal is rejected
        (float("nan"), ValueError, None),  # "not enough values to unpack"
        (float("inf"), ValueError, None),
    ],
)
def test_pythainlp_bahttext_fails_unclearly(
    amount: object, pythainlp_error: type[Exception], ours: str | None
) -> None:
    with pytest.raises(pythainlp_error):
        bahttext(amount)  # type: ignore[arg-type]
    if ours is None:
        with pytest.raises(BahtError, match="NaN or infinite"):
            baht_text(amount)  # type: ignore[arg-type]
    else:
        assert baht_text(amount) == ours  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("amount", "code", "message"),
    [
        (-1, "baht-negative", "-1 is not a valid amount of baht: the amount is negative"),
        (Decimal("-0.01"), "baht-negative", "the amount is negative"),
        ("-5", "baht-negative", "'-5' is not a valid amount of baht"),
        (-0.5, "baht-negative", "the amount is negative"),
        (float("nan"), "baht-not-finite", "NaN or infinite"),
        (float("inf"), "baht-not-finite", "NaN or infinite"),
        (float("-inf"), "baht-not-finite", "NaN or infinite"),
        (Decimal("NaN"), "baht-not-finite", "NaN or infinite"),
        (Decimal("sNaN"), "baht-not-finite", "NaN or infinite"),
        (Decimal("Infinity"), "baht-not-finite", "NaN or infinite"),
        ("abc", "baht-format", "'abc' is not a valid amount of baht"),
        ("", "baht-format", "expected a number such as '1234.50'"),
        (".", "baht-format", "expected a number"),
        ("nan", "baht-format", "expected a number"),
        ("inf", "baht-format", "expected a number"),
        ("1e3", "baht-format", "expected a number"),
        ("1,23", "baht-format", "expected a number"),
        ("1,2345", "baht-format", "expected a number"),
        ("1.2.3", "baht-format", "expected a number"),
        ("12 บาท", "baht-format", "expected a number"),
        ("--5", "baht-format", "expected a number"),
        (None, "baht-format", "expected a number, not NoneType"),
        (True, "baht-format", "expected a number, not bool"),
        ([1], "baht-format", "expected a number, not list"),
        (10**24, "baht-too-large", "below 10^24 baht"),
        (Decimal("1e999999"), "baht-too-large", "below 10^24 baht"),
    ],
)
def test_baht_text_invalid(amount: object, code: str, message: str) -> None:
    with pytest.raises(BahtError) as caught:
        baht_text(amount)  # type: ignore[arg-type]
    assert caught.value.code == code
    assert message in str(caught.value)
    assert caught.value.value is amount
    assert caught.value.message_th


@pytest.mark.parametrize(
    ("amount", "thai_digits", "expected"),
    [
        (0, False, "0.00"),
        (1234.5, False, "1,234.50"),
        ("1,234.50", False, "1,234.50"),
        (Decimal("1234.5"), False, "1,234.50"),
        ("๑๒๓๔.๕", False, "1,234.50"),
        (1234.5, True, "๑,๒๓๔.๕๐"),
        (1_000_000, False, "1,000,000.00"),
        ("0.005", False, "0.01"),
        (1.005, False, "1.01"),
        ("999.995", False, "1,000.00"),
        (-1234.5, False, "-1,234.50"),
        ("-0.001", False, "0.00"),
        (Decimal("-0.005"), False, "-0.01"),
    ],
)
def test_format_baht(amount: object, thai_digits: bool, expected: str) -> None:
    assert format_baht(amount, thai_digits=thai_digits) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("amount", "code"), [("abc", "baht-format"), (float("nan"), "baht-not-finite")]
)
def test_format_baht_invalid(amount: object, code: str) -> None:
    with pytest.raises(BahtError) as caught:
        format_baht(amount)  # type: ignore[arg-type]
    assert caught.value.code == code


# --- Thai personal ID ----------------------------------------------------------------------------


def test_stdnum_check_digit_matches_the_published_algorithm() -> None:
    rng = random.Random(2566)
    for _ in range(2000):
        first12 = "".join(rng.choice("0123456789") for _ in range(12))
        assert pin.calc_check_digit(first12) == with_check_digit(first12)[12]


@pytest.mark.parametrize("number", VALID_PINS)
def test_validate_thai_id_valid(number: str) -> None:
    assert validate_thai_id(number) == number
    assert is_valid_thai_id(number)
    assert format_thai_id(number) == group_pin(number)
    assert validate_thai_id(group_pin(number)) == number


@pytest.mark.parametrize(
    "text",
    [
        VALID_PIN,
        group_pin(VALID_PIN),  # 1-1017-00207-51-0
        "1 1017 00207 51 0",
        " 1-1017-00207-51-0 ",
        "1–1017–00207–51–0",  # en dashes
        "1\u00a01017\u00a000207\u00a051\u00a00",
        "1-1017-00207-51-0\n",
        to_thai_digits(VALID_PIN),
        to_thai_digits(group_pin(VALID_PIN)),
        "๑-1017-00207-51-๐",
    ],
)
def test_validate_thai_id_accepts_common_spellings(text: str) -> None:
    assert validate_thai_id(text) == VALID_PIN
    assert format_thai_id(text) == "1-1017-00207-51-0"
    assert mask_thai_id(text) == "1-1017-xxxxx-xx-0"


@pytest.mark.parametrize(
    ("text", "code", "message"),
    [
        ("", "thai-id-length", "it is empty"),
        ("   ", "thai-id-length", "it is empty"),
        ("110170020751", "thai-id-length", "it has 12 digits; 13 are needed"),
        ("11017002075100", "thai-id-length", "it has 14 digits; 13 are needed"),
        ("1-1017-00207-51", "thai-id-length", "it has 12 digits"),
        ("1101700207A10", "thai-id-format", "characters other than digits: 'A'"),
        ("1101700207510x", "thai-id-format", "characters other than digits: 'x'"),
        ("1/1017/00207/51/0", "thai-id-format", "characters other than digits: '/'"),
        ("11017002075¹0", "thai-id-format", "'¹'"),  # str.isdigit() would accept this
        ("١١٠١٧٠٠٢٠٧٥١٠", "thai-id-format", "characters other than digits"),  # Arabic-Indic
        ("abc", "thai-id-format", "characters other than digits"),
        (wrong_check_digit(VALID_PIN), "thai-id-checksum", "is 1 but should be 0"),
        (
            with_check_digit("310060044563")[:12] + "0",
            "thai-id-checksum",
            f"should be {with_check_digit('310060044563')[12]}",
        ),
        (with_check_digit("010170020751"), "thai-id-first-digit", "the first digit is 0"),
        (with_check_digit("910170020751"), "thai-id-first-digit", "the first digit is 9"),
        (with_check_digit("910170020751"), "thai-id-first-digit", "start with 1–8"),
        ("0105536112014", "thai-id-first-digit", "a valid juristic person registration number"),
    ],
)
def test_validate_thai_id_invalid(text: str, code: str, message: str) -> None:
    with pytest.raises(ThaiIdError) as caught:
        validate_thai_id(text)
    err = caught.value
    assert err.code == code
    assert message in str(err)
    assert "Thai personal ID number" in str(err)
    assert err.value == text
    assert err.message_th.count("เลขประจำตัวประชาชน") >= 1
    assert not is_valid_thai_id(text)


@pytest.mark.parametrize("number", [wrong_check_digit(n) for n in VALID_PINS[:6]])
def test_thai_id_errors_do_not_leak_the_number(number: str) -> None:
    with pytest.raises(ThaiIdError) as caught:
        validate_thai_id(number)
    assert caught.value.code == "thai-id-checksum"
    assert number not in str(caught.value)
    assert number[5:12] not in caught.value.message_th
    assert group_pin(number)[:6] + "-xxxxx-xx-" + number[12] in str(caught.value)


@pytest.mark.parametrize("value", [None, 1101700207510, b"1101700207510", ["1101700207510"]])
def test_validate_thai_id_non_text(value: object) -> None:
    with pytest.raises(ThaiIdError) as caught:
        validate_thai_id(value)  # type: ignore[arg-type]
    assert caught.value.code == "thai-id-format"
    assert not is_valid_thai_id(value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (VALID_PIN, "1-1017-xxxxx-xx-0"),
        (group_pin(VALID_PIN), "1-1017-xxxxx-xx-0"),
        ("3100600445635", "3-1006-xxxxx-xx-5"),
        ("1101700207519", "1-1017-xxxxx-xx-9"),  # wrong check digit: still masked
        ("9999999999999", "9-9999-xxxxx-xx-9"),
        (to_thai_digits("3100600445635"), "3-1006-xxxxx-xx-5"),
    ],
)
def test_mask_thai_id(text: str, expected: str) -> None:
    assert mask_thai_id(text) == expected


@pytest.mark.parametrize(
    ("text", "code"),
    [("12345", "thai-id-length"), ("", "thai-id-length"), ("abc", "thai-id-format")],
)
def test_mask_thai_id_invalid(text: str, code: str) -> None:
    with pytest.raises(ThaiIdError) as caught:
        mask_thai_id(text)
    assert caught.value.code == code


def test_format_thai_id_validates() -> None:
    with pytest.raises(ThaiIdError) as caught:
        format_thai_id(wrong_check_digit(VALID_PIN))
    assert caught.value.code == "thai-id-checksum"


# --- juristic person numbers ---------------------------------------------------------------------


@pytest.mark.parametrize("number", VALID_MOAS)
def test_validate_juristic_id_valid(number: str) -> None:
    assert validate_juristic_id(number) == number
    assert is_valid_juristic_id(number)
    formatted = format_juristic_id(number)
    assert formatted.replace("-", "") == number
    assert [len(part) for part in formatted.split("-")] == [1, 2, 1, 3, 5, 1]
    assert validate_juristic_id(formatted) == number
    assert validate_juristic_id(to_thai_digits(formatted)) == number


@pytest.mark.parametrize(
    ("text", "code", "message"),
    [
        ("0105536112015", "juristic-id-checksum", "is 5 but should be 4"),
        ("0-10-5-536-11201-0", "juristic-id-checksum", "should be 4"),
        (VALID_PIN, "juristic-id-first-digit", "juristic person numbers start with 0"),
        (VALID_PIN, "juristic-id-first-digit", "it looks like a personal ID number"),
        (with_check_digit("510555500001"), "juristic-id-first-digit", "the first digit is 5"),
        ("010553611201", "juristic-id-length", "it has 12 digits"),
        ("", "juristic-id-length", "it is empty"),
        ("0105536112O14", "juristic-id-format", "'O'"),
    ],
)
def test_validate_juristic_id_invalid(text: str, code: str, message: str) -> None:
    with pytest.raises(ThaiIdError) as caught:
        validate_juristic_id(text)
    err = caught.value
    assert err.code == code
    assert message in str(err)
    assert "juristic person registration number" in str(err)
    assert "เลขทะเบียนนิติบุคคล" in err.message_th
    assert not is_valid_juristic_id(text)


def test_juristic_id_errors_show_the_public_number() -> None:
    with pytest.raises(ThaiIdError) as caught:
        validate_juristic_id("0105536112015")
    assert "'0105536112015'" in str(caught.value)


# --- the error type ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "error",
    [
        ThaiValueError("x", "code", "English", "ไทย"),
        ThaiDateError("31 ก.พ. 2566", "be-date-day", "day 31 ...", "ไม่มีวันที่ 31"),
        ThaiIdError("123", "thai-id-length", "too short", "สั้นไป"),
        BahtError(-1, "baht-negative", "negative", "ติดลบ"),
    ],
)
def test_errors_keep_their_fields_and_pickle(error: ThaiValueError) -> None:
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is type(error)
    assert (copy.value, copy.code, copy.message_en, copy.message_th) == (
        error.value,
        error.code,
        error.message_en,
        error.message_th,
    )
    assert str(copy) == error.message_en
    assert isinstance(copy, ValueError)


def test_error_subclasses() -> None:
    for cls in (ThaiDateError, ThaiIdError, BahtError):
        assert issubclass(cls, ThaiValueError)
        assert issubclass(cls, ValueError)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("", None),
        ("   ", None),
        (dt.date(2025, 8, 15), dt.date(2025, 8, 15)),
        ("15/08/2568", dt.date(2025, 8, 15)),
        (" 15 ส.ค. 2568 ", dt.date(2025, 8, 15)),
    ],
)
def test_parse_thai_date_or_none(value: object, expected: dt.date | None) -> None:
    assert parse_thai_date_or_none(value) == expected


def test_parse_thai_date_or_none_keeps_the_parser_errors() -> None:
    with pytest.raises(ThaiValueError):
        parse_thai_date_or_none("31 ก.พ. 2566")
