"""Forecast use cases: gather the inputs, compute, summarise, compare, afford."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from domain.db.forecast_inputs import booked_keys, future_transactions, spending_history
from domain.db.models import Household
from domain.db.recurring import load_specs
from domain.errors import InvalidInputError
from domain.rules.affordability import Affordability, afford, inputs_end
from domain.rules.forecast import Forecast, ForecastInputs, build_forecast, horizon_end
from domain.rules.forecast_views import Summary, summarize
from domain.rules.occurrences import first_due
from domain.rules.scenarios import apply_operations
from domain.services import budgets
from domain.services.balance import current_balance
from domain.services.household_settings import get_household_settings
from domain.services.rates import rate_table

MAX_HORIZON = 36


def gather_inputs(
    session: Session,
    household: Household,
    today: date,
    *,
    months: int | None = None,
    include_history: bool | None = None,
    end: date | None = None,
) -> ForecastInputs:
    """Everything the engine needs for this household, read from the database.

    The horizon is `months` (default: the household's setting), unless an exclusive `end` is given.
    """
    prefs = get_household_settings(session, household)
    horizon = months or prefs.forecast_horizon_months
    if not 1 <= horizon <= MAX_HORIZON:
        raise InvalidInputError("months", f"must be 1 to {MAX_HORIZON}")
    end = end or horizon_end(today, horizon)
    specs = load_specs(session, [household.id])
    unbooked_from = [
        s.info.booked_through + timedelta(days=1) if s.info.booked_through else first_due(s)
        for s in specs
    ]
    table = rate_table(session, household)
    history = tuple(spending_history(session, household.id, today, specs, base=table.base))
    return ForecastInputs(
        today=today,
        end=end,
        opening=current_balance(session, household, today).amount,
        transactions=tuple(future_transactions(session, household.id, today, end, table)),
        specs=tuple(specs),
        booked_keys=booked_keys(session, household.id, min(unbooked_from, default=today)),
        history=history,
        warning=prefs.warning_threshold,
        include_history=prefs.include_history if include_history is None else include_history,
        plans=budgets.forecast_plans(session, household, today, end, history),
        seed=household.id * 100_003 + today.toordinal(),
        rates=table,
    )


def forecast_for(
    session: Session,
    household: Household,
    today: date,
    *,
    months: int | None = None,
    include_history: bool | None = None,
    operations: list[dict[str, Any]] | None = None,
) -> Forecast:
    """The household's forecast, with a scenario's operations applied when given."""
    inputs = gather_inputs(
        session, household, today, months=months, include_history=include_history
    )
    if operations:
        inputs = scenario_inputs(session, household, inputs, operations)
    return build_forecast(inputs)


def scenario_inputs(
    session: Session, household: Household, inputs: ForecastInputs, operations: list[dict[str, Any]]
) -> ForecastInputs:
    """The inputs with a scenario's operations applied (budget changes become plans first)."""
    plans = budgets.forecast_plans(
        session, household, inputs.today, inputs.end, inputs.history, operations=operations
    )
    return apply_operations(replace(inputs, plans=plans), operations, household_id=household.id)


@dataclass(frozen=True)
class Comparison:
    """A scenario beside the baseline."""

    baseline: Forecast
    scenario: Forecast
    baseline_summary: Summary
    scenario_summary: Summary


def compare(
    session: Session,
    household: Household,
    today: date,
    operations: list[dict[str, Any]],
    *,
    months: int | None = None,
) -> Comparison:
    """The baseline and the scenario from the same inputs, with their summaries."""
    inputs = gather_inputs(session, household, today, months=months)
    baseline = build_forecast(inputs)
    scenario = build_forecast(scenario_inputs(session, household, inputs, operations))
    return Comparison(baseline, scenario, summarize(baseline), summarize(scenario))


def affordability(
    session: Session, household: Household, today: date, *, amount: Decimal, on: date
) -> Affordability:
    """The fewest installments (1 to 36) that keep the P50 path at or above the warning level.

    Each option is checked through a month after its last installment, at least over the
    household's forecast horizon and through the lowest point ahead, whatever that setting is.
    """
    if amount <= 0:
        raise InvalidInputError("amount", "must be greater than zero")
    if on < today:
        raise InvalidInputError("date", "must not be in the past")
    if on >= horizon_end(today, MAX_HORIZON):
        raise InvalidInputError("date", f"must be within {MAX_HORIZON} months from today")
    months = get_household_settings(session, household).forecast_horizon_months
    horizon_through = horizon_end(today, months) - timedelta(days=1)
    inputs = gather_inputs(
        session, household, today, include_history=True, end=inputs_end(on, horizon_through)
    )
    return afford(replace(inputs, paths=1), amount, on, horizon_through=horizon_through)
