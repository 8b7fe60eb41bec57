"""Freshness: from the declared update frequency and the last publish, is a dataset current?

Pure (no Django): ``freshness(unit, interval, last_published, now)``.

- *fresh*: the next update is not yet expected (``now < last + period``);
- *due*: the period has passed but we are within the grace time (a quarter of the period,
  at least one day, at most 30 days) — the steward should publish now;
- *overdue*: past the grace time; the maintainer is notified.

A dataset never published is *due* for its first publish; once it has existed longer than one
period plus grace without a publish, it is *overdue*. Datasets declared "not updated after
collection" (``never``), "unknown" or "other" are always *fresh* once published (no promise
was made). Calendar units (month, quarter, half-year, year) add calendar months, so a monthly
dataset published on 31 January is expected by the end of February.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from typing import Literal

State = Literal["fresh", "due", "overdue"]

_FIXED = {
    "minute": dt.timedelta(minutes=1),
    "hour": dt.timedelta(hours=1),
    "day": dt.timedelta(days=1),
    "week": dt.timedelta(weeks=1),
    "real-time": dt.timedelta(hours=1),
}
_MONTHS = {"month": 1, "quarter": 3, "half-year": 6, "year": 12}
NO_PROMISE = frozenset({"never", "unknown", "other"})


@dataclass(frozen=True)
class Freshness:
    state: State
    expected_by: dt.datetime | None  # when the next publish is expected
    overdue_from: dt.datetime | None  # when it becomes overdue

    @property
    def label_en(self) -> str:
        return {"fresh": "Up to date", "due": "Update due", "overdue": "Overdue"}[self.state]

    @property
    def label_th(self) -> str:
        return {"fresh": "เป็นปัจจุบัน", "due": "ถึงกำหนดปรับปรุง", "overdue": "เลยกำหนดปรับปรุง"}[
            self.state
        ]


def add_months(moment: dt.datetime, months: int) -> dt.datetime:
    month0 = moment.month - 1 + months
    year, month = moment.year + month0 // 12, month0 % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def add_working_days(moment: dt.datetime, days: int) -> dt.datetime:
    result = moment
    while days > 0:
        result += dt.timedelta(days=1)
        if result.weekday() < 5:
            days -= 1
    return result


def next_expected(unit: str, interval: int, last: dt.datetime) -> dt.datetime | None:
    interval = max(1, interval)
    if unit in _MONTHS:
        return add_months(last, _MONTHS[unit] * interval)
    if unit == "working-day":
        return add_working_days(last, interval)
    if unit in _FIXED:
        return last + _FIXED[unit] * interval
    return None


def grace(expected: dt.datetime, last: dt.datetime) -> dt.timedelta:
    period = expected - last
    return min(max(period / 4, dt.timedelta(days=1)), dt.timedelta(days=30))


def freshness(
    unit: str,
    interval: int,
    last_published: dt.datetime | None,
    now: dt.datetime,
    *,
    created: dt.datetime | None = None,
) -> Freshness:
    if last_published is None:
        start = created or now
        first = next_expected(unit, interval, start)
        if first is None:
            return Freshness("due", None, None)
        overdue_from = first + grace(first, start)
        return Freshness("overdue" if now >= overdue_from else "due", start, overdue_from)
    if unit in NO_PROMISE:
        return Freshness("fresh", None, None)
    expected = next_expected(unit, interval, last_published)
    if expected is None:
        return Freshness("fresh", None, None)
    overdue_from = expected + grace(expected, last_published)
    if now < expected:
        state: State = "fresh"
    elif now < overdue_from:
        state = "due"
    else:
        state = "overdue"
    return Freshness(state, expected, overdue_from)
