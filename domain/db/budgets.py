"""Read-model queries budgets need: budget rows and each category's spending by month and day."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from sqlalchemy import ColumnElement, Date, cast, func, select
from sqlalchemy.orm import Session

from domain.db.currency import in_base, require_rates
from domain.db.models import Budget, CategoryBudgetSettings, Transaction
from domain.rules.budgets import BudgetEntry, BudgetKind, ForecastMode

Spending = dict[int, dict[date, Decimal]]


def budget_entries(
    session: Session, owner_id: int, *, through: date | None = None
) -> dict[int, list[BudgetEntry]]:
    """The owner's budget rows per category, from months up to `through` when given."""
    query = select(Budget.category_id, Budget.month, Budget.amount, Budget.kind).where(
        Budget.household_id == owner_id
    )
    if through is not None:
        query = query.where(Budget.month <= through)
    found: dict[int, list[BudgetEntry]] = defaultdict(list)
    for row in session.execute(query.order_by(Budget.month, Budget.id)):
        kind: BudgetKind = "override" if row.kind == "override" else "standing"
        found[row.category_id].append(BudgetEntry(row.month, row.amount, kind))
    return dict(found)


def category_settings(session: Session, owner_id: int) -> dict[int, tuple[bool, ForecastMode]]:
    """Each configured category's (rollover, forecast mode)."""
    rows = session.execute(
        select(
            CategoryBudgetSettings.category_id,
            CategoryBudgetSettings.rollover,
            CategoryBudgetSettings.forecast_mode,
        ).where(CategoryBudgetSettings.household_id == owner_id)
    )
    modes: dict[str, ForecastMode] = {"budget": "budget", "lower": "lower"}
    return {r.category_id: (r.rollover, modes.get(r.forecast_mode, "history")) for r in rows}


def monthly_spending(
    session: Session, owner_id: int, start: date, end: date, *, base: str
) -> Spending:
    """Expenses per category and month (keyed by the month's first day), in [start, end).

    Every expense counts: manual, imported and booked recurring ones, in the base currency.
    """
    month = cast(func.date_trunc("month", Transaction.date), Date)
    require_rates(session, base, *_expenses(owner_id, start, end))
    rows = session.execute(
        select(Transaction.category_id, month.label("month"), func.sum(in_base(base)))
        .where(*_expenses(owner_id, start, end))
        .group_by(Transaction.category_id, month)
    )
    found: Spending = defaultdict(dict)
    for category_id, first, total in rows:
        if category_id is not None:  # filtered out already; the type does not know
            found[category_id][first] = total
    return dict(found)


def daily_spending(
    session: Session, owner_id: int, start: date, end: date, *, base: str
) -> Spending:
    """Expenses per category and day in [start, end), in the base currency."""
    require_rates(session, base, *_expenses(owner_id, start, end))
    rows = session.execute(
        select(Transaction.category_id, Transaction.date, func.sum(in_base(base)))
        .where(*_expenses(owner_id, start, end))
        .group_by(Transaction.category_id, Transaction.date)
    )
    found: Spending = defaultdict(dict)
    for category_id, day, total in rows:
        if category_id is not None:
            found[category_id][day] = total
    return dict(found)


def _expenses(owner_id: int, start: date, end: date) -> list[ColumnElement[bool]]:
    return [
        Transaction.household_id == owner_id,
        Transaction.type == "expense",
        Transaction.category_id.is_not(None),
        Transaction.date >= start,
        Transaction.date < end,
    ]
