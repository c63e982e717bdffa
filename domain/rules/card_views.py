"""A card's statements as the household sees them: status, planned lines, the credit used.

Pure companions of `cards`: the statements of a range of closes (empty ones too, carrying
the credit before them), where each stands (charged, history, closed, open, coming), the
statements the scheduler has to charge, and the credit exposure (obligo).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from domain.rules.cards import (
    CardCycle,
    CardLine,
    Statement,
    charge_date,
    previous_close,
    statement_close,
)
from domain.rules.currency import RateTable, convert
from domain.rules.money import CENT, ZERO
from domain.rules.occurrences import Occurrence

StatementStatus = Literal["history", "charged", "closed", "open", "coming"]
UNCHARGED: tuple[StatementStatus, ...] = ("closed", "open", "coming")


@dataclass(frozen=True)
class PlannedLine(CardLine):
    """A recurring source's occurrence on the card, not booked yet: it lands on its date."""

    source_kind: str = ""
    source_id: int = 0


def planned_lines(due: Iterable[Occurrence]) -> list[PlannedLine]:
    """Occurrences as card lines: an expense is a purchase, an income a refund."""
    return [
        PlannedLine(o.due_date, o.amount, o.type, o.description, o.kind, o.source_id) for o in due
    ]


def still_to_charge(
    cycle: CardCycle, lines: Iterable[PlannedLine], booked_through: date | None, charged: set[date]
) -> list[PlannedLine]:
    """The planned lines on statements still to charge (a charged statement's total is done).

    A source's occurrence dated in a statement already charged, or closed before the card
    was tracked, will be booked on its date but never charged by Cashflow: it is no part
    of what the bank is still to pay.
    """
    kept = []
    for line in lines:
        closes = statement_close(cycle, line.date)
        if closes not in charged and (booked_through is None or closes > booked_through):
            kept.append(line)
    return kept


def next_close(cycle: CardCycle, closes: date) -> date:
    """The close after `closes`."""
    return statement_close(cycle, closes + timedelta(days=1))


def closes_between(cycle: CardCycle, first: date, last: date) -> list[date]:
    """Every close from the one of the statement holding `first` up to `last` (inclusive)."""
    found, closes = [], statement_close(cycle, first)
    while closes <= last:
        found.append(closes)
        closes = next_close(cycle, closes)
    return found


def _empty(cycle: CardCycle, closes: date, credit: Decimal) -> Statement:
    """A statement without lines: nothing to charge, the credit passed on."""
    return Statement(
        opens_after=previous_close(cycle, closes),
        closes=closes,
        charge=charge_date(cycle, closes),
        lines=(),
        purchases=ZERO,
        refunds=ZERO,
        carried_in=credit,
        total=ZERO,
        carried=credit,
    )


def every_statement(
    cycle: CardCycle, built: Sequence[Statement], closes: Sequence[date]
) -> list[Statement]:
    """One statement per close: the built one, or an empty one carrying the credit before it.

    `built` is `build_statements`' answer (oldest first) over every line, so the credit a
    statement carries in is the one the statements before it left.
    """
    by_close = {s.closes: s for s in built}
    credit = ZERO
    for statement in built:
        if closes and statement.closes < closes[0]:
            credit = statement.carried
    shown = []
    for day in closes:
        statement = by_close.get(day) or _empty(cycle, day, credit)
        credit = statement.carried
        shown.append(statement)
    return shown


def statement_status(
    cycle: CardCycle, closes: date, *, today: date, booked_through: date | None, charged: bool
) -> StatementStatus:
    """Where the statement closing on `closes` stands on `today`.

    charged: its charge is booked (the key exists, even if the transfer was deleted);
    history: closed on or before the card's watermark without a booking (before the card
    was tracked, or nothing to charge then), so never charged by Cashflow;
    closed: closed, its charge still to book; open: it holds today; coming: later.
    """
    if charged:
        return "charged"
    if booked_through is not None and closes <= booked_through:
        return "history"
    if closes < today:
        return "closed"
    return "open" if closes == statement_close(cycle, today) else "coming"


def due_statements(
    statements: Iterable[Statement], *, booked_through: date | None, today: date
) -> list[Statement]:
    """The statements the scheduler charges now: closed after the watermark, charge day come."""
    return [
        s
        for s in statements
        if (booked_through is None or s.closes > booked_through) and s.charge <= today
    ]


def convert_between(
    amount: Decimal, currency: str, to: str, day: date, table: RateTable
) -> Decimal:
    """An amount in another currency through the base, half up to the agora."""
    if currency == to:
        return amount
    in_base = convert(amount, currency, day, table).base_amount
    if to == table.base:
        return in_base
    return (in_base / table.rate_on(to, day).rate).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Exposure:
    """A credit card's exposure (obligo): what is owed or committed, against the limit.

    `used` = closed statements not yet charged + the open statement so far + the
    statements after it (the installment parts still to come, and anything recorded
    with a later date). `available` is the limit minus `used` (negative when over);
    None without a limit.
    """

    limit: Decimal | None
    awaiting_charge: Decimal
    open_statement: Decimal
    coming: Decimal
    used: Decimal
    available: Decimal | None

    @property
    def over_limit(self) -> bool:
        """Whether more is used than the limit allows."""
        return self.available is not None and self.available < ZERO


def credit_exposure(
    statements: Iterable[tuple[Statement, StatementStatus]], limit: Decimal | None
) -> Exposure:
    """Sum the uncharged statements by where they stand."""
    sums = dict.fromkeys(UNCHARGED, ZERO)
    for statement, status in statements:
        if status in sums:
            sums[status] += statement.total
    used = sum(sums.values(), ZERO)
    available = None if limit is None else limit - used
    return Exposure(limit, sums["closed"], sums["open"], sums["coming"], used, available)
