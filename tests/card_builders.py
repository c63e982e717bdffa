"""Small builders for card tests: a credit card, a movement on it, a payment by hand."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.db.models import Account, Household, RecurringBooking, Transaction, Transfer
from domain.rules.ledger import TransactionDraft
from domain.services.accounts import AccountDraft, create_account, default_account
from domain.services.transactions import record_transaction
from domain.services.transfers import TransferDraft, record_transfer


def make_card(
    session: Session,
    household: Household,
    *,
    added_on: date,
    close_day: int = 10,
    charge_day: int = 2,
    limit: str | None = None,
    name: str = "Visa",
    currency: str | None = None,
) -> Account:
    """A credit card charged to the household's default bank, added on `added_on`."""
    draft = AccountDraft(
        name=name,
        kind="credit_card",
        institution="Isracard",
        currency=currency,
        charged_to_id=default_account(session, household).id,
        close_day=close_day,
        charge_day=charge_day,
        credit_limit=Decimal(limit) if limit is not None else None,
    )
    return create_account(session, household, draft, today=added_on)


def on_card(
    session: Session,
    household: Household,
    card: Account,
    on: date,
    amount: str,
    *,
    refund: bool = False,
    description: str = "",
    currency: str | None = None,
) -> Transaction:
    """A purchase on the card (a refund with `refund`), in its currency unless told."""
    draft = TransactionDraft(
        date=on,
        amount=Decimal(amount),
        type="income" if refund else "expense",
        category_id=None,
        description=description,
        currency=currency,
        account_id=card.id,
    )
    return record_transaction(session, household, draft)


def pay_by_hand(
    session: Session, household: Household, card: Account, on: date, amount: str
) -> Transfer:
    """A payment into the card from its bank, outside the statement."""
    draft = TransferDraft(
        date=on,
        amount=Decimal(amount),
        from_account_id=default_account(session, household).id,
        to_account_id=card.id,
    )
    return record_transfer(session, household, draft)


def charges(session: Session, card: Account) -> list[tuple[str, Decimal, int, str]]:
    """The card's statement charges: (date, amount, from account, description)."""
    rows = session.execute(
        select(Transfer.date, Transfer.amount, Transfer.from_account_id, Transfer.description)
        .where(Transfer.to_account_id == card.id, Transfer.source == "card_statement")
        .order_by(Transfer.date, Transfer.id)
    ).all()
    return [(r.date.isoformat(), r.amount, r.from_account_id, r.description) for r in rows]


def statement_keys(session: Session, card: Account) -> list[tuple[str, bool]]:
    """The card's statement booking keys: (close date, whether its transfer exists)."""
    rows = session.execute(
        select(RecurringBooking.due_date, RecurringBooking.transfer_id)
        .where(
            RecurringBooking.source_kind == "card_statement",
            RecurringBooking.source_id == card.id,
        )
        .order_by(RecurringBooking.due_date)
    ).all()
    return [(r.due_date.isoformat(), r.transfer_id is not None) for r in rows]
