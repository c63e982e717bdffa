"""Read-model queries of the exports: streamed transactions, and a month aggregated in SQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, aliased

from domain.db.currency import in_base, require_rates
from domain.db.ledger import filter_conditions
from domain.db.models import BalanceRecord, Category, Transaction
from domain.rules.ledger import LedgerFilter
from domain.rules.money import ZERO

STREAM_ROWS = 5000
T = Transaction.__table__.c


def stream_transactions(
    session: Session, household_id: int, spec: LedgerFilter, *, hebrew: bool = False
) -> Iterator[Any]:
    """The filter's transactions oldest first with their category names, streamed.

    Rows: date, type, category, amount, description, notes, currency, source. A
    server-side cursor hands them over in batches, so memory does not grow with them.
    """
    name = func.coalesce(Category.name_he, Category.name) if hebrew else Category.name
    query = (
        select(
            T.date,
            T.type,
            name.label("category"),
            T.amount,
            T.description,
            T.notes,
            T.currency,
            T.source,
        )
        .select_from(Transaction)
        .outerjoin(
            Category, and_(Category.id == T.category_id, Category.household_id == T.household_id)
        )
        .where(*filter_conditions(household_id, spec))
        .order_by(T.date, T.id)
        .execution_options(yield_per=STREAM_ROWS)
    )
    yield from session.execute(query)


def categories_with_parents(session: Session, household_id: int) -> list[Any]:
    """Every category of the household (archived included) with its parent's name."""
    parent = aliased(Category)
    return list(
        session.execute(
            select(
                Category.name,
                Category.name_he,
                Category.type,
                parent.name.label("parent"),
                Category.color,
                Category.icon,
                (Category.archived_at.is_not(None)).label("archived"),
                Category.sort_order,
            )
            .outerjoin(
                parent, and_(parent.id == Category.parent_id, parent.household_id == household_id)
            )
            .where(Category.household_id == household_id)
            .order_by(Category.sort_order, Category.id)
        )
    )


def category_names(session: Session, household_id: int, *, hebrew: bool = False) -> dict[int, str]:
    """Id to display name of all the household's categories."""
    rows = session.execute(
        select(Category.id, Category.name, Category.name_he).where(
            Category.household_id == household_id
        )
    )
    return {r.id: (r.name_he or r.name) if hebrew else r.name for r in rows}


def spending_by_category(
    session: Session, household_id: int, start: date, end: date, *, base: str
) -> list[tuple[int | None, Decimal]]:
    """Expenses per category in [start, end) in the base currency, largest first."""
    total = func.sum(in_base(base))
    where = (T.household_id == household_id, T.type == "expense", T.date >= start, T.date < end)
    require_rates(session, base, *where)
    rows = session.execute(
        select(T.category_id, total).where(*where).group_by(T.category_id).order_by(total.desc())
    )
    return [(row[0], row[1] or ZERO) for row in rows]


def largest_expenses(
    session: Session, household_id: int, start: date, end: date, *, base: str, limit: int = 5
) -> list[Any]:
    """The month's largest expenses, their amounts in the base currency."""
    amount = in_base(base).label("amount")
    where = (T.household_id == household_id, T.type == "expense", T.date >= start, T.date < end)
    require_rates(session, base, *where)
    return list(
        session.execute(
            select(T.date, T.description, amount, T.category_id)
            .where(*where)
            .order_by(amount.desc(), T.date, T.id)
            .limit(limit)
        )
    )


def readings(session: Session, household_id: int, start: date, end: date) -> dict[date, Decimal]:
    """The recorded end-of-day balances in [start, end); the latest of a day wins."""
    rows = session.execute(
        select(BalanceRecord.as_of, BalanceRecord.amount)
        .where(
            BalanceRecord.household_id == household_id,
            BalanceRecord.as_of >= start,
            BalanceRecord.as_of < end,
        )
        .order_by(BalanceRecord.as_of, BalanceRecord.id)
    )
    return {row.as_of: row.amount for row in rows}
