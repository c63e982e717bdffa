"""Card statement charges in the database: the cards to charge, their keys, booking them once.

A statement's charge is a transfer from the card's bank account to the card, keyed in
`recurring_bookings` by (card_statement, card id, statement close). The key and the
transfer are written by one statement, the key first: only a claimed key gets its
transfer, so two passes at once book it once, and a charge deleted since stays deleted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Row, select, text
from sqlalchemy.orm import Session

from domain.db.actors import unaudited
from domain.db.models import Account, RecurringBooking, Transfer
from domain.db.recurring import any_of

STATEMENT_KIND = "card_statement"


@dataclass(frozen=True)
class CardCharge:
    """One statement's charge: `amount` leaves the bank on `charge`; zero books only the key.

    `to_amount` is what arrives on the card when the two accounts' currencies differ.
    """

    household_id: int
    card_id: int
    bank_id: int
    closes: date
    charge: date
    amount: Decimal
    to_amount: Decimal | None
    description: str


@dataclass(frozen=True)
class ChargeRecord:
    """A statement's booking key, and its transfer while it exists."""

    closes: date
    transfer_id: int | None
    amount: Decimal | None  # what arrived on the card


def load_cards(
    session: Session, household_ids: Sequence[int], *, card_id: int | None = None
) -> list[Row[Any]]:
    """The credit cards of the households (archived ones too), with their bank's currency.

    Plain rows, not ORM objects: the pass moves their watermark with a set-based update.
    """
    cards, bank = Account.__table__, Account.__table__.alias("bank")
    query = (
        select(cards, bank.c.currency.label("bank_currency"))
        .join(bank, bank.c.id == cards.c.charged_to_id)
        .where(cards.c.kind == "credit_card", cards.c.household_id == any_of(household_ids))
        .order_by(cards.c.household_id, cards.c.id)
    )
    if card_id is not None:
        query = query.where(cards.c.id == card_id)
    return list(session.execute(query).all())


def charge_records(session: Session, household_id: int, card_id: int) -> dict[date, ChargeRecord]:
    """Every booked statement of a card by close date, with its transfer if it still exists."""
    rows = session.execute(
        select(
            RecurringBooking.due_date,
            RecurringBooking.transfer_id,
            Transfer.amount,
            Transfer.to_amount,
        )
        .outerjoin(Transfer, Transfer.id == RecurringBooking.transfer_id)
        .where(
            RecurringBooking.household_id == household_id,
            RecurringBooking.source_kind == STATEMENT_KIND,
            RecurringBooking.source_id == card_id,
        )
    ).all()
    return {
        r.due_date: ChargeRecord(r.due_date, r.transfer_id, r.to_amount or r.amount) for r in rows
    }


BOOK_CHARGES_SQL = text(
    """
WITH due AS (
    SELECT * FROM unnest(
        CAST(:household_ids AS bigint[]), CAST(:card_ids AS bigint[]), CAST(:bank_ids AS bigint[]),
        CAST(:closes AS date[]), CAST(:charges AS date[]), CAST(:amounts AS numeric[]),
        CAST(:to_amounts AS numeric[]), CAST(:descriptions AS text[])
    ) AS d(household_id, card_id, bank_id, closes, charge, amount, to_amount, description)
), keyed AS MATERIALIZED (
    SELECT due.*,
           CASE WHEN amount > 0 THEN nextval(pg_get_serial_sequence('transfers', 'id')) END
               AS transfer_id
      FROM due
), claimed AS (
    INSERT INTO recurring_bookings
        (household_id, source_kind, source_id, due_date, transfer_id, job_run_id)
    SELECT household_id, 'card_statement', card_id, closes, transfer_id, :job_run_id FROM keyed
    ON CONFLICT (source_kind, source_id, due_date) DO NOTHING
    RETURNING household_id, transfer_id
), moved AS (
    INSERT INTO transfers
        (id, household_id, date, amount, from_account_id, to_account_id, to_amount,
         description, notes, source)
    SELECT k.transfer_id, k.household_id, k.charge, k.amount, k.bank_id, k.card_id,
           k.to_amount, k.description, '', 'card_statement'
      FROM keyed k JOIN claimed c ON c.transfer_id = k.transfer_id
    RETURNING id
)
SELECT household_id, transfer_id FROM claimed
"""
)


def book_charges(
    session: Session, charges: Sequence[CardCharge], *, job_run_id: int | None = None
) -> list[tuple[int, int | None]]:
    """Book statement charges exactly once, in one statement.

    Returns (household id, transfer id) for each key this call claimed: the transfer id
    is None for a statement with nothing to charge (its key is booked, no transfer).
    A key that exists already (charged before, even if the transfer was deleted) books
    nothing. Every data-modifying part of the statement runs whether or not it is read.
    """
    if not charges:
        return []
    params = {
        "household_ids": [c.household_id for c in charges],
        "card_ids": [c.card_id for c in charges],
        "bank_ids": [c.bank_id for c in charges],
        "closes": [c.closes for c in charges],
        "charges": [c.charge for c in charges],
        "amounts": [c.amount for c in charges],
        "to_amounts": [c.to_amount for c in charges],
        "descriptions": [c.description for c in charges],
        "job_run_id": job_run_id,
    }
    return [(r.household_id, r.transfer_id) for r in session.execute(BOOK_CHARGES_SQL, params)]


def claim_charge(
    session: Session, household_id: int, card_id: int, closes: date, transfer_id: int | None
) -> bool:
    """Key a statement's charge to a transfer recorded otherwise (imported, seeded).

    False if the statement was keyed already. No transfer: a statement with nothing to pay.
    """
    claimed = session.execute(
        text(
            "INSERT INTO recurring_bookings"
            " (household_id, source_kind, source_id, due_date, transfer_id)"
            " VALUES (:household_id, 'card_statement', :card_id, :closes, :transfer_id)"
            " ON CONFLICT (source_kind, source_id, due_date) DO NOTHING RETURNING id"
        ),
        {
            "household_id": household_id,
            "card_id": card_id,
            "closes": closes,
            "transfer_id": transfer_id,
        },
    ).first()
    return claimed is not None


def advance_cards(session: Session, through: dict[int, date]) -> None:
    """Record the last statement close processed per card (never moving it back).

    Bookkeeping, not a change anybody made: the audit trigger is switched off for it.
    Card objects the session holds forget their watermark, so they read it again.
    """
    if not through:
        return
    with unaudited(session):
        session.execute(
            text(
                "UPDATE accounts AS a SET booked_through = u.through "
                "FROM unnest(CAST(:ids AS bigint[]), CAST(:throughs AS date[])) AS u(id, through) "
                "WHERE a.id = u.id AND a.kind = 'credit_card' "
                "AND (a.booked_through IS NULL OR a.booked_through < u.through)"
            ),
            {"ids": list(through), "throughs": list(through.values())},
        )
    for held in list(session.identity_map.values()):
        if isinstance(held, Account) and held.id in through:
            session.expire(held, ["booked_through"])
