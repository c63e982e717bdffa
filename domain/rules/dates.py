"""Calendar rules: which day it is where the user lives."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo


def local_today(now: datetime, timezone: str) -> date:
    """The calendar day of the aware instant `now` in the named timezone."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now.astimezone(ZoneInfo(timezone)).date()


def local_time(moment: datetime, timezone: str) -> datetime:
    """An instant as wall-clock time in a timezone."""
    return moment.astimezone(ZoneInfo(timezone))
