"""A household's data version: one cheap read that changes whenever its money changes.

Caches of what pages compute (the forecast, the dashboard's figures) are keyed by it, so
a write by any member, the API, the CLI or the scheduler's bookings invalidates them.
"""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import ScalarSelect, func, select
from sqlalchemy.orm import Session

from domain.db.models import (
    Account,
    BalanceRecord,
    Budget,
    Category,
    CategoryBudgetSettings,
    ExchangeRate,
    FixedItem,
    FixedPause,
    Household,
    HouseholdSettings,
    InstallmentPlan,
    Loan,
    LoanPrepayment,
    RecurringBooking,
    Scenario,
    Transaction,
    Transfer,
)

# Every table a page computes from that carries the household's id.
OWNED = (
    Account,
    Transfer,
    Transaction,
    FixedItem,
    InstallmentPlan,
    Loan,
    RecurringBooking,
    BalanceRecord,
    Budget,
    CategoryBudgetSettings,
    Category,
    ExchangeRate,
    Scenario,
)
# The household settings that move what pages show (not the alerts' own fingerprint,
# which the alerts refresh writes: the version must not change because alerts were read).
SETTINGS = (
    HouseholdSettings.forecast_horizon_months,
    HouseholdSettings.warning_threshold,
    HouseholdSettings.critical_threshold,
    HouseholdSettings.week_start,
    HouseholdSettings.large_payment_share,
    HouseholdSettings.include_history,
)


def _stamp(household_id: int, model: Any) -> ScalarSelect[Any]:
    """`count|max(updated_at)` of the household's rows: an insert, update or delete moves it."""
    mark = func.concat(func.count(), "|", func.max(model.updated_at))
    return select(mark).where(model.household_id == household_id).scalar_subquery()


def _children(household_id: int) -> list[ScalarSelect[Any]]:
    """The same for rows owned through a parent: a fixed item's pauses, a loan's prepayments."""
    pauses = (
        select(func.concat(func.count(), "|", func.max(FixedPause.updated_at)))
        .join(FixedItem, FixedItem.id == FixedPause.fixed_id)
        .where(FixedItem.household_id == household_id)
    )
    prepayments = (
        select(func.concat(func.count(), "|", func.max(LoanPrepayment.updated_at)))
        .join(Loan, Loan.id == LoanPrepayment.loan_id)
        .where(Loan.household_id == household_id)
    )
    return [pauses.scalar_subquery(), prepayments.scalar_subquery()]


def data_version(session: Session, household: Household) -> str:
    """A digest that changes with any write to the household's money, sources or settings.

    One statement: each owned table's row count and latest `updated_at`, the settings'
    values and the household row's own stamp (currency, timezone).
    """
    settings = (
        select(func.concat_ws("|", *SETTINGS))
        .where(HouseholdSettings.household_id == household.id)
        .scalar_subquery()
    )
    own = select(func.concat(Household.updated_at, "|", Household.currency, Household.timezone))
    parts = [
        *(_stamp(household.id, model) for model in OWNED),
        *_children(household.id),
        settings,
        own.where(Household.id == household.id).scalar_subquery(),
    ]
    row = session.execute(select(*parts)).one()
    return hashlib.sha256("/".join(str(part) for part in row).encode()).hexdigest()[:32]
