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
