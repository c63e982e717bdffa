"""Small explicit builders of test data."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.db.models import Category, Household, Transaction
from domain.rules.ledger import TransactionDraft
from domain.services.transactions import record_transaction


def category_named(session: Session, household: Household, name: str) -> Category:
    """One of the household's starter categories, by English name."""
    return session.scalars(
        select(Category).where(Category.household_id == household.id, Category.name == name)
    ).one()


def make_transaction(
    session: Session,
    household: Household,
    *,
    amount: str = "12.30",
    on: date = date(2026, 1, 15),
    type: str = "expense",
    category: str | None = "Groceries",
    description: str = "",
    notes: str = "",
) -> Transaction:
    """A stored transaction with readable defaults."""
    category_id = category_named(session, household, category).id if category else None
    draft = TransactionDraft(
        date=on,
        amount=Decimal(amount),
        type=type,  # type: ignore[arg-type]
        category_id=category_id,
        description=description,
        notes=notes,
    )
    return record_transaction(session, household, draft)
