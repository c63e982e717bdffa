"""The monthly report's figures: KPIs, the daily balance, spending by category, what is due."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from domain.rules.categories import FlowType
from domain.rules.money import ZERO

PERCENT = Decimal("0.1")


@dataclass(frozen=True)
class CategorySpend:
    """A category's expenses in the month and its share of them (percent)."""

    name: str
    amount: Decimal
    share: Decimal


@dataclass(frozen=True)
class Due:
    """A payment or income expected soon."""

    date: date
    description: str
    amount: Decimal
    type: FlowType


@dataclass(frozen=True)
class Expense:
    """One of the month's largest expenses."""

    date: date
    description: str
    category: str
    amount: Decimal


@dataclass(frozen=True)
class MonthlyReport:
    """Everything the monthly report shows, computed; rendering only lays it out."""

    title: str
    currency: str
    month: date
    generated_on: date
    income: Decimal
    expense: Decimal
    count: int
    opening: Decimal
    balances: tuple[tuple[date, Decimal], ...]
    categories: tuple[CategorySpend, ...]
    upcoming: tuple[Due, ...]
    largest: tuple[Expense, ...]
    previous_expense: Decimal | None = None
    overdue: int = 0

    @property
    def net(self) -> Decimal:
        """Income minus expenses."""
        return self.income - self.expense

    @property
    def closing(self) -> Decimal:
        """The balance at the end of the last day shown."""
        return self.balances[-1][1] if self.balances else self.opening

    @property
    def savings_rate(self) -> Decimal | None:
        """The share of income not spent, in percent (None without income)."""
        if self.income <= ZERO:
            return None
        return (self.net * 100 / self.income).quantize(PERCENT, rounding=ROUND_HALF_UP)


def month_bounds(month: date) -> tuple[date, date]:
    """The half-open range [first day, first day of the next month)."""
    start = month.replace(day=1)
    return start, (start + timedelta(days=32)).replace(day=1)


def daily_balances(
    opening: Decimal,
    nets: Mapping[date, Decimal],
    start: date,
    end: date,
    readings: Mapping[date, Decimal] | None = None,
) -> tuple[tuple[date, Decimal], ...]:
    """The balance at the end of each day in [start, end).

    Each day adds its net to the day before; a day with a recorded reading ends at the
    reading (it already holds that day's movements), as the current balance counts it.
    """
    balance = opening
    path = []
    day = start
    while day < end:
        balance += nets.get(day, ZERO)
        if readings and day in readings:
            balance = readings[day]
        path.append((day, balance))
        day += timedelta(days=1)
    return tuple(path)


def category_shares(
    spending: Sequence[tuple[str, Decimal]], *, top: int = 8
) -> tuple[CategorySpend, ...]:
    """The largest categories with their share of all expenses; the rest as one line."""
    total = sum((amount for _, amount in spending), ZERO)
    if total <= ZERO:
        return ()
    ordered = sorted(spending, key=lambda item: (-item[1], item[0]))
    head = list(ordered[:top])
    rest = sum((amount for _, amount in ordered[top:]), ZERO)
    if rest > ZERO:
        head.append(("Other categories", rest))
    return tuple(
        CategorySpend(name, amount, (amount * 100 / total).quantize(PERCENT, ROUND_HALF_UP))
        for name, amount in head
    )
