"""Views over a forecast: period aggregates, the summary, safe to spend, explanations."""

from __future__ import annotations

from dataclasses import dataclass, replace
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


def lowest_point(frame: pd.DataFrame, column: str = P50) -> tuple[Decimal, date]:
    """The lowest balance of a frame's path (P50 unless named) and its first date."""
    values: list[Decimal] = list(frame[column])
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


SAFE_RULE = (
    "safe to spend = what can leave the account today while the P50 path stays at or above "
    "the warning level on every day of the horizon: the lowest point ahead minus the warning "
    "level, never more than the balance minus what is due until the next income minus the "
    "warning level, never below 0.00"
)
Binding = Literal["lowest_point", "next_income"]


@dataclass(frozen=True)
class SafeToSpend:
    """What can leave the account today and keep the P50 path at or above the warning level.

    `headroom` is the balance minus the outflows due until the next income minus the
    warning level. `binding_date` is the day that limits the amount (the lowest point,
    or the next income when the headroom is smaller); `drivers` are the known items from
    today through that day and `everyday` the everyday spending over the same days, so
    balance + drivers - everyday is the balance on that day. `shortfall` and `reason` are
    set only when the amount is 0.00. `cautious` is the same rule on the P10 path.
    """

    amount: Decimal
    balance: Decimal
    committed: Decimal
    warning: Decimal
    next_income: date | None
    commitments: tuple[Event, ...]
    headroom: Decimal
    lowest: Decimal
    lowest_date: date
    binding: Binding
    binding_date: date
    drivers: tuple[Event, ...]
    everyday: Decimal
    shortfall: Decimal | None
    reason: str | None
    cautious: Decimal
    cautious_lowest: Decimal
    cautious_date: date


def _headroom(forecast: Forecast) -> tuple[date | None, tuple[Event, ...], Decimal]:
    """The next income, the outflows due until then and what they leave above the warning."""
    inputs = forecast.inputs
    incomes = [e for e in forecast.events if e.amount > 0 and e.date > inputs.today]
    next_income = incomes[0].date if incomes else None
    until = next_income or inputs.end
    commitments = tuple(e for e in forecast.events if e.amount < 0 and e.date <= until)
    committed = -sum((e.amount for e in commitments), ZERO)
    return next_income, commitments, inputs.opening - committed - inputs.warning


def _binding(
    forecast: Forecast, headroom: Decimal, next_income: date | None
) -> tuple[Binding, date, Decimal]:
    """Which limit binds, its day, and the balance there that the rule keeps above warning."""
    lowest, lowest_date = lowest_point(forecast.daily)
    if lowest - forecast.inputs.warning <= headroom:
        return "lowest_point", lowest_date, lowest
    until = next_income or forecast.daily[DATE].iloc[-1]
    return "next_income", until, headroom + forecast.inputs.warning


def _reason(safe: SafeToSpend, level: Decimal) -> str:
    """Why nothing is safe to spend: the day that binds and how far short it falls."""
    if safe.binding == "lowest_point":
        where = f"on {safe.binding_date.isoformat()} (the lowest point ahead) the balance is"
    else:
        until = "the next income" if safe.next_income else "the end of the horizon"
        where = f"what is due by {safe.binding_date.isoformat()} ({until}) leaves"
    if level == safe.warning:
        return f"Nothing to spend: {where} exactly the warning level of {safe.warning}."
    return (
        f"Nothing to spend: {where} {level}, {safe.warning - level} below the warning level "
        f"of {safe.warning}."
    )


def safe_to_spend(forecast: Forecast) -> SafeToSpend:
    """Safe to spend today as SAFE_RULE states, with the day that binds and why."""
    inputs, daily = forecast.inputs, forecast.daily
    next_income, commitments, headroom = _headroom(forecast)
    lowest, lowest_date = lowest_point(daily)
    cautious_lowest, cautious_date = lowest_point(daily, P10)
    binding, day, level = _binding(forecast, headroom, next_income)
    amount = max(level - inputs.warning, ZERO)
    short = amount == ZERO
    safe = SafeToSpend(
        amount=amount,
        balance=inputs.opening,
        committed=inputs.opening - inputs.warning - headroom,
        warning=inputs.warning,
        next_income=next_income,
        commitments=commitments,
        headroom=headroom,
        lowest=lowest,
        lowest_date=lowest_date,
        binding=binding,
        binding_date=day,
        drivers=tuple(e for e in forecast.events if e.date <= day),
        everyday=sum(daily.loc[daily[DATE] <= day, VARIABLE], ZERO),
        shortfall=inputs.warning - level if short else None,
        reason=None,
        cautious=max(min(cautious_lowest - inputs.warning, headroom), ZERO),
        cautious_lowest=cautious_lowest,
        cautious_date=cautious_date,
    )
    return replace(safe, reason=_reason(safe, level)) if short else safe


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
    medians: dict[str, Decimal] = {}
    for h in history:  # a category spent from several accounts is one driver
        medians[h.name] = medians.get(h.name, ZERO) + h.median()
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
