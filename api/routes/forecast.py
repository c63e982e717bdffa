"""Forecast routes: daily, weekly and monthly paths, summary, what-if, scenarios."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query, status
from sqlalchemy.orm import Session

from api.deps import HouseholdDep, SessionDep, TodayDep, computes_only
from api.schemas.common import MONTH_PATTERN, Id, PathId
from api.schemas.forecast import (
    AffordIn,
    AffordOut,
    CautiousOut,
    CompareIn,
    ComparisonMonthOut,
    ComparisonOut,
    DayOut,
    DriverOut,
    EventOut,
    PeriodOut,
    SafeToSpendOut,
    ScenarioIn,
    ScenarioOut,
    ScenarioPatch,
    SummaryOut,
    WhatIfIn,
    operations_payload,
)
from domain.db.models import Household
from domain.errors import InvalidInputError
from domain.rules.affordability import afford_message
from domain.rules.forecast import Forecast
from domain.rules.forecast_views import (
    SAFE_RULE,
    SafeToSpend,
    Summary,
    aggregate,
    explain_month,
    summarize,
)
from domain.services import forecasting, scenarios
from domain.services.household_settings import WEEKDAY, get_household_settings

router = APIRouter(prefix="/forecast", tags=["forecast"])
Months = Annotated[int | None, Query(ge=1, le=36, description="horizon in months")]
AccountFilter = Annotated[
    Id | None,
    Query(
        description="one account's path (a bank account with its cards' charges, a card's"
        " debt); left out: the household's bank, savings and cash"
    ),
]


def _days(forecast: Forecast) -> list[DayOut]:
    return [DayOut.model_validate(row) for row in forecast.daily.to_dict("records")]


def _periods(
    session: Session, household: Household, forecast: Forecast, period: Any
) -> list[PeriodOut]:
    week_start = WEEKDAY[get_household_settings(session, household).week_start]
    frame = aggregate(forecast, period, week_start=week_start)
    return [PeriodOut.model_validate(row) for row in frame.to_dict("records")]


def safe_out(safe: SafeToSpend) -> SafeToSpendOut:
    """Safe to spend as its response body."""
    return SafeToSpendOut(
        amount=safe.amount,
        balance=safe.balance,
        committed=safe.committed,
        warning=safe.warning,
        next_income=safe.next_income,
        commitments=[EventOut.model_validate(e) for e in safe.commitments],
        rule=SAFE_RULE,
        headroom=safe.headroom,
        lowest=safe.lowest,
        lowest_date=safe.lowest_date,
        binding=safe.binding,
        binding_date=safe.binding_date,
        drivers=[EventOut.model_validate(e) for e in safe.drivers],
        everyday_spending=safe.everyday,
        shortfall=safe.shortfall,
        reason=safe.reason,
        cautious=CautiousOut(
            amount=safe.cautious, lowest=safe.cautious_lowest, lowest_date=safe.cautious_date
        ),
    )


def summary_out(summary: Summary) -> SummaryOut:
    """A summary as its response body."""
    return SummaryOut.model_validate(
        {
            **{k: v for k, v in summary.__dict__.items() if k not in {"safe", "crossings"}},
            "safe_to_spend": safe_out(summary.safe),
        }
    )


@router.get("")
def monthly_forecast(
    *,
    household: HouseholdDep,
    session: SessionDep,
    today: TodayDep,
    months: Months = None,
    account_id: AccountFilter = None,
) -> list[PeriodOut]:
    """The forecast month by month, with each month's lowest balance and its date."""
    forecast = forecasting.forecast_for(
        session, household, today, months=months, account_id=account_id
    )
    return _periods(session, household, forecast, "monthly")


@router.get("/daily")
def daily_forecast(
    *,
    household: HouseholdDep,
    session: SessionDep,
    today: TodayDep,
    months: Months = None,
    include_history: bool | None = None,
    account_id: AccountFilter = None,
) -> list[DayOut]:
    """The balance day by day: P50 path, P10 to P90 band, chance of dipping."""
    forecast = forecasting.forecast_for(
        session,
        household,
        today,
        months=months,
        include_history=include_history,
        account_id=account_id,
    )
    return _days(forecast)


@router.get("/weekly")
def weekly_forecast(
    *,
    household: HouseholdDep,
    session: SessionDep,
    today: TodayDep,
    months: Months = None,
    account_id: AccountFilter = None,
) -> list[PeriodOut]:
    """The forecast week by week (weeks start on the household's week start)."""
    forecast = forecasting.forecast_for(
        session, household, today, months=months, account_id=account_id
    )
    return _periods(session, household, forecast, "weekly")


@router.get("/summary")
def forecast_summary(
    *,
    household: HouseholdDep,
    session: SessionDep,
    today: TodayDep,
    months: Months = None,
    account_id: AccountFilter = None,
) -> SummaryOut:
    """Lowest point and its date, first dips, end balance, safe to spend until next income."""
    forecast = forecasting.forecast_for(
        session, household, today, months=months, account_id=account_id
    )
    return summary_out(summarize(forecast))


