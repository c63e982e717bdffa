"""Recurrence: expanding an item's occurrences over a half-open date range.

Monthly, quarterly and yearly items fall on a day of the month; days 29 to 31
clamp to the last day of a short month and are never skipped. Weekly and
fortnightly items step from the start date. The end date is inclusive (the
last day an occurrence may fall on); pauses are half-open [start, end) and an
open pause (end None) lasts until resumed.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from domain.errors import InvalidInputError

Frequency = Literal["monthly", "weekly", "biweekly", "quarterly", "yearly"]
FREQUENCIES: tuple[Frequency, ...] = ("monthly", "weekly", "biweekly", "quarterly", "yearly")
MONTH_STEP = {"monthly": 1, "quarterly": 3, "yearly": 12}
DAY_STEP = {"weekly": 7, "biweekly": 14}


@dataclass(frozen=True)
class DateRange:
    """A half-open range of days [begin, end); `end` None means unbounded."""

    begin: date
    end: date | None = None

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.begin <= day and (self.end is None or day < self.end)


@dataclass(frozen=True)
class Recurrence:
    """When an item recurs."""

    frequency: Frequency
    start: date
    end: date | None = None
    day_of_month: int | None = None
    pauses: tuple[DateRange, ...] = ()


def clamp_day(year: int, month: int, day: int) -> date:
    """The given day of a month, or the month's last day when it is shorter."""
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def add_months(year: int, month: int, months: int) -> tuple[int, int]:
    """(year, month) shifted by a number of months."""
    index = year * 12 + (month - 1) + months
    return index // 12, index % 12 + 1


def check_recurrence(rule: Recurrence) -> Recurrence:
    """Refuse a rule that cannot recur, naming the field."""
    if rule.frequency not in FREQUENCIES:
        raise InvalidInputError("frequency", f"must be one of {', '.join(FREQUENCIES)}")
    if rule.day_of_month is not None and not 1 <= rule.day_of_month <= 31:
        raise InvalidInputError("day_of_month", "must be 1 to 31")
    if rule.end is not None and rule.end < rule.start:
        raise InvalidInputError("end_date", "must not be before the start date")
    return rule


def _raw(rule: Recurrence, begin: date) -> Iterator[date]:
    """Every candidate date from the first one on or after `begin`, without end or pauses.

    It starts at `begin` arithmetically rather than stepping from the start date, so a
    ten-year-old item costs the same as a new one.
    """
    if rule.frequency in DAY_STEP:
        step = DAY_STEP[rule.frequency]
        skipped = max(0, -(-(begin - rule.start).days // step))
        day = rule.start + timedelta(days=step * skipped)
        while True:
            yield day
            day += timedelta(days=step)
    day_of_month = rule.day_of_month or rule.start.day
    step_months = MONTH_STEP[rule.frequency]
    year, month = rule.start.year, rule.start.month
    if clamp_day(year, month, day_of_month) < rule.start:
        year, month = add_months(year, month, step_months)
    behind = (begin.year - year) * 12 + begin.month - month
    if behind > 0:
        year, month = add_months(year, month, (behind // step_months) * step_months)
    while True:
        yield clamp_day(year, month, day_of_month)
        year, month = add_months(year, month, step_months)


def expand_occurrences(rule: Recurrence, window: DateRange) -> list[date]:
    """Every occurrence of the rule inside the window, in order."""
    if window.end is None:
        raise ValueError("expansion needs a bounded window")
    last = window.end - timedelta(days=1)
    if rule.end is not None:
        last = min(last, rule.end)
    found = []
    for day in _raw(rule, max(rule.start, window.begin)):
        if day > last:
            break
        if day >= window.begin and not any(day in pause for pause in rule.pauses):
            found.append(day)
    return found
