"""Template filters for Thai dates, digits, baht and ID numbers.

``{% load thai %}`` then ``{{ value|thai_date }}``. The filters follow the active language:
Thai gives Buddhist-Era dates ("2 มี.ค. 2566"), English gives CE dates ("2 Mar 2023").
A filter never raises: a value it cannot format is shown as it is (or empty for ``None``), so a
bad value in the database never breaks a page.
"""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal
from typing import Any

from django import template
from django.utils import translation

from nakhon.core import thai

register = template.Library()
logger = logging.getLogger(__name__)

_STYLES = ("short", "long", "numeric", "iso-be")


def _is_thai() -> bool:
    return (translation.get_language() or "th").split("-")[0] == "th"


def _fallback(value: Any) -> str:
    return "" if value is None else str(value)


@register.filter
def thai_date(value: Any, style: str = "short") -> str:
    """A date in the active language: "2 มี.ค. 2566" / "2 Mar 2023"; styles short/long/numeric."""
    if not isinstance(value, dt.date):
        return _fallback(value)
    style = style if style in _STYLES else "short"
    try:
        if _is_thai():
            return thai.format_thai_date(value, style=style)  # type: ignore[arg-type]
        return thai.format_date_en(value, style=style)  # type: ignore[arg-type]
    except (ValueError, TypeError, OverflowError):
        logger.warning("thai_date could not format %r", value)
        return _fallback(value)


@register.filter
def thai_datetime(value: Any) -> str:
    """A date and time in Bangkok time: "2 มี.ค. 2566 14:05 น." / "2 Mar 2023 14:05"."""
    if not isinstance(value, dt.datetime):
        return thai_date(value)
    try:
        if _is_thai():
            return thai.format_thai_datetime(value)
        return thai.format_datetime_en(value)
    except (ValueError, TypeError, OverflowError):
        logger.warning("thai_datetime could not format %r", value)
        return _fallback(value)


@register.filter
def thai_digits(value: Any) -> str:
    """Arabic digits written as Thai digits (๐–๙)."""
    return thai.to_thai_digits(_fallback(value))


@register.filter
def baht(value: Any) -> str:
    """An amount as "1,234.50" (two decimals, thousands separators)."""
    if value is None or value == "":
        return ""
    try:
        return thai.format_baht(value)
    except (thai.BahtError, TypeError, ValueError):
        return _fallback(value)


@register.filter
def figure(value: Any) -> str:
    """A table cell's figure: an amount (Decimal, float) as "1,234.50", a count (int) as
    "1,234"; text as it is."""
    if isinstance(value, bool) or value is None:
        return _fallback(value) if value is not None else ""
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, Decimal | float):
        return baht(value)
    return _fallback(value)


@register.filter
def baht_text(value: Any) -> str:
    """An amount in Thai words, as on a bill: "หนึ่งพันสองร้อยบาทถ้วน"."""
    if value is None or value == "":
        return ""
    try:
        return thai.baht_text(value if isinstance(value, (Decimal, int, str)) else str(value))
    except (thai.BahtError, TypeError, ValueError):
        return _fallback(value)


@register.filter
def fiscal_year(value: Any, start_month: Any = 10) -> str:
    """The BE fiscal year of a date (1 October start by default)."""
    if not isinstance(value, dt.date):
        return _fallback(value)
    try:
        return str(thai.fiscal_year(value, start_month=int(start_month)))
    except (ValueError, TypeError):
        return _fallback(value)


@register.filter
def thai_id_masked(value: Any) -> str:
    """A personal ID masked for display ("1-1017-xxxxx-xx-0"); anything else fully hidden."""
    if value is None or value == "":
        return ""
    try:
        return thai.mask_thai_id(str(value))
    except thai.ThaiIdError:
        return "x" * len(str(value))
