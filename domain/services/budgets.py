"""Budgets: set, override, list, delete, each category's settings, and the month's summary.

Budgets belong to the money's owner. Today that is the household; when households land, only
`_owner` changes: every query below is scoped through it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from domain.db.budgets import budget_entries, daily_spending, monthly_spending
from domain.db.budgets import category_settings as stored_settings
from domain.db.models import Budget, Category, CategoryBudgetSettings, Household
from domain.errors import InvalidInputError, NotFoundError
from domain.i18n import N_
from domain.rules.alert_rules import Condition
from domain.rules.budgets import (
    FORECAST_MODES,
    BudgetDraft,
    BudgetLine,
    budget_chain,
    budget_changes,
    budget_conditions,
    budget_line,
    change_entries,
    check_budget,
    effective_budget,
    month_end,
    month_of,
    most_at_risk,
    next_month,
    spending_plans,
)
from domain.rules.forecast import CategoryHistory, SpendingPlan
from domain.rules.money import ZERO
from domain.services.rates import base_currency

HISTORY_MONTHS = 12


def _owner(household: Household) -> int:
    """Whose budgets these are: the one place that scopes every budget query."""
    return household.id


def _expense_category(
    session: Session, household: Household, category_id: int, *, in_path: bool = False
) -> Category:
    """One of the owner's expense categories; a reference in a body answers 422, a path 404."""
    category = session.scalars(
        select(Category).where(
            Category.id == category_id, Category.household_id == _owner(household)
        )
    ).one_or_none()
    if category is None:
        if in_path:
            raise NotFoundError(N_("category not found"))
        raise InvalidInputError("category_id", N_("no such category"))
    if category.type != "expense":
        raise InvalidInputError("category_id", N_("budgets are for expense categories only"))
    return category


def set_budget(session: Session, household: Household, draft: BudgetDraft) -> Budget:
    """Set a standing amount from a month on, or one month's override (replacing the same)."""
    draft = check_budget(draft)
    _expense_category(session, household, draft.category_id)
    upsert = pg_insert(Budget).values(
        household_id=_owner(household),
        category_id=draft.category_id,
        month=draft.month,
        kind=draft.kind,
        amount=draft.amount,
    )
    budget_id = session.scalar(
        upsert.on_conflict_do_update(
            constraint="uq_budgets_key",
            set_={"amount": upsert.excluded.amount, "updated_at": func.now()},
        ).returning(Budget.id)
    )
    session.expire_all()
    return get_budget(session, household, int(budget_id or 0))


def get_budget(session: Session, household: Household, budget_id: int) -> Budget:
    """One of the owner's budget rows."""
    budget = session.scalars(
        select(Budget).where(Budget.id == budget_id, Budget.household_id == _owner(household))
    ).one_or_none()
    if budget is None:
        raise NotFoundError(N_("budget not found"))
    return budget


def list_budgets(session: Session, household: Household, month: date | None = None) -> list[Budget]:
    """Every stored budget row, or only the rows that set each category's amount in a month."""
    query = select(Budget).where(Budget.household_id == _owner(household))
    rows = list(session.scalars(query.order_by(Budget.category_id, Budget.month, Budget.kind)))
    if month is None:
        return rows
    applying: dict[int, Budget] = {}
    for row in rows:
        if row.kind == "override" and row.month == month:
            applying[row.category_id] = row
        elif row.kind == "standing" and row.month <= month:
            held = applying.get(row.category_id)
            if held is None or (held.kind == "standing" and held.month < row.month):
                applying[row.category_id] = row
    return sorted(applying.values(), key=lambda b: b.category_id)


def delete_budget(session: Session, household: Household, budget_id: int) -> None:
    """Remove a standing amount or an override."""
    session.delete(get_budget(session, household, budget_id))
    session.flush()


def copy_previous_month(session: Session, household: Household, month: date) -> list[Budget]:
    """Give a month the amounts the month before it had, as overrides where they differ."""
    previous = next_month(month, -1)
    copied = []
    for category_id, entries in budget_entries(session, _owner(household), through=month).items():
        before = effective_budget(entries, previous)
        if before is not None and effective_budget(entries, month) != before:
            draft = BudgetDraft(category_id, month, before, "override")
            copied.append(set_budget(session, household, draft))
    return copied


def list_category_settings(session: Session, household: Household) -> list[CategoryBudgetSettings]:
    """The categories whose rollover or forecast mode was set."""
    query = select(CategoryBudgetSettings).where(
        CategoryBudgetSettings.household_id == _owner(household)
    )
    return list(session.scalars(query.order_by(CategoryBudgetSettings.category_id)))


def set_category_settings(
    session: Session,
    household: Household,
    category_id: int,
    *,
    rollover: bool | None = None,
    forecast_mode: str | None = None,
) -> CategoryBudgetSettings:
    """Turn rollover on or off, and choose what the forecast uses for the category."""
    if forecast_mode is not None and forecast_mode not in FORECAST_MODES:
        raise InvalidInputError("forecast_mode", N_("must be 'history', 'budget' or 'lower'"))
    _expense_category(session, household, category_id, in_path=True)
    changes = {
        k: v
        for k, v in {"rollover": rollover, "forecast_mode": forecast_mode}.items()
        if v is not None
    }
    upsert = pg_insert(CategoryBudgetSettings).values(
        household_id=_owner(household), category_id=category_id, **changes
    )
    statement = (
        upsert.on_conflict_do_update(
            index_elements=["household_id", "category_id"],
            set_={**{k: getattr(upsert.excluded, k) for k in changes}, "updated_at": func.now()},
        )
        if changes
        else upsert.on_conflict_do_nothing()
    )
    session.execute(statement)
    session.expire_all()
    return session.scalars(
        select(CategoryBudgetSettings).where(
            CategoryBudgetSettings.household_id == _owner(household),
            CategoryBudgetSettings.category_id == category_id,
        )
    ).one()


