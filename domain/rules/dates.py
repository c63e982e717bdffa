"""Calendar rules: which day it is where the user lives."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo, available_timezones


def local_today(now: datetime, timezone: str) -> date:
    """The calendar day of the aware instant `now` in the named timezone."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now.astimezone(ZoneInfo(timezone)).date()


def local_time(moment: datetime, timezone: str) -> datetime:
    """An instant as wall-clock time in a timezone."""
    return moment.astimezone(ZoneInfo(timezone))


def local_midnight(day: date, timezone: str) -> datetime:
    """The instant a calendar day begins in a timezone."""
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(timezone))


EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2100, 12, 31)
DATE_RANGE_TEXT = f"between {EARLIEST_DATE.isoformat()} and {LATEST_DATE.isoformat()}"


def date_in_range(value: date) -> bool:
    """Whether a date a person gives lies in the range every date must keep to.

    Dates outside it are typing mistakes, and they overflow when months or days are
    added to them (a horizon, an installment schedule) or flood a booking pass.
    """
    return EARLIEST_DATE <= value <= LATEST_DATE


@cache
def _timezones() -> frozenset[str]:
    return frozenset(available_timezones())


def is_known_timezone(name: str) -> bool:
    """Whether a name is an IANA timezone (``Asia`` is a folder of zones, not a zone)."""
    return name in _timezones()


def exclusive_end(last: date | None) -> date | None:
    """The half-open end of a range whose last day a person picked (None: open-ended)."""
    return last + timedelta(days=1) if last is not None else None
