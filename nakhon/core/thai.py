"""Thai calendar, number and identifier helpers (pure Python: no Django imports).

What is here:

* Buddhist-era (BE, พ.ศ.) years: :data:`BE_OFFSET`, :func:`be_to_ce_year`,
  :func:`ce_to_be_year`, the month names :data:`THAI_MONTHS` / :data:`THAI_MONTHS_ABBR`.
* Thai digits (๐–๙): :func:`to_thai_digits`, :func:`from_thai_digits`.
* Dates: :func:`parse_thai_date` (the many ways Thai people write a date),
  :func:`format_thai_date`, :func:`format_thai_datetime` and the English counterparts
  :func:`format_date_en` / :func:`format_datetime_en` used by the template filters.
* The government fiscal year (ปีงบประมาณ, 1 October – 30 September, named by the BE year in
  which it ends): :func:`fiscal_year`, :func:`fiscal_year_range`.
* Money: :func:`baht_text` (the amount in words, as printed on Thai invoices and receipts) and
  :func:`format_baht`.
* Identifiers: the 13-digit personal ID (เลขประจำตัวประชาชน) and the 13-digit juristic-person
  registration number (เลขทะเบียนนิติบุคคล).

Every error is a :class:`ThaiValueError` (a :class:`ValueError`) with a stable ``code``, the
offending ``value`` and an English and a Thai message, so forms, the API and the CLI can show
the error in the user's language.

The BE year is always CE + 543 with the new year on 1 January. Before 1941 the Thai year began
on 1 April, so dates in January–March before BE 2484 are off by one year; the supported parsing
range (BE 2400–2700) includes such dates only for convenience.

Libraries: the month names, the digit conversion and the reading of numbers below one million
come from PyThaiNLP; the ID check digits come from python-stdnum. Where those functions are wrong
or unclear (see the notes in :func:`baht_text` and :func:`parse_thai_date`) they are wrapped.
"""

from __future__ import annotations

import calendar
import datetime as dt
import difflib
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext
from typing import Final, Literal

from pythainlp.util import arabic_digit_to_thai_digit, num_to_thaiword, thai_digit_to_arabic_digit
from pythainlp.util.date import thai_abbr_months, thai_full_months
from stdnum import exceptions as stdnum_exceptions
from stdnum.th import moa, pin

__all__ = [
    "BE_OFFSET",
    "MAX_BAHT",
    "MAX_BE_YEAR",
    "MAX_CE_YEAR",
    "MIN_BE_YEAR",
    "MIN_CE_YEAR",
    "THAI_MONTHS",
    "THAI_MONTHS_ABBR",
    "BahtError",
    "DateStyle",
    "Era",
    "ThaiDateError",
    "ThaiIdError",
    "ThaiValueError",
    "baht_text",
    "be_to_ce_year",
    "ce_to_be_year",
    "fiscal_year",
    "fiscal_year_range",
    "format_baht",
    "format_date_en",
    "format_datetime_en",
    "format_juristic_id",
    "format_thai_date",
    "format_thai_datetime",
    "format_thai_id",
    "from_thai_digits",
    "is_valid_juristic_id",
    "is_valid_thai_id",
    "mask_thai_id",
    "parse_thai_date",
    "parse_thai_date_or_none",
    "to_thai_digits",
    "validate_juristic_id",
    "validate_thai_id",
]

Era = Literal["be", "ce", "auto"]
DateStyle = Literal["short", "long", "numeric", "iso-be"]

BE_OFFSET: Final = 543
#: The range of years :func:`parse_thai_date` accepts (the same span in both eras).
MIN_BE_YEAR: Final = 2400
MAX_BE_YEAR: Final = 2700
MIN_CE_YEAR: Final = MIN_BE_YEAR - BE_OFFSET  # 1857
MAX_CE_YEAR: Final = MAX_BE_YEAR - BE_OFFSET  # 2157

#: Full Thai month names; index 1 is มกราคม (index 0 is "" so that ``THAI_MONTHS[d.month]`` works).
THAI_MONTHS: Final[tuple[str, ...]] = ("", *thai_full_months)
#: Abbreviated Thai month names ("ม.ค." … "ธ.ค."), index 1..12 like :data:`THAI_MONTHS`.
THAI_MONTHS_ABBR: Final[tuple[str, ...]] = ("", *thai_abbr_months)

