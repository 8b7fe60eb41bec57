"""Freshness states from the declared update frequency and the last publish (table-driven)."""

from __future__ import annotations

import datetime as dt

import pytest

from nakhon.catalog.freshness import add_months, freshness

UTC = dt.UTC


def at(y: int, m: int, d: int, h: int = 12) -> dt.datetime:
    return dt.datetime(y, m, d, h, tzinfo=UTC)


@pytest.mark.parametrize(
    ("unit", "interval", "last", "now", "state"),
    [
        ("month", 1, at(2026, 1, 31), at(2026, 2, 27), "fresh"),
        ("month", 1, at(2026, 1, 31), at(2026, 2, 28), "due"),  # Feb has 28 days
        ("month", 1, at(2026, 1, 31), at(2026, 3, 6), "due"),  # grace 7 days
        ("month", 1, at(2026, 1, 31), at(2026, 3, 8), "overdue"),
        ("year", 1, at(2025, 10, 1), at(2026, 9, 30), "fresh"),
        ("year", 1, at(2025, 10, 1), at(2026, 10, 15), "due"),
        ("year", 1, at(2025, 10, 1), at(2026, 11, 1), "overdue"),  # grace capped at 30 days
        ("quarter", 1, at(2026, 1, 1), at(2026, 4, 2), "due"),
        ("week", 2, at(2026, 1, 1), at(2026, 1, 14), "fresh"),
        ("day", 1, at(2026, 1, 1), at(2026, 1, 2, 13), "due"),
        ("day", 1, at(2026, 1, 1), at(2026, 1, 3, 13), "overdue"),
        ("hour", 6, at(2026, 1, 1, 0), at(2026, 1, 1, 5), "fresh"),
        ("working-day", 1, at(2026, 11, 27), at(2026, 11, 29), "fresh"),  # Fri → Mon
        ("working-day", 1, at(2026, 11, 27), at(2026, 11, 30, 18), "due"),
        ("never", 1, at(2020, 1, 1), at(2026, 1, 1), "fresh"),
        ("unknown", 1, at(2020, 1, 1), at(2026, 1, 1), "fresh"),
    ],
)
def test_states(unit: str, interval: int, last: dt.datetime, now: dt.datetime, state: str) -> None:
    assert freshness(unit, interval, last, now).state == state


def test_never_published_is_due_then_overdue() -> None:
    created = at(2026, 1, 1)
    assert freshness("month", 1, None, at(2026, 1, 5), created=created).state == "due"
    assert freshness("month", 1, None, at(2026, 3, 1), created=created).state == "overdue"
    assert freshness("never", 1, None, at(2030, 1, 1), created=created).state == "due"


def test_expected_dates_and_labels() -> None:
    result = freshness("month", 1, at(2026, 1, 31), at(2026, 2, 1))
    assert result.expected_by == at(2026, 2, 28)
    assert result.label_th == "เป็นปัจจุบัน" and result.label_en == "Up to date"
    assert add_months(at(2024, 2, 29), 12) == at(2025, 2, 28)
