"""Card statements: a credit card's past and coming statements, its charges due, its exposure.

A statement is derived from the data, never stored: the card's purchases, refunds and
payments by hand (`card_lines`), and, on statements not charged yet, the occurrences of
recurring sources on the card that are not booked yet (a plan's parts, one per month; a
subscription on its date). Only the charge is stored, by the booking pass.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from domain.db.card_bookings import CardCharge, ChargeRecord, charge_records
from domain.db.cards import card_lines, cycle_of
from domain.db.models import Account, Household
from domain.db.recurring import load_specs, unbooked_occurrences
from domain.errors import InvalidInputError
from domain.rules.card_views import (
    Exposure,
    PlannedLine,
    StatementStatus,
    closes_between,
    convert_between,
    credit_exposure,
    due_statements,
    every_statement,
    next_close,
    planned_lines,
    statement_status,
    still_to_charge,
)
from domain.rules.cards import (
    CardLine,
    Statement,
    build_statements,
    last_charged_close,
    previous_close,
    statement_close,
)
from domain.rules.currency import RateTable
from domain.rules.money import ZERO
from domain.rules.occurrences import Occurrence
from domain.services.accounts import get_account, list_accounts
from domain.services.rates import rate_table

PAST_MAX = 120
ALL_SOURCES = ("fixed", "installment", "loan")
COMING_MAX = 36
ALL_TIME = date.min


@dataclass(frozen=True)
class StatementLine:
    """A line of a statement: `planned` for a recurring occurrence not booked yet."""

    date: date
    amount: Decimal  # positive: a purchase is an expense, a refund or a payment income
    type: str
    description: str
    planned: bool


@dataclass(frozen=True)
class StatementView:
    """One statement of a card, where it stands and, once charged, its transfer.

    `total` is what the data says the bank pays; `charged_amount` what was booked (the
    transfer's amount on the card), which differs when lines were changed after the charge.
    """

    opens_after: date
    closes: date
    charge: date
    status: StatementStatus
    lines: tuple[StatementLine, ...]
    purchases: Decimal
    refunds: Decimal
    carried_in: Decimal
    total: Decimal
    carried: Decimal
    transfer_id: int | None
    charged_amount: Decimal | None


@dataclass(frozen=True)
class CardStatements:
    """A credit card's statements: past ones (oldest first), the open one, coming ones."""

    card_id: int
    currency: str
    past: tuple[StatementView, ...]
    open: StatementView
    coming: tuple[StatementView, ...]


def credit_card(session: Session, household: Household, card_id: int) -> Account:
    """One of the household's credit cards: another household's is not found (404)."""
    card = get_account(session, household, card_id)
    if card.kind != "credit_card":
        raise InvalidInputError("account_id", "only a credit card has statements")
    return card


def _check_count(name: str, value: int, most: int) -> None:
    if not 0 <= value <= most:
        raise InvalidInputError(name, f"must be 0 to {most}")


def _rates(session: Session, card: Any) -> Callable[[], RateTable]:
    """The card's household's rates, read when first asked for."""
    return lambda: rate_table(session, session.get_one(Household, card.household_id))


def _lines(session: Session, card: Any, *, through: date) -> list[CardLine]:
    """Every line on the card through a day, in its currency."""
    return card_lines(
        session,
        card.household_id,
        card.id,
        after=ALL_TIME,
        through=through,
        currency=card.currency,
        rates=_rates(session, card),
    )


def _planned(
    session: Session, card: Account, specs_end: date | None, *, kinds: tuple[str, ...]
) -> list[Occurrence]:
    """The card's recurring parts not booked yet, in its currency (as its lines are)."""
    specs = [
        spec
        for spec in load_specs(session, [card.household_id], account_id=card.id)
        if spec.info.kind in kinds
    ]
    found = unbooked_occurrences(session, specs, specs_end)
    if all(o.currency == card.currency for o in found):
        return found
    table = _rates(session, card)()
    return [
        o
        if o.currency == card.currency
        else replace(
            o,
            amount=convert_between(o.amount, o.currency, card.currency, o.due_date, table),
            currency=card.currency,
        )
        for o in found
    ]


def _view(
    statement: Statement, status: StatementStatus, record: ChargeRecord | None
) -> StatementView:
    lines = tuple(
        StatementLine(
            line.date, line.amount, line.type, line.description, isinstance(line, PlannedLine)
        )
        for line in statement.lines
    )
    return StatementView(
        statement.opens_after,
        statement.closes,
        statement.charge,
        status,
        lines,
        statement.purchases,
        statement.refunds,
        statement.carried_in,
        statement.total,
        statement.carried,
        record.transfer_id if record else None,
        record.amount if record else None,
    )


def _statuses(
    session: Session, card: Account, today: date, lines: list[CardLine], planned: list[Occurrence]
) -> tuple[list[Statement], dict[date, ChargeRecord], Callable[[date], StatementStatus]]:
    """The card's statements over every line, its charges, and where a statement stands."""
    cycle = cycle_of(card)
    records = charge_records(session, card.household_id, card.id)
    extra = still_to_charge(cycle, planned_lines(planned), card.booked_through, set(records))

    def status(closes: date) -> StatementStatus:
        return statement_status(
            cycle,
            closes,
            today=today,
            booked_through=card.booked_through,
            charged=closes in records,
        )

    return build_statements(cycle, [*lines, *extra]), records, status


def card_statements(
    session: Session,
    household: Household,
    card_id: int,
    today: date,
    *,
    past: int = 12,
    coming: int = 3,
) -> CardStatements:
    """A credit card's last `past` statements, the open one and the next `coming`, with lines.

    404 for another household's card, 422 for an account that is not a credit card.
    """
    _check_count("past", past, PAST_MAX)
    _check_count("coming", coming, COMING_MAX)
    card = credit_card(session, household, card_id)
    cycle = cycle_of(card)
    first = last = statement_close(cycle, today)
    for _ in range(past):
        first = previous_close(cycle, first)
    for _ in range(coming):
        last = next_close(cycle, last)
    lines = _lines(session, card, through=last)
    planned = _planned(session, card, last + timedelta(days=1), kinds=ALL_SOURCES)
    built, records, status = _statuses(session, card, today, lines, planned)
    shown = [
        _view(s, status(s.closes), records.get(s.closes))
        for s in every_statement(cycle, built, closes_between(cycle, first, last))
    ]
    return CardStatements(
        card.id, card.currency, tuple(shown[:past]), shown[past], tuple(shown[past + 1 :])
    )


def card_exposure(session: Session, household: Household, card: Account, today: date) -> Exposure:
    """A credit card's exposure (obligo) on `today`, against its limit.

    used = closed statements not yet charged + the open statement so far + every future
    installment part on the card; a subscription counts once it is booked.
    """
    card = credit_card(session, household, card.id)  # the household's, and a credit card
    lines = _lines(session, card, through=date.max)
    planned = _planned(session, card, None, kinds=("installment",))
    built, _, status = _statuses(session, card, today, lines, planned)
    return credit_exposure(((s, status(s.closes)) for s in built), card.credit_limit)


def household_exposures(session: Session, household: Household, today: date) -> dict[int, Exposure]:
    """The exposure of each of the household's open credit cards, by card id."""
    return {
        card.id: card_exposure(session, household, card, today)
        for card in list_accounts(session, household)
        if card.kind == "credit_card"
    }


def charges_due(session: Session, card: Any, today: date) -> tuple[list[CardCharge], date]:
    """The statements of a card (a row of `load_cards`) to charge on `today`, and the watermark.

    Each statement closed after the card's watermark whose charge day has come, from the
    card's recorded lines (the pass books the recurring occurrences first): a transfer
    from its bank on the charge day of the statement's total; zero books only the key.
    """
    cycle = cycle_of(card)
    through = last_charged_close(cycle, today)
    if card.booked_through is not None and through <= card.booked_through:
        return [], through
    lines = _lines(session, card, through=through)
    due = due_statements(
        build_statements(cycle, lines), booked_through=card.booked_through, today=today
    )
    return [_charge(session, card, s) for s in due], through


def _charge(session: Session, card: Any, statement: Statement) -> CardCharge:
    amount, to_amount = statement.total, None
    if card.currency != card.bank_currency and statement.total > ZERO:
        table = _rates(session, card)()
        amount = convert_between(
            statement.total, card.currency, card.bank_currency, statement.charge, table
        )
        to_amount = statement.total
    return CardCharge(
        card.household_id,
        card.id,
        card.charged_to_id,
        statement.closes,
        statement.charge,
        amount,
        to_amount,
        f"{card.name} ({statement.closes:%d/%m/%Y})",
    )
