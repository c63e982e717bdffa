"""Budget routes: set, override, list by month, delete, copy a month, settings, summary."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import HouseholdDep, SessionDep, TodayDep
from api.schemas.budgets import (
    BudgetIn,
    BudgetLineOut,
    BudgetOut,
    CategorySettingsIn,
    CategorySettingsOut,
    CopyIn,
    MonthText,
)
from api.schemas.common import Message, PathId
from domain.rules.budgets import BudgetDraft, parse_month
from domain.services import budgets

router = APIRouter(prefix="/budgets", tags=["budgets"])
MonthQuery = Annotated[MonthText, Query()]


@router.get("")
def list_budgets(
    household: HouseholdDep, session: SessionDep, month: MonthQuery | None = None
) -> list[BudgetOut]:
    """Every stored amount, or with `month` the amount that applies to each category then."""
    chosen = parse_month(month) if month else None
    return [BudgetOut.model_validate(b) for b in budgets.list_budgets(session, household, chosen)]


@router.put("")
def set_budget(body: BudgetIn, household: HouseholdDep, session: SessionDep) -> BudgetOut:
    """Set a category's standing amount from a month on, or override one month."""
    draft = BudgetDraft(body.category_id, parse_month(body.month), body.amount, body.kind)
    return BudgetOut.model_validate(budgets.set_budget(session, household, draft))


@router.post("/copy-previous")
def copy_previous(body: CopyIn, household: HouseholdDep, session: SessionDep) -> list[BudgetOut]:
    """Give a month the amounts of the month before it."""
    copied = budgets.copy_previous_month(session, household, parse_month(body.month))
    return [BudgetOut.model_validate(b) for b in copied]


@router.delete("/{budget_id:int}")
def delete_budget(budget_id: PathId, household: HouseholdDep, session: SessionDep) -> Message:
    """Remove a standing amount or an override."""
    budgets.delete_budget(session, household, budget_id)
    return Message(detail="deleted")


@router.get("/summary")
def summary(
    month: MonthQuery, household: HouseholdDep, session: SessionDep, today: TodayDep
) -> list[BudgetLineOut]:
    """Per budgeted category: budget, rollover, spent, left, per day, projected, overshoot."""
    lines = budgets.month_summary(session, household, parse_month(month), today)
    return [BudgetLineOut.model_validate(line) for line in lines]


@router.get("/settings")
def list_settings(household: HouseholdDep, session: SessionDep) -> list[CategorySettingsOut]:
    """The categories whose rollover or forecast mode was set (others: off, history)."""
    found = budgets.list_category_settings(session, household)
    return [CategorySettingsOut.model_validate(s) for s in found]


@router.put("/settings/{category_id:int}")
def set_settings(
    category_id: PathId, body: CategorySettingsIn, household: HouseholdDep, session: SessionDep
) -> CategorySettingsOut:
    """Turn a category's rollover on or off, and choose what its forecast follows."""
    changed = budgets.set_category_settings(
        session, household, category_id, **body.model_dump(exclude_unset=True)
    )
    return CategorySettingsOut.model_validate(changed)
