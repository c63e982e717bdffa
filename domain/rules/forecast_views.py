"""Views over a forecast: period aggregates, the summary, safe to spend, explanations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Literal

import pandas as pd

from domain.rules.forecast import (
    DATE,
    EXPENSE,
    INCOME,
    P10,
    P50,
    P90,
    PROB_BELOW_WARNING,
    PROB_BELOW_ZERO,
    VARIABLE,
    Event,
    Forecast,
    first_day,
)
from domain.rules.money import ZERO

Period = Literal["daily", "weekly", "monthly", "quarterly"]
# Columns of an aggregate frame.
PERIOD = "period"
START = "start"
OPENING = "opening"
CLOSING = "closing"
NET = "net"
LOWEST = "lowest"
LOWEST_DATE = "lowest_date"
AGGREGATE_COLUMNS = (PERIOD, START, OPENING, INCOME, EXPENSE, NET, CLOSING, LOWEST, LOWEST_DATE)


def lowest_point(frame: pd.DataFrame) -> tuple[Decimal, date]:
    """The lowest P50 balance of a frame and its first date."""
    values: list[Decimal] = list(frame[P50])
    index = min(range(len(values)), key=values.__getitem__)
    return values[index], frame[DATE].iloc[index]


def _period_start(day: date, period: Period, week_start: int) -> date:
    if period == "daily":
        return day
    if period == "weekly":
        return day - timedelta(days=(day.weekday() - week_start) % 7)
    if period == "monthly":
        return day.replace(day=1)
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _label(start: date, period: Period) -> str:
    if period == "monthly":
        return f"{start:%Y-%m}"
    if period == "quarterly":
        return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    return start.isoformat()


def aggregate(forecast: Forecast, period: Period, *, week_start: int = 6) -> pd.DataFrame:
    """Opening, income, expenses (known and everyday), net, closing and the lowest day.

    `week_start` is a Python weekday (6 = Sunday, the Israeli week).
    """
    daily = forecast.daily
    rows = []
    opening = forecast.inputs.opening
    keys = [_period_start(d, period, week_start) for d in daily[DATE]]
    for start, group in daily.groupby(pd.Series(keys, index=daily.index), sort=True):
        lowest, lowest_date = lowest_point(group)
        income = sum(group[INCOME], ZERO)
        expense = sum(group[EXPENSE], ZERO) + sum(group[VARIABLE], ZERO)
        closing = group[P50].iloc[-1]
        rows.append(
            {
                PERIOD: _label(start, period),
                START: start,
                OPENING: opening,
                INCOME: income,
                EXPENSE: expense,
                NET: closing - opening,
                CLOSING: closing,
                LOWEST: lowest,
                LOWEST_DATE: lowest_date,
            }
        )
        opening = closing
    return pd.DataFrame.from_records(rows, columns=list(AGGREGATE_COLUMNS))


@dataclass(frozen=True)
class SafeToSpend:
    """What may be spent before the next income without going below the warning level."""

    amount: Decimal
    balance: Decimal
    committed: Decimal
    warning: Decimal
    next_income: date | None
    commitments: tuple[Event, ...]


def safe_to_spend(forecast: Forecast) -> SafeToSpend:
    """The balance minus committed outflows until the next income, minus the warning level."""
    inputs = forecast.inputs
    incomes = [e for e in forecast.events if e.amount > 0 and e.date > inputs.today]
    next_income = incomes[0].date if incomes else None
    until = next_income or inputs.end
    commitments = tuple(e for e in forecast.events if e.amount < 0 and e.date <= until)
    committed = -sum((e.amount for e in commitments), ZERO)
    amount = inputs.opening - committed - inputs.warning
    return SafeToSpend(amount, inputs.opening, committed, inputs.warning, next_income, commitments)


@dataclass(frozen=True)
class Summary:
    """The forecast in a few figures."""

    today: date
    end: date
    opening: Decimal
    end_balance: Decimal
    lowest: Decimal
    lowest_date: date
    first_below_zero: date | None
    first_below_warning: date | None
    max_prob_below_zero: float
    max_prob_below_warning: float
    safe: SafeToSpend
    crossings: tuple[tuple[date, Decimal], ...] = ()


def summarize(forecast: Forecast) -> Summary:
    """Lowest point and its date, first dips, end balance, chances, safe to spend."""
    daily = forecast.daily
    lowest, lowest_date = lowest_point(daily)
    inputs = forecast.inputs
    return Summary(
        today=inputs.today,
        end=daily[DATE].iloc[-1],
        opening=inputs.opening,
        end_balance=daily[P50].iloc[-1],
        lowest=lowest,
        lowest_date=lowest_date,
        first_below_zero=first_day(daily, ZERO),
        first_below_warning=first_day(daily, inputs.warning),
        max_prob_below_zero=float(daily[PROB_BELOW_ZERO].max()),
        max_prob_below_warning=float(daily[PROB_BELOW_WARNING].max()),
        safe=safe_to_spend(forecast),
        crossings=_lows_by_day(daily),
    )


def _lows_by_day(daily: pd.DataFrame) -> tuple[tuple[date, Decimal], ...]:
    """Each day a new running low of the P50 path is reached, in order."""
    lows: list[tuple[date, Decimal]] = []
    for day, value in zip(daily[DATE], daily[P50], strict=True):
        if not lows or value < lows[-1][1]:
            lows.append((day, value))
    return tuple(lows)


@dataclass(frozen=True)
class Driver:
    """One item that moves a month, with its total there."""

    label: str
    kind: str
    amount: Decimal
    count: int


def explain_month(forecast: Forecast, month: date) -> list[Driver]:
    """The items that drive a month, largest first: known items and everyday spending."""
    start = month.replace(day=1)
    end = (start + timedelta(days=32)).replace(day=1)
    totals: dict[tuple[str, str], list[Decimal]] = {}
    for event in forecast.events:
        if start <= event.date < end:
            totals.setdefault((event.label, event.kind), []).append(event.amount)
    daily = forecast.daily
    in_month = daily[(daily[DATE] >= start) & (daily[DATE] < end)]
    history = forecast.inputs.history if forecast.inputs.include_history else ()
    spread = sum(in_month[VARIABLE], ZERO)
    medians = {h.name: h.median() for h in history}
    whole = sum(medians.values(), ZERO)
    for name, median in medians.items():
        if whole > 0 and median > 0:
            share = (spread * median / whole).quantize(Decimal("0.01"))
            totals[(f"Everyday spending: {name}", "variable")] = [-share]
    drivers = [Driver(label, kind, sum(v, ZERO), len(v)) for (label, kind), v in totals.items()]
    return sorted(drivers, key=lambda d: (-abs(d.amount), d.label))


def band(forecast: Forecast) -> pd.DataFrame:
    """The date, P10, P50 and P90 columns (for charts and tables)."""
    return forecast.daily[[DATE, P10, P50, P90]]
