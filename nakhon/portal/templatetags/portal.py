"""Small display helpers for portal pages."""

from __future__ import annotations

import json
from typing import Any

from django import template

register = template.Library()


@register.filter
def change_text(value: Any) -> str:
    """One audit detail as text: ``[old, new]`` → "old → new", anything else compact JSON."""
    if isinstance(value, list) and len(value) == 2:
        old, new = ("—" if v in (None, "") else v for v in value)
        return f"{old} → {new}"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, default=str)


@register.filter
def cell(value: Any) -> str:
    """A table cell: dates in the active language's calendar, nothing for empty cells."""
    import datetime as dt

    from nakhon.core.templatetags.thai import thai_date, thai_datetime

    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return thai_datetime(value)
    if isinstance(value, dt.date):
        return thai_date(value)
    return str(value)