EN_MONTHS: Final = (
    "",
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
EN_MONTHS_ABBR: Final = ("", *(name[:3] for name in EN_MONTHS[1:]))

try:  # Thailand has had no daylight saving time since 1920; the fixed offset is a safe fallback.
    from zoneinfo import ZoneInfo

    BANGKOK: dt.tzinfo = ZoneInfo("Asia/Bangkok")
except Exception:  # ZoneInfoNotFoundError, or no tz database at all (Windows without tzdata)
    BANGKOK = dt.timezone(dt.timedelta(hours=7), "Asia/Bangkok")


# --- errors --------------------------------------------------------------------------------------


def _show(value: object, limit: int = 60) -> str:
    """``repr`` of an offending value for a message, shortened if it is long."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


class ThaiValueError(ValueError):
    """A value that is not a valid Thai date, amount or identifier.

    ``value`` is the input as given, ``code`` a stable short code (e.g. ``"be-date-day"``,
    ``"thai-id-checksum"``) for programs, ``message_en`` / ``message_th`` messages for people
    that name the value and the reason. ``str(err)`` is the English message.
    """

    def __init__(self, value: object, code: str, message_en: str, message_th: str) -> None:
        super().__init__(message_en)
        self.value = value
        self.code = code
        self.message_en = message_en
        self.message_th = message_th

    def __str__(self) -> str:
        return self.message_en

    def __reduce__(self) -> tuple[type[ThaiValueError], tuple[object, str, str, str]]:
        # Keep the error picklable (multiprocessing, caches) despite the extra arguments.
        return (type(self), (self.value, self.code, self.message_en, self.message_th))


class ThaiDateError(ThaiValueError):
    """A text that is not a valid Thai date, or a year outside the supported range.

    Codes: ``be-date-empty``, ``be-date-format``, ``be-date-month``, ``be-date-day``,
    ``be-date-year`` (bad number of digits or out of range), ``be-date-era`` (a CE year where a
    BE year was expected, or the other way round).
    """


class ThaiIdError(ThaiValueError):
    """A value that is not a valid personal ID or juristic-person number.

    Codes: ``thai-id-format``, ``thai-id-length``, ``thai-id-first-digit``, ``thai-id-checksum``
    and the same with the prefix ``juristic-id-`` for :func:`validate_juristic_id`.
    """


class BahtError(ThaiValueError):
    """A value that is not a usable amount of baht.

    Codes: ``baht-format``, ``baht-negative``, ``baht-not-finite``, ``baht-too-large``.
    """


# --- years and digits ----------------------------------------------------------------------------


def be_to_ce_year(year: int) -> int:
    """Convert a Buddhist-era year (พ.ศ.) to the Christian era: ``be_to_ce_year(2566) == 2023``.

    Plain arithmetic (no range check), valid for dates from 1941 on (see the module notes).
    """
    return year - BE_OFFSET


def ce_to_be_year(year: int) -> int:
    """Convert a Christian-era year (ค.ศ.) to the Buddhist era: ``ce_to_be_year(2023) == 2566``."""
    return year + BE_OFFSET


def to_thai_digits(text: str) -> str:
    """Replace the digits 0–9 in ``text`` with the Thai digits ๐–๙; other characters are kept."""
    return arabic_digit_to_thai_digit(text)


def from_thai_digits(text: str) -> str:
    """Replace the Thai digits ๐–๙ in ``text`` with 0–9; other characters are kept."""
    return thai_digit_to_arabic_digit(text)


# --- dates: parsing ------------------------------------------------------------------------------

# Characters that Thai text often carries invisibly (word-break hints, byte-order marks).
_INVISIBLE_RE = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")
_PREFIX_RE = re.compile(r"^(?:ณ\s*)?วันที่\s*")
_ERA_MARKER = r"(?P<era>[พค]\.?\s?ศ\.?)"
# "2 มี.ค. 2566", "2มีนาคม2566", "2 มีนาคม พ.ศ. 2566", "2 ก.พ 66"; the month token is Thai
# letters and dots (digits were converted to 0–9 before matching).
_TEXT_DATE_RE = re.compile(
    r"(?P<day>\d+)\s*(?P<month>[\u0e01-\u0e4f.]+?)\s*(?:" + _ERA_MARKER + r"\s*)?(?P<year>\d+)"
)
# "02/03/2566", "2-3-66", "2.3.2566", "2566-03-02": the same separator twice.
_NUMERIC_DATE_RE = re.compile(r"(?P<a>\d+)\s*(?P<sep>[/.\-])\s*(?P<b>\d+)\s*(?P=sep)\s*(?P<c>\d+)")
_DATE_EXAMPLES_EN = "'2 มี.ค. 2566', '2 มีนาคม พ.ศ. 2566', '02/03/2566' or '2566-03-02'"
_DATE_EXAMPLES_TH = "'2 มี.ค. 2566', '2 มีนาคม พ.ศ. 2566', '02/03/2566' หรือ '2566-03-02'"

# Every spelling of a month, with the dots removed: full names, the short spoken forms
# ("มีนา"), the abbreviations ("มีค"), and common misspellings.
MONTH_EXTRA_SPELLINGS: Final[dict[int, tuple[str, ...]]] = {
    1: ("มกรา",),
    2: ("กุมภา", "กุมภาพันธ", "กุมภาพันธุ์", "กุมพาพันธ์"),
    3: ("มีนา",),
    4: ("เมษา",),
    5: ("พฤษภา", "พฤศภาคม"),
    6: ("มิถุนา",),
    7: ("กรกฎา", "กรกฏาคม", "กรกฏา"),
    8: ("สิงหา",),
    9: ("กันยา",),
    10: ("ตุลา",),
    11: ("พฤศจิกา", "พฤษจิกายน"),
    12: ("ธันวา",),
}


def _month_spellings() -> dict[str, int]:
    spellings: dict[str, int] = {}
    for month in range(1, 13):
        names = (THAI_MONTHS[month], THAI_MONTHS_ABBR[month], *MONTH_EXTRA_SPELLINGS[month])
        for name in names:
            spellings[name.replace(".", "")] = month
    return spellings


_MONTH_BY_SPELLING: Final = _month_spellings()


def _date_error(text: object, code: str, reason_en: str, reason_th: str) -> ThaiDateError:
    return ThaiDateError(
        text,
        code,
        f"{_show(text)} is not a valid Thai date: {reason_en}",
        f"{_show(text)} ไม่ใช่วันที่ที่ถูกต้อง: {reason_th}",
    )


def _lookup_month(text: str, token: str) -> int:
    key = token.replace(".", "")
    month = _MONTH_BY_SPELLING.get(key)
    if month is not None:
        return month
    close = difflib.get_close_matches(key, _MONTH_BY_SPELLING, n=1, cutoff=0.6)
    hint_en = hint_th = ""
    if close:
        suggestion = THAI_MONTHS[_MONTH_BY_SPELLING[close[0]]]
        hint_en = f" (did you mean {suggestion!r}?)"
        hint_th = f" (หมายถึง '{suggestion}' หรือไม่)"
    raise _date_error(
        text,
        "be-date-month",
        f"unknown Thai month name {token!r}{hint_en}",
        f"ไม่รู้จักชื่อเดือน '{token}'{hint_th}",
    )


def _resolve_year(text: str, raw: str, era: Era) -> tuple[int, bool]:
    """The CE year for the year text ``raw``, and whether it was written as a BE year."""
    if len(raw) not in (2, 4):
        raise _date_error(
            text,
            "be-date-year",
            f"the year {raw!r} must have 2 or 4 digits",
            f"ปี '{raw}' ต้องมี 2 หรือ 4 หลัก",
        )
    year = int(raw)
    if len(raw) == 2:  # "66" is BE 2566 (in Thai usage), unless the text is in the CE era.
        return (2000 + year, False) if era == "ce" else (2500 + year - BE_OFFSET, True)
    if era == "auto":
        era = "be" if year >= MIN_BE_YEAR else "ce"
    if era == "be":
        if MIN_CE_YEAR <= year <= MAX_CE_YEAR:
            raise _date_error(
                text,
                "be-date-era",
                f"the year {year} looks like a Christian-era (CE) year, but a Buddhist-era (BE) "
                f"year was expected (CE {year} is BE {ce_to_be_year(year)})",
                f"ปี {year} ดูเหมือนเป็นปี ค.ศ. แต่ต้องระบุเป็นปี พ.ศ. "
                f"(ค.ศ. {year} ตรงกับ พ.ศ. {ce_to_be_year(year)})",
            )
        if not MIN_BE_YEAR <= year <= MAX_BE_YEAR:
            raise _date_error(
                text,
                "be-date-year",
                f"the BE year {year} is outside the supported range {MIN_BE_YEAR}–{MAX_BE_YEAR}",
                f"ปี พ.ศ. {year} อยู่นอกช่วงที่รองรับ ({MIN_BE_YEAR}–{MAX_BE_YEAR})",
            )
        return be_to_ce_year(year), True
    if MIN_BE_YEAR <= year <= MAX_BE_YEAR:
        raise _date_error(
            text,
            "be-date-era",
            f"the year {year} looks like a Buddhist-era (BE) year, but a Christian-era (CE) "
            f"year was expected (BE {year} is CE {be_to_ce_year(year)})",
            f"ปี {year} ดูเหมือนเป็นปี พ.ศ. แต่ต้องระบุเป็นปี ค.ศ. "
            f"(พ.ศ. {year} ตรงกับ ค.ศ. {be_to_ce_year(year)})",
        )
    if not MIN_CE_YEAR <= year <= MAX_CE_YEAR:
        raise _date_error(
            text,
            "be-date-year",
            f"the CE year {year} is outside the supported range {MIN_CE_YEAR}–{MAX_CE_YEAR}",
            f"ปี ค.ศ. {year} อยู่นอกช่วงที่รองรับ ({MIN_CE_YEAR}–{MAX_CE_YEAR})",
        )
    return year, False


def _build_date(text: str, day: int, month: int, ce_year: int, written_be: bool) -> dt.date:
    if not 1 <= month <= 12:
        raise _date_error(
            text,
            "be-date-month",
            f"month {month} is out of range (1–12)",
            f"เดือน {month} ไม่ถูกต้อง (ต้องอยู่ระหว่าง 1–12)",
        )
    last_day = calendar.monthrange(ce_year, month)[1]
    if not 1 <= day <= last_day:
        be_year = ce_to_be_year(ce_year)
        when_en = f"{be_year} ({ce_year})" if written_be else f"{ce_year} (BE {be_year})"
        raise _date_error(
            text,
            "be-date-day",
            f"day {day} is out of range for {EN_MONTHS[month]} {when_en}, "
            f"which has {last_day} days",
            f"เดือน{THAI_MONTHS[month]} พ.ศ. {be_year} ไม่มีวันที่ {day} (มี {last_day} วัน)",
        )
    return dt.date(ce_year, month, day)


def parse_thai_date(text: str, *, era: Era = "be") -> dt.date:
    """Parse a date written the Thai way.

    Accepted (with surrounding whitespace, Thai digits anywhere, and an optional leading
    "วันที่"):

    * day, Thai month name, year: "2 มี.ค. 2566", "2 มี.ค.2566", "2มีนาคม2566",
      "2 มีนาคม พ.ศ. 2566"; the month as the full name, the spoken short form ("มีนา"), the
      abbreviation with or without dots ("มี.ค.", "มีค", "ก.พ", "กพ.") or a common misspelling
      ("กรกฏาคม"). An explicit "พ.ศ." or "ค.ศ." before the year overrides ``era``.
    * day/month/year with "/", "-" or "." (the same separator twice): "02/03/2566", "2-3-2566".
    * year-month-day when the first number has four digits: "2566-03-02".

    ``era`` says how four-digit years are read: ``"be"`` (default) Buddhist era, ``"ce"``
    Christian era, ``"auto"`` BE from 2400 on and CE below. A two-digit year is BE 25xx ("66" is
    2566), or 20xx when the era is ``"ce"``. Years must lie in BE 2400–2700 / CE 1857–2157, and a
    year that clearly belongs to the other era is rejected ("02/03/2023" with ``era="be"``).

    Raises :class:`ThaiDateError` with a code and a message that says what is wrong. (PyThaiNLP's
    ``thai_strptime`` is not used: it reads the month numbers 10–12 as January and fails with
    ``KeyError`` on "/"-separated dates.)
    """
    if era not in ("be", "ce", "auto"):
        raise ValueError(f"era must be 'be', 'ce' or 'auto', not {era!r}")
    if not isinstance(text, str):
        raise _date_error(
            text,
            "be-date-format",
            f"expected text, not {type(text).__name__}",
            "ต้องเป็นข้อความ",
        )
    normalized = " ".join(_INVISIBLE_RE.sub("", from_thai_digits(text)).split())
    normalized = _PREFIX_RE.sub("", normalized)
    if not normalized:
        raise _date_error(text, "be-date-empty", "the text is empty", "ไม่ได้ระบุวันที่")

    match = _TEXT_DATE_RE.fullmatch(normalized)
    if match:
        month = _lookup_month(text, match["month"])
        marker = match["era"]
        year_era: Era = era if marker is None else ("be" if marker.startswith("พ") else "ce")
        ce_year, written_be = _resolve_year(text, match["year"], year_era)
        return _build_date(text, int(match["day"]), month, ce_year, written_be)

    match = _NUMERIC_DATE_RE.fullmatch(normalized)
    if match:
        first, middle, last = match["a"], match["b"], match["c"]
        if len(first) == 4:  # ISO order: year-month-day
            year_text, month_text, day_text = first, middle, last
        else:
            day_text, month_text, year_text = first, middle, last
        ce_year, written_be = _resolve_year(text, year_text, era)
        return _build_date(text, int(day_text), int(month_text), ce_year, written_be)

    raise _date_error(
        text,
        "be-date-format",
        f"expected a date such as {_DATE_EXAMPLES_EN}",
        f"รูปแบบวันที่ไม่ถูกต้อง ควรเป็น เช่น {_DATE_EXAMPLES_TH}",
    )


# --- dates: formatting ---------------------------------------------------------------------------


def _to_bangkok(value: dt.datetime) -> dt.datetime:
    """An aware datetime converted to Bangkok time; a naive one is taken to be Bangkok time."""
    if value.tzinfo is None or value.utcoffset() is None:
        return value
    return value.astimezone(BANGKOK)


def _as_date(value: dt.date | dt.datetime) -> dt.date:
    if isinstance(value, dt.datetime):
        return _to_bangkok(value).date()
    if isinstance(value, dt.date):
        return value
    raise TypeError(f"expected a date or datetime, not {type(value).__name__}")


def parse_thai_date_or_none(value: object, *, era: Era = "be") -> dt.date | None:
    """A date as forms, files and APIs give it: ``None`` or blank text → ``None``; a ``date``
    as it is; anything else parsed by :func:`parse_thai_date` (raises its errors)."""
    if value is None or (isinstance(value, dt.date) and not isinstance(value, dt.datetime)):
        return value
    text = str(value).strip()
    return parse_thai_date(text, era=era) if text else None


def format_thai_date(
    value: dt.date | dt.datetime, *, style: DateStyle = "short", thai_digits: bool = False
) -> str:
    """Format a date with a BE year.

    Styles: ``"short"`` "2 มี.ค. 2566", ``"long"`` "2 มีนาคม พ.ศ. 2566", ``"numeric"``
    "02/03/2566", ``"iso-be"`` "2566-03-02". An aware datetime is converted to Bangkok time
    first (so 2023-03-01 20:00 UTC is 2 มี.ค. 2566). ``thai_digits`` writes ๐–๙.
    """
    day = _as_date(value)
    be_year = ce_to_be_year(day.year)
    if style == "short":
        text = f"{day.day} {THAI_MONTHS_ABBR[day.month]} {be_year}"
    elif style == "long":
        text = f"{day.day} {THAI_MONTHS[day.month]} พ.ศ. {be_year}"
    elif style == "numeric":
        text = f"{day.day:02d}/{day.month:02d}/{be_year}"
    elif style == "iso-be":
        text = f"{be_year:04d}-{day.month:02d}-{day.day:02d}"
    else:
        raise ValueError(f"style must be 'short', 'long', 'numeric' or 'iso-be', not {style!r}")
    return to_thai_digits(text) if thai_digits else text


def format_thai_datetime(value: dt.datetime, *, thai_digits: bool = False) -> str:
    """Format a datetime as "2 มี.ค. 2566 14:05 น." (Bangkok time for aware datetimes)."""
    if not isinstance(value, dt.datetime):
        raise TypeError(f"expected a datetime, not {type(value).__name__}")
    local = _to_bangkok(value)
    text = f"{format_thai_date(local.date())} {local:%H:%M} น."
    return to_thai_digits(text) if thai_digits else text


def format_date_en(value: dt.date | dt.datetime, *, style: DateStyle = "short") -> str:
    """The English counterpart of :func:`format_thai_date`, with CE years.

    ``"short"`` "2 Mar 2023", ``"long"`` "2 March 2023", ``"numeric"`` "02/03/2023";
    ``"iso-be"`` asks for the BE year explicitly and gives "2566-03-02" as in Thai.
    """
    day = _as_date(value)
    if style == "short":
        return f"{day.day} {EN_MONTHS_ABBR[day.month]} {day.year}"
    if style == "long":
        return f"{day.day} {EN_MONTHS[day.month]} {day.year}"
    if style == "numeric":
        return f"{day.day:02d}/{day.month:02d}/{day.year}"
    if style == "iso-be":
        return format_thai_date(day, style="iso-be")
    raise ValueError(f"style must be 'short', 'long', 'numeric' or 'iso-be', not {style!r}")


def format_datetime_en(value: dt.datetime) -> str:
    """The English counterpart of :func:`format_thai_datetime`: "2 Mar 2023 14:05"."""
    if not isinstance(value, dt.datetime):
        raise TypeError(f"expected a datetime, not {type(value).__name__}")
    local = _to_bangkok(value)
    return f"{format_date_en(local.date())} {local:%H:%M}"


# --- fiscal year ---------------------------------------------------------------------------------


def _check_start_month(start_month: int) -> None:
    if isinstance(start_month, bool) or not isinstance(start_month, int):
        raise TypeError(f"start_month must be an int, not {type(start_month).__name__}")
    if not 1 <= start_month <= 12:
        raise ValueError(f"start_month must be 1–12, not {start_month}")


def fiscal_year(value: dt.date, *, start_month: int = 10) -> int:
    """The fiscal year (ปีงบประมาณ) of ``value`` as a BE year.

    A fiscal year is named by the year in which it ends: the Thai government year runs from
    1 October to 30 September, so 1 ต.ค. 2565 – 30 ก.ย. 2566 is FY 2566
    (``fiscal_year(date(2022, 10, 1)) == 2566``). ``start_month=1`` makes it the calendar year.
    An aware datetime is converted to Bangkok time first.
    """
    _check_start_month(start_month)
    day = _as_date(value)
    ce_year = day.year + 1 if start_month > 1 and day.month >= start_month else day.year
    return ce_to_be_year(ce_year)


def fiscal_year_range(fy_be: int, *, start_month: int = 10) -> tuple[dt.date, dt.date]:
    """The first and last day of the BE fiscal year ``fy_be``.

    ``fiscal_year_range(2566) == (date(2022, 10, 1), date(2023, 9, 30))``. Raises
    :class:`ThaiDateError` (``be-date-era``) for a CE year such as 2023 and (``be-date-year``)
    outside BE 2400–2700.
    """
    _check_start_month(start_month)
    if isinstance(fy_be, bool) or not isinstance(fy_be, int):
        raise TypeError(f"fy_be must be an int, not {type(fy_be).__name__}")
    if MIN_CE_YEAR <= fy_be <= MAX_CE_YEAR:
        raise ThaiDateError(
            fy_be,
            "be-date-era",
            f"fiscal year {fy_be} looks like a CE year; pass the BE year "
            f"(FY {ce_to_be_year(fy_be)})",
            f"ปีงบประมาณ {fy_be} ดูเหมือนเป็นปี ค.ศ. ต้องระบุเป็นปี พ.ศ. (ปีงบประมาณ {ce_to_be_year(fy_be)})",
        )
    if not MIN_BE_YEAR <= fy_be <= MAX_BE_YEAR:
        raise ThaiDateError(
            fy_be,
            "be-date-year",
            f"fiscal year {fy_be} is outside the supported range {MIN_BE_YEAR}–{MAX_BE_YEAR}",
            f"ปีงบประมาณ {fy_be} อยู่นอกช่วงที่รองรับ ({MIN_BE_YEAR}–{MAX_BE_YEAR})",
        )
    ce_year = be_to_ce_year(fy_be)
    first = dt.date(ce_year - 1 if start_month > 1 else ce_year, start_month, 1)
    next_first = dt.date(first.year + 1, first.month, 1)
    return first, next_first - dt.timedelta(days=1)


# --- baht ----------------------------------------------------------------------------------------

#: Amounts must be below this (10^24 baht): far above any real amount, and it keeps the
#: decimal arithmetic exact.
MAX_BAHT: Final = Decimal(10) ** 24
_AMOUNT_RE = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d*)(?:\.\d*)?")
_SATANG: Final = Decimal("0.01")


def _baht_error(value: object, code: str, reason_en: str, reason_th: str) -> BahtError:
    return BahtError(
        value,
        code,
        f"{_show(value)} is not a valid amount of baht: {reason_en}",
        f"{_show(value)} ไม่ใช่จำนวนเงินที่ถูกต้อง: {reason_th}",
    )


def _parse_amount(amount: object, *, allow_negative: bool) -> Decimal:
    """``amount`` as a Decimal rounded half-up to the satang (two decimal places)."""
    if isinstance(amount, Decimal):
        number = amount
    elif isinstance(amount, bool):
        raise _baht_error(amount, "baht-format", "expected a number, not bool", "ต้องเป็นตัวเลข")
    elif isinstance(amount, int):
        number = Decimal(amount)
    elif isinstance(amount, float):
        number = Decimal(repr(amount))  # the shortest repr: 1.005 is 1.005, not 1.00499999…
    elif isinstance(amount, str):
        text = "".join(from_thai_digits(amount).split())
        if not _AMOUNT_RE.fullmatch(text) or not any(char.isdigit() for char in text):
            raise _baht_error(
                amount,
                "baht-format",
                "expected a number such as '1234.50' or '1,234.50'",
                "ต้องเป็นตัวเลข เช่น '1234.50' หรือ '1,234.50'",
            )
        try:
            number = Decimal(text.replace(",", ""))
        except InvalidOperation as exc:  # pragma: no cover - the pattern only lets numbers in
            raise _baht_error(amount, "baht-format", "not a number", "ไม่ใช่ตัวเลข") from exc
    else:
        raise _baht_error(
            amount,
            "baht-format",
            f"expected a number, not {type(amount).__name__}",
            "ต้องเป็นตัวเลข",
        )
    if not number.is_finite():
        raise _baht_error(
            amount,
            "baht-not-finite",
            "the amount is NaN or infinite",
            "จำนวนเงินต้องไม่ใช่ NaN หรืออนันต์",
        )
    if number < 0 and not allow_negative:
        raise _baht_error(amount, "baht-negative", "the amount is negative", "จำนวนเงินต้องไม่ติดลบ")
    if abs(number) >= MAX_BAHT:
        raise _baht_error(
            amount,
            "baht-too-large",
            "the amount must be below 10^24 baht",
            "จำนวนเงินต้องน้อยกว่า 10^24 บาท",
        )
    with localcontext() as context:
        context.prec = 60
        rounded = number.quantize(_SATANG, rounding=ROUND_HALF_UP)
    return rounded if rounded != 0 else Decimal("0.00")  # no "-0.00"


def _read_integer(number: int) -> str:
    """A positive integer in Thai words, e.g. 21_000_000 → "ยี่สิบเอ็ดล้าน".

    PyThaiNLP's ``num_to_thaiword`` reads each group of six digits on its own, so a group
    that is exactly 1 after a higher group comes out as "หนึ่ง" (1,000,001,000,000 →
    "หนึ่งล้านหนึ่งล้าน"); reading the millions recursively gives "หนึ่งล้านเอ็ดล้าน".
    """
    if number < 1_000_000:
        return num_to_thaiword(number)
    millions, rest = divmod(number, 1_000_000)
    text = _read_integer(millions) + "ล้าน"
    if rest == 1:
        return text + "เอ็ด"
    return text + num_to_thaiword(rest) if rest else text


def baht_text(amount: Decimal | int | float | str) -> str:
    """An amount of baht in Thai words, as printed on Thai invoices and receipts.

    ``baht_text(1234.5) == "หนึ่งพันสองร้อยสามสิบสี่บาทห้าสิบสตางค์"``,
    ``baht_text(0) == "ศูนย์บาทถ้วน"``, ``baht_text("0.25") == "ยี่สิบห้าสตางค์"``,
    ``baht_text(1_000_001) == "หนึ่งล้านเอ็ดบาทถ้วน"``.

    ``amount`` may be a Decimal, an int, a float (read through its shortest ``repr``, so
    ``1.005`` is 1.005) or a string such as "1234.50", "1,234.50" or "๑,๒๓๔.๕๐". It is rounded
    **half-up to the satang**: 0.005 → 1 satang, 2.675 → 2.68, 0.004 → 0.
    Negative, NaN, infinite, non-numeric and absurdly large (≥ 10^24) amounts raise
    :class:`BahtError`.

    Differences from PyThaiNLP's ``bahttext`` (whose ``num_to_thaiword`` is used for the digits):
    that function gives "ศูนย์บาทยี่สิบห้าสตางค์" for 0.25, rounds through a binary float
    (1.005 → "หนึ่งบาทถ้วน", 2.675 → 2.67), rejects Decimal, reads negative amounts as "ลบ…",
    fails on NaN/infinity with an unrelated unpacking error, and reads 1,000,001,000,000 as
    "หนึ่งล้านหนึ่งล้าน".
    """
    rounded = _parse_amount(amount, allow_negative=False)
    baht, satang = divmod(int(rounded * 100), 100)
    if baht == 0 and satang == 0:
        return "ศูนย์บาทถ้วน"
    text = _read_integer(baht) + "บาท" if baht else ""
    return text + (_read_integer(satang) + "สตางค์" if satang else "ถ้วน")


def format_baht(amount: Decimal | int | float | str, *, thai_digits: bool = False) -> str:
    """An amount with thousands separators and two decimals: ``format_baht(1234.5) == "1,234.50"``.

    Accepts the same inputs and rounds the same way (half-up to the satang) as
    :func:`baht_text`; unlike it, negative amounts are allowed ("-1,234.50").
    """
    text = f"{_parse_amount(amount, allow_negative=True):,.2f}"
    return to_thai_digits(text) if thai_digits else text


# --- identifiers ---------------------------------------------------------------------------------

_ID_SEPARATORS_RE = re.compile("[\\s\\-\u2010-\u2015\u2212\u200b\u200c\u200d\u2060\ufeff]+")
_ID_DIGITS_RE = re.compile(r"[0-9]{13}")  # ASCII only: str.isdigit() also accepts "²" or "١"


def _redact(digits: str) -> str:
    """An ID for an error message: the middle digits hidden as in :func:`mask_thai_id`."""
    if _ID_DIGITS_RE.fullmatch(digits):
        return _group_pin(digits[:5] + "x" * 7 + digits[12])
    return "".join(
        char if index < 5 or index == len(digits) - 1 or not char.isdigit() else "x"
        for index, char in enumerate(digits)
    )


def _group_pin(digits: str) -> str:
    return "-".join((digits[:1], digits[1:5], digits[5:10], digits[10:12], digits[12:]))


def _compact_id(value: object, prefix: str, what_en: str, what_th: str, redact: bool) -> str:
    """The 13 ASCII digits of an ID written with spaces, dashes and/or Thai digits."""

    def error(code: str, reason_en: str, reason_th: str, shown: str) -> ThaiIdError:
        return ThaiIdError(
            value,
            f"{prefix}-{code}",
            f"{shown} is not a valid {what_en}: {reason_en}",
            f"{shown} ไม่ใช่{what_th}ที่ถูกต้อง: {reason_th}",
        )

    if not isinstance(value, str):
        raise error(
            "format",
            f"expected text, not {type(value).__name__}",
            "ต้องเป็นข้อความ",
            _show(value),
        )
    digits = _ID_SEPARATORS_RE.sub("", from_thai_digits(value))
    shown = repr(_redact(digits) if redact else digits)
    bad = sorted(set(re.sub(r"[0-9]", "", digits)))
    if bad:
        listed = ", ".join(repr(char) for char in bad[:5])
        raise error(
            "format",
            f"it contains characters other than digits: {listed}",
            f"มีอักขระที่ไม่ใช่ตัวเลข: {listed}",
            shown,
        )
    if not digits:
        raise error(
            "length", "it is empty; 13 digits are needed", "ไม่ได้ระบุเลข (ต้องมี 13 หลัก)", shown
        )
    if len(digits) != 13:
        raise error(
            "length",
            f"it has {len(digits)} digits; 13 are needed",
            f"มี {len(digits)} หลัก ต้องมี 13 หลัก",
            shown,
        )
    return digits


def _id_error(
    value: object, code: str, what_en: str, what_th: str, shown: str, reason: tuple[str, str]
) -> ThaiIdError:
    return ThaiIdError(
        value,
        code,
        f"{shown} is not a valid {what_en}: {reason[0]}",
        f"{shown} ไม่ใช่{what_th}ที่ถูกต้อง: {reason[1]}",
    )


def _checksum_reason(digits: str) -> tuple[str, str]:
    expected = pin.calc_check_digit(digits)
    return (
        f"the check digit (the last digit) is {digits[12]} but should be {expected}",
        f"เลขตรวจสอบ (หลักสุดท้าย) เป็น {digits[12]} แต่ควรเป็น {expected}",
    )


_PIN_EN = "Thai personal ID number"
_PIN_TH = "เลขประจำตัวประชาชน"
_MOA_EN = "Thai juristic person registration number"
_MOA_TH = "เลขทะเบียนนิติบุคคล"


def validate_thai_id(value: str) -> str:
    """Check a 13-digit Thai personal ID number (เลขประจำตัวประชาชน) and return its digits.

    "1-1017-00207-51-0", "1 1017 00207 51 0" and Thai digits are accepted. Raises
    :class:`ThaiIdError` with the code ``thai-id-format`` (characters other than digits),
    ``thai-id-length`` (not 13 digits), ``thai-id-first-digit`` (0 or 9, which python-stdnum
    rejects: the person categories are 1–8, and 0 also starts juristic-person numbers; see
    :func:`validate_juristic_id`) or ``thai-id-checksum`` (the message says which check digit was
    expected). The check uses ``stdnum.th.pin``. To keep ID numbers out of logs, the messages
    show the number masked like :func:`mask_thai_id`; ``err.value`` holds the input.
    """
    digits = _compact_id(value, "thai-id", _PIN_EN, _PIN_TH, redact=True)
    shown = repr(_redact(digits))
    try:
        return pin.validate(digits)
    except stdnum_exceptions.InvalidComponent:
        hint_en = hint_th = ""
        if digits[0] == "0" and moa.is_valid(digits):
            hint_en = " (it is a valid juristic person registration number)"
            hint_th = " (เป็นเลขทะเบียนนิติบุคคลที่ถูกต้อง)"
        reason = (
            f"the first digit is {digits[0]}; personal ID numbers start with 1–8{hint_en}",
            f"หลักแรกเป็น {digits[0]} เลขประจำตัวประชาชนต้องขึ้นต้นด้วย 1–8{hint_th}",
        )
        raise _id_error(value, "thai-id-first-digit", _PIN_EN, _PIN_TH, shown, reason) from None
    except stdnum_exceptions.InvalidChecksum:
        reason = _checksum_reason(digits)
        raise _id_error(value, "thai-id-checksum", _PIN_EN, _PIN_TH, shown, reason) from None
    except stdnum_exceptions.ValidationError as exc:  # pragma: no cover - checked above
        reason = (str(exc), str(exc))
        raise _id_error(value, "thai-id-format", _PIN_EN, _PIN_TH, shown, reason) from None


def is_valid_thai_id(value: object) -> bool:
    """Whether :func:`validate_thai_id` accepts ``value`` (never raises)."""
    try:
        validate_thai_id(value)  # type: ignore[arg-type]  # non-strings are reported, not raised
    except ThaiIdError:
        return False
    return True


def format_thai_id(value: str) -> str:
    """A valid personal ID in the usual 1-4-5-2-1 grouping: "1-1017-00207-51-0"."""
    return _group_pin(validate_thai_id(value))


def mask_thai_id(value: str) -> str:
    """A personal ID masked for display under the PDPA: "1-1017-xxxxx-xx-0".

    Keeps the first five digits and the check digit. Any 13 digits are masked (the check digit
    is not verified, so that stored numbers with a typo are still masked); other input raises
    :class:`ThaiIdError` (``thai-id-format`` / ``thai-id-length``).
    """
    digits = _compact_id(value, "thai-id", _PIN_EN, _PIN_TH, redact=True)
    return _redact(digits)


def validate_juristic_id(value: str) -> str:
    """Check a 13-digit juristic person registration number and return its digits.

    This is the number the Department of Business Development gives companies and other
    juristic persons (เลขทะเบียนนิติบุคคล), which is also their tax ID; it starts with 0 and
    has the same check digit as the personal ID (checked with ``stdnum.th.moa``). Raises
    :class:`ThaiIdError` with the codes ``juristic-id-format``, ``juristic-id-length``,
    ``juristic-id-first-digit`` and ``juristic-id-checksum``. The number is public, so messages
    show it in full.
    """
    digits = _compact_id(value, "juristic-id", _MOA_EN, _MOA_TH, redact=False)
    shown = repr(digits)
    try:
        return moa.validate(digits)
    except stdnum_exceptions.InvalidComponent:
        hint_en = hint_th = ""
        if pin.is_valid(digits):
            hint_en = " (it looks like a personal ID number)"
            hint_th = " (ดูเหมือนเป็นเลขประจำตัวประชาชน)"
        reason = (
            f"the first digit is {digits[0]}; juristic person numbers start with 0{hint_en}",
            f"หลักแรกเป็น {digits[0]} เลขทะเบียนนิติบุคคลต้องขึ้นต้นด้วย 0{hint_th}",
        )
        raise _id_error(value, "juristic-id-first-digit", _MOA_EN, _MOA_TH, shown, reason) from None
    except stdnum_exceptions.InvalidChecksum:
        reason = _checksum_reason(digits)
        raise _id_error(value, "juristic-id-checksum", _MOA_EN, _MOA_TH, shown, reason) from None
    except stdnum_exceptions.ValidationError as exc:  # pragma: no cover - checked above
        reason = (str(exc), str(exc))
        raise _id_error(value, "juristic-id-format", _MOA_EN, _MOA_TH, shown, reason) from None


def is_valid_juristic_id(value: object) -> bool:
    """Whether :func:`validate_juristic_id` accepts ``value`` (never raises)."""
    try:
        validate_juristic_id(value)  # type: ignore[arg-type]  # non-strings are reported
    except ThaiIdError:
        return False
    return True


def format_juristic_id(value: str) -> str:
    """A valid juristic person number in the DBD grouping 1-2-1-3-5-1: "0-10-5-536-11201-4"."""
    return moa.format(validate_juristic_id(value))