def month_summary(
    session: Session, household: Household, month: date, today: date
) -> list[BudgetLine]:
    """Each budgeted category's month: budget, rollover, spent, left, per day and pace.

    Spent counts the category's expenses dated in the month up to today, booked recurring
    items included.
    """
    owner = _owner(household)
    entries = budget_entries(session, owner, through=month)
    if not entries:
        return []
    first = min(e.month for found in entries.values() for e in found)
    history_start = next_month(month, -HISTORY_MONTHS)
    until = min(month_end(month), today) + timedelta(days=1)
    base = base_currency(household)
    spent = monthly_spending(session, owner, min(first, history_start), until, base=base)
    daily = daily_spending(session, owner, history_start, until, base=base)
    rollovers = stored_settings(session, owner)
    history_months = [next_month(history_start, k) for k in range(HISTORY_MONTHS)]
    lines = []
    for category_id, found in sorted(entries.items()):
        by_month = spent.get(category_id, {})
        chain = budget_chain(
            found, by_month, month, rollover=rollovers.get(category_id, (False, "history"))[0]
        )
        if not chain or chain[-1].month != month:
            continue
        lines.append(
            budget_line(
                category_id,
                chain[-1],
                today=today,
                history_daily=daily.get(category_id, {}),
                monthly_history=[by_month.get(m, ZERO) for m in history_months],
            )
        )
    return lines


@dataclass(frozen=True)
class MonthTotals:
    """A month's budgeted categories together: their budgets and what was spent in them."""

    month: date
    budget: Decimal
    spent: Decimal


def budget_history(
    session: Session, household: Household, through: date, today: date
) -> list[MonthTotals]:
    """Budget against actual over the 12 months through `through`, oldest first."""
    first = next_month(month_of(through), 1 - HISTORY_MONTHS)
    found = []
    for month in (next_month(first, k) for k in range(HISTORY_MONTHS)):
        lines = month_summary(session, household, month, today)
        if lines:
            budget = sum((line.budget for line in lines), ZERO)
            found.append(MonthTotals(month, budget, sum((line.spent for line in lines), ZERO)))
    return found


def forecast_plans(
    session: Session,
    household: Household,
    today: date,
    end: date,
    history: Sequence[CategoryHistory],
    *,
    operations: Sequence[Mapping[str, object]] = (),
) -> tuple[SpendingPlan, ...]:
    """The categories whose forecast follows their budget (their setting says budget or lower).

    A scenario's `change_budget` operations scale a category's budget from a month on, and
    that category's forecast then follows its changed budget.
    """
    owner = _owner(household)
    modes = {
        category_id: mode
        for category_id, (_, mode) in stored_settings(session, owner).items()
        if mode != "history"
    }
    changes = budget_changes(operations)
    if not modes and not changes:
        return ()
    entries = budget_entries(session, owner)
    for change in changes:
        found = entries.get(change.category_id, [])
        if not _is_expense_category(session, household, change.category_id) or not found:
            raise InvalidInputError(
                "category_id", N_("no budgeted expense category with this id"), index=change.index
            )
        entries[change.category_id] = change_entries(found, change.from_month, change.factor)
        modes[change.category_id] = "budget"
    this = month_of(today)
    spent = monthly_spending(
        session, owner, this, today + timedelta(days=1), base=base_currency(household)
    )
    return spending_plans(
        today=today,
        end=end,
        modes=modes,
        entries=entries,
        spent_this_month={c: by_month.get(this, ZERO) for c, by_month in spent.items()},
        history=history,
    )


def _is_expense_category(session: Session, household: Household, category_id: int) -> bool:
    found = session.scalar(
        select(Category.type).where(
            Category.id == category_id, Category.household_id == _owner(household)
        )
    )
    return found == "expense"


def alert_conditions(session: Session, household: Household, today: date) -> list[Condition]:
    """This month's budget alerts: categories overspent or heading over at their pace."""
    lines = month_summary(session, household, month_of(today), today)
    if not lines:
        return []
    rows = session.execute(
        select(Category.id, Category.name).where(Category.household_id == _owner(household))
    )
    names = {row.id: row.name for row in rows}
    return budget_conditions(lines, names)


def at_risk(
    session: Session, household: Household, today: date, count: int = 3
) -> list[BudgetLine]:
    """This month's budgets heading furthest over, for the home page."""
    return most_at_risk(month_summary(session, household, month_of(today), today), count)


def year_of_lines(session: Session, household: Household, today: date) -> list[BudgetLine]:
    """Every budgeted category's line for the 12 months through this one, oldest first."""
    first = next_month(month_of(today), 1 - HISTORY_MONTHS)
    months = (next_month(first, k) for k in range(HISTORY_MONTHS))
    return [line for month in months for line in month_summary(session, household, month, today)]
