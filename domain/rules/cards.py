"""Credit card cycles: which statement a purchase lies on, and when the bank pays it.

A card closes its statement on its close day each month (days 29 to 31 clamp to a short
month's last day, as recurrence does). A purchase dated d lies on the statement whose
period holds it: previous close < d <= this close. The statement is charged to the bank
on the card's charge day, the first one strictly after the close. Its total is the
purchases minus the refunds; a statement whose refunds exceed its purchases is charged
nothing and carries the credit to the next one (a card company does not pay out).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Literal

from domain.rules.money import ZERO
from domain.rules.recurrence import add_months, clamp_day

Flow = Literal["income", "expense"]


@dataclass(frozen=True)
class CardCycle:
    """When a card closes its statement and when the bank pays it (days of the month)."""

    close_day: int
    charge_day: int

    def __post_init__(self) -> None:
        for name in ("close_day", "charge_day"):
            if not 1 <= getattr(self, name) <= 31:
                raise ValueError(f"{name} must be 1 to 31")


@dataclass(frozen=True)
class CardLine:
    """A movement on a card: a purchase (expense) or a refund (income), amount positive."""

    date: date
    amount: Decimal
    type: Flow
    description: str = ""


@dataclass(frozen=True)
class Statement:
    """One statement: its period (after `opens_after`, up to `closes`), charge day, lines.

    `total` is what the bank pays on `charge`: purchases minus refunds, plus the credit
    carried in (negative), never below zero; `carried` is the credit passed on.
    """

    opens_after: date
    closes: date
    charge: date
    lines: tuple[CardLine, ...]
    purchases: Decimal
    refunds: Decimal
    carried_in: Decimal
    total: Decimal
    carried: Decimal


def _close_in(year: int, month: int, cycle: CardCycle) -> date:
    return clamp_day(year, month, cycle.close_day)


def statement_close(cycle: CardCycle, day: date) -> date:
    """The close date of the statement a movement dated `day` lies on."""
    this = _close_in(day.year, day.month, cycle)
    if day <= this:
        return this
    return _close_in(*add_months(day.year, day.month, 1), cycle)


def previous_close(cycle: CardCycle, closes: date) -> date:
    """The close date before `closes` (the exclusive start of its period)."""
    return _close_in(*add_months(closes.year, closes.month, -1), cycle)


def charge_date(cycle: CardCycle, closes: date) -> date:
    """The day the bank pays a statement: the first charge day strictly after its close."""
    same = clamp_day(closes.year, closes.month, cycle.charge_day)
    if same > closes:
        return same
    return clamp_day(*add_months(closes.year, closes.month, 1), cycle.charge_day)


def last_charged_close(cycle: CardCycle, today: date) -> date:
    """The newest statement close whose charge day is on or before today (history by then)."""
    closes = statement_close(cycle, today)
    while charge_date(cycle, closes) > today:
        closes = previous_close(cycle, closes)
    return closes


def statement_charged_near(cycle: CardCycle, day: date, *, days: int = 3) -> date | None:
    """The close of the statement charged within `days` of a day (the nearest), if any.

    A bank line paying a card on about its charge day is that statement's charge.
    """
    closes = statement_close(cycle, day)
    near = []
    for _ in range(3):
        closes = previous_close(cycle, closes)
    for _ in range(5):
        gap = abs((charge_date(cycle, closes) - day).days)
        if gap <= days:
            near.append((gap, closes))
        closes = statement_close(cycle, closes + timedelta(days=1))
    return min(near)[1] if near else None


def build_statements(cycle: CardCycle, lines: Iterable[CardLine]) -> list[Statement]:
    """The statements the lines fall on, oldest first, with their totals and carried credit."""
    by_close: dict[date, list[CardLine]] = defaultdict(list)
    for line in lines:
        if line.amount <= ZERO:
            raise ValueError("a card line's amount must be positive")
        by_close[statement_close(cycle, line.date)].append(line)
    statements, credit = [], ZERO
    for closes in sorted(by_close):
        held = tuple(sorted(by_close[closes], key=lambda line: line.date))
        bought = sum((line.amount for line in held if line.type == "expense"), ZERO)
        returned = sum((line.amount for line in held if line.type == "income"), ZERO)
        balance = bought - returned - credit
        statements.append(
            Statement(
                opens_after=previous_close(cycle, closes),
                closes=closes,
                charge=charge_date(cycle, closes),
                lines=held,
                purchases=bought,
                refunds=returned,
                carried_in=credit,
                total=max(balance, ZERO),
                carried=max(-balance, ZERO),
            )
        )
        credit = max(-balance, ZERO)
    return statements


def bank_debits(cycle: CardCycle, lines: Iterable[CardLine]) -> list[tuple[date, Decimal]]:
    """The card's movements as the bank sees them: one debit per statement, on its charge day."""
    return [(s.charge, s.total) for s in build_statements(cycle, lines) if s.total > ZERO]