@router.get("/explain")
def explain(
    *,
    household: HouseholdDep,
    session: SessionDep,
    today: TodayDep,
    month: Annotated[str, Query(pattern=MONTH_PATTERN, examples=["2027-01"])],
    months: Months = None,
    account_id: AccountFilter = None,
) -> list[DriverOut]:
    """The items that drive a month, largest first."""
    forecast = forecasting.forecast_for(
        session, household, today, months=months, account_id=account_id
    )
    first = dt.date.fromisoformat(f"{month}-01")
    return [DriverOut.model_validate(d) for d in explain_month(forecast, first)]


@router.post("/what-if")
@computes_only
def what_if(
    body: WhatIfIn, household: HouseholdDep, session: SessionDep, today: TodayDep
) -> ComparisonOut:
    """Try operations without saving them: the scenario beside the baseline."""
    operations = operations_payload(body.operations)
    return _compare(
        session, household, today, operations, months=body.months, account_id=body.account_id
    )


@router.post("/affordability")
@computes_only
def afford(
    body: AffordIn, household: HouseholdDep, session: SessionDep, today: TodayDep
) -> AffordOut:
    """The fewest installments (1 to 36) that keep the forecast above the warning level."""
    answer = forecasting.affordability(
        session,
        household,
        today,
        amount=body.amount,
        on=body.date or today,
        account_id=body.account_id,
    )
    return AffordOut(
        affordable=answer.installments is not None,
        installments=answer.installments,
        monthly_payment=answer.monthly_payment,
        lowest=answer.lowest,
        lowest_date=answer.lowest_date,
        warning=answer.warning,
        checked_from=answer.checked_from,
        checked_through=answer.checked_through,
        message=afford_message(answer),
    )


def _compare(
    session: Session,
    household: Household,
    today: dt.date,
    operations: list[dict[str, Any]],
    *,
    months: int | None,
    account_id: int | None,
) -> ComparisonOut:
    result = forecasting.compare(
        session, household, today, operations, months=months, account_id=account_id
    )
    base = aggregate(result.baseline, "monthly")
    other = aggregate(result.scenario, "monthly")
    rows = [
        ComparisonMonthOut(
            period=b["period"],
            baseline_closing=b["closing"],
            scenario_closing=s["closing"],
            difference=s["closing"] - b["closing"],
            baseline_lowest=b["lowest"],
            scenario_lowest=s["lowest"],
        )
        for b, s in zip(base.to_dict("records"), other.to_dict("records"), strict=True)
    ]
    return ComparisonOut(
        months=rows,
        baseline=summary_out(result.baseline_summary),
        scenario=summary_out(result.scenario_summary),
    )


@router.post("/compare")
@computes_only
def compare(
    body: CompareIn, household: HouseholdDep, session: SessionDep, today: TodayDep
) -> ComparisonOut:
    """A saved scenario (or inline operations) beside the baseline."""
    if body.scenario_id is not None:
        operations = scenarios.get_scenario(session, household, body.scenario_id).operations
    elif body.operations:
        operations = operations_payload(body.operations)
    else:
        raise InvalidInputError("scenario_id", "give a scenario id or operations")
    return _compare(
        session, household, today, operations, months=body.months, account_id=body.account_id
    )


@router.get("/scenarios")
def list_scenarios(household: HouseholdDep, session: SessionDep) -> list[ScenarioOut]:
    """The household's scenarios."""
    return [ScenarioOut.model_validate(s) for s in scenarios.list_scenarios(session, household)]


@router.post("/scenarios", status_code=status.HTTP_201_CREATED)
def create_scenario(
    body: ScenarioIn, household: HouseholdDep, session: SessionDep, today: TodayDep
) -> ScenarioOut:
    """Save a scenario."""
    made = scenarios.create_scenario(
        session,
        household,
        name=body.name,
        operations=operations_payload(body.operations),
        today=today,
    )
    return ScenarioOut.model_validate(made)


@router.get("/scenarios/{scenario_id:int}")
def get_scenario(scenario_id: PathId, household: HouseholdDep, session: SessionDep) -> ScenarioOut:
    """One scenario."""
    return ScenarioOut.model_validate(scenarios.get_scenario(session, household, scenario_id))


@router.put("/scenarios/{scenario_id:int}")
def update_scenario(
    scenario_id: PathId,
    body: ScenarioPatch,
    household: HouseholdDep,
    session: SessionDep,
    today: TodayDep,
) -> ScenarioOut:
    """Rename a scenario or replace its operations."""
    operations = operations_payload(body.operations) if body.operations is not None else None
    changed = scenarios.update_scenario(
        session, household, scenario_id, today=today, name=body.name, operations=operations
    )
    return ScenarioOut.model_validate(changed)


@router.delete("/scenarios/{scenario_id:int}", status_code=status.HTTP_204_NO_CONTENT)
def delete_scenario(scenario_id: PathId, household: HouseholdDep, session: SessionDep) -> None:
    """Delete a scenario."""
    scenarios.delete_scenario(session, household, scenario_id)


@router.get("/scenarios/{scenario_id:int}/compute")
def compute_scenario(
    *,
    scenario_id: PathId,
    household: HouseholdDep,
    session: SessionDep,
    today: TodayDep,
    months: Months = None,
    account_id: AccountFilter = None,
) -> list[DayOut]:
    """The scenario's daily forecast (of one account when given)."""
    operations = scenarios.get_scenario(session, household, scenario_id).operations
    forecast = forecasting.forecast_for(
        session, household, today, months=months, operations=operations, account_id=account_id
    )
    return _days(forecast)
