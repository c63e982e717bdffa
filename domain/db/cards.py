"""Read-model queries over accounts and the movements on cards, as pure card lines."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from functools import cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.db.models import Account, Transaction, Transfer
from domain.rules.card_views import convert_between
from domain.rules.cards import CardCycle, CardLine
from domain.rules.currency import RateTable

CARD_KINDS = ("credit_card", "debit_card")


def cycle_of(card: Any) -> CardCycle:
    """A credit card's cycle (close day and charge day)."""
    if card.kind != "credit_card" or card.close_day is None or card.charge_day is None:
        raise ValueError("only a credit card has a statement cycle")
    return CardCycle(card.close_day, card.charge_day)


def household_accounts(
    session: Session, household_id: int, *, archived: bool = True
) -> list[Account]:
    """The household's accounts in their order (archived ones too unless told otherwise)."""
    query = select(Account).where(Account.household_id == household_id)
    if not archived:
        query = query.where(Account.archived_at.is_(None))
    return list(session.scalars(query.order_by(Account.sort_order, Account.id)))


def card_lines(
    session: Session,
    household_id: int,
    card_id: int,
    *,
    after: date,
    through: date,
    currency: str,
    rates: Callable[[], RateTable],
) -> list[CardLine]:
    """What moved on a card in (after, through]: purchases, refunds and payments by hand.

    A purchase is an expense line; a refund (income on the card) and a transfer into the
    card that is not a statement's own charge (a payment by hand) reduce what the bank
    is charged, so they are income lines. Money taken out of the card is a purchase.
    Amounts are in the card's `currency`: a transaction recorded in another is converted
    at its date's rate (`rates` is asked only then; a missing rate is refused, 422).
    """
    table = cache(rates)
    rows = session.execute(
        select(
            Transaction.date,
            Transaction.amount,
            Transaction.currency,
            Transaction.type,
            Transaction.description,
        )
        .where(
            Transaction.household_id == household_id,
            Transaction.account_id == card_id,
            Transaction.date > after,
            Transaction.date <= through,
        )
        .order_by(Transaction.date, Transaction.id)
    ).all()
    lines = [
        CardLine(
            r.date,
            convert_between(r.amount, r.currency, currency, r.date, table())
            if r.currency != currency
            else r.amount,
            r.type,
            r.description,
        )
        for r in rows
    ]
    transfers = session.execute(
        select(Transfer.date, Transfer.amount, Transfer.to_amount, Transfer.to_account_id)
        .where(
            Transfer.household_id == household_id,
            (Transfer.to_account_id == card_id) | (Transfer.from_account_id == card_id),
            Transfer.source != "card_statement",
            Transfer.date > after,
            Transfer.date <= through,
        )
        .order_by(Transfer.date, Transfer.id)
    ).all()
    for t in transfers:
        if t.to_account_id == card_id:
            lines.append(CardLine(t.date, t.to_amount or t.amount, "income", "Payment"))
        else:
            lines.append(CardLine(t.date, t.amount, "expense", "Transfer out"))
    return sorted(lines, key=lambda line: line.date)


def cards_charged_to(cards: Sequence[Account], bank_id: int) -> list[Account]:
    """The credit cards a bank account pays."""
    return [c for c in cards if c.kind == "credit_card" and c.charged_to_id == bank_id]
