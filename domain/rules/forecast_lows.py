"""Where the forecast's P50 path runs low: what the alerts read, without the band.

The alerts only look at the median path (its lowest point, the first day under the
warning level, each new running low); computing it with `median_path` skips the
simulated paths, the band, the Decimal frame and safe-to-spend that a full forecast
builds. `tests/test_nightly_workers.py` holds these equal to `summarize`'s figures.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import numpy as np

from domain.rules.forecast import Event, ForecastInputs, median_path
from domain.rules.money import CENT


@dataclass(frozen=True)
class PathLows:
    """The P50 path's lowest point, first dip under the warning level and running lows."""

    lowest: Decimal
    lowest_date: date
    first_below_warning: date | None
    crossings: tuple[tuple[date, Decimal], ...]


def _money(cents: int) -> Decimal:
    return Decimal(int(cents)).scaleb(-2).quantize(CENT)


def path_lows(inputs: ForecastInputs, events: Sequence[Event] | None = None) -> PathLows:
    """The lows of the household's P50 path, day by day from today (`events`: as expected)."""
    path = median_path(inputs, events)
    lowest = int(np.argmin(path))  # the first day of the lowest value
    running = np.minimum.accumulate(path)
    new_low = np.flatnonzero(np.r_[True, path[1:] < running[:-1]])
    below = np.flatnonzero(path < int(inputs.warning.scaleb(2).to_integral_value()))

    def day(index: int) -> date:
        return inputs.today + timedelta(days=int(index))

    return PathLows(
        lowest=_money(path[lowest]),
        lowest_date=day(lowest),
        first_below_warning=day(int(below[0])) if len(below) else None,
        crossings=tuple((day(int(i)), _money(path[i])) for i in new_low),
    )
