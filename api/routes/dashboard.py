"""Dashboard routes: the scheduler's recent passes and what the next pass would book."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Query

from api.deps import CurrentUser, HouseholdDep, SessionDep, TodayDep
from api.routes.forecast import safe_out
from api.schemas.common import Id, UserDate
from api.schemas.forecast import (
    CategoryShareOut,
    EventOut,
    ExpenseOut,
    HealthOut,
    InstallmentSummaryOut,
    KpisOut,
    LoanSummaryOut,
    SeriesRowOut,
)
from api.schemas.recurring import JobRunOut, OccurrenceOut
from domain.db.models import Household, JobRun
from domain.rules.dates import exclusive_end
from domain.services import dashboard
from domain.services.booking import preview_booking
from domain.services.jobs import recent_job_runs, share_of

router = APIRouter(prefix="/dashboard", tags=["dashboard"])


def _run_out(run: JobRun, household: Household, *, admin: bool) -> JobRunOut:
    details = run.details or {}
    errors = details.get("errors", {})
    mine = share_of(run, household.id)
    out = JobRunOut(
        id=run.id,
        job=run.job,
        started_at=run.started_at,
        finished_at=run.finished_at,
        status=run.status,
        booked_for_you=mine.booked,
        error_for_you=mine.error,
    )
    if admin:
        out.booked_total = int(details.get("booked_total", 0) or 0)  # type: ignore[call-overload]
        out.errors_total = len(errors) if isinstance(errors, dict) else 0
    return out


@router.get("/job-status")
def job_status(
    household: HouseholdDep,
    user: CurrentUser,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> list[JobRunOut]:
    """The scheduler's latest booking passes: when, what they booked for you, errors.

    Everyone's totals are shown to the installation's administrators only.
    """
    runs = recent_job_runs(session, job="booking", limit=limit)
    return [_run_out(run, household, admin=user.is_admin) for run in runs]


@router.get("/booking-preview")
def booking_preview(
    household: HouseholdDep,
    session: SessionDep,
    today: TodayDep,
    through: UserDate | None = None,
) -> list[OccurrenceOut]:
    """What a scheduler pass up to a day (default today) would book for you, not booked."""
    due = preview_booking(session, household, through or today)
    return [OccurrenceOut.model_validate(o, from_attributes=True) for o in due]


Range = Annotated[UserDate | None, Query(description="inclusive; default this month")]
AccountFilter = Annotated[
    Id | None,
    Query(description="one account's figures (422 naming it when not the household's)"),
]


def _range(today: dt.date, start: dt.date | None, end: dt.date | None) -> tuple[dt.date, dt.date]:
    first, after = dashboard.month_bounds(today)
    return start or first, exclusive_end(end) or after


@router.get("/summary")
def summary(
    household: HouseholdDep, session: SessionDep, today: TodayDep, account_id: AccountFilter = None
) -> KpisOut:
    """Current balance, this month so far, the forecast's end and low, and safe to spend.

    `has_data` is false for an empty household (no transaction, balance or recurring item).
    With `account_id`: that account's balance (in the base currency), flows and forecast path.
    """
    k = dashboard.kpis(session, household, today, account_id=account_id)
    return KpisOut(
        balance=k.balance,
        month_income=k.month_income,
        month_expense=k.month_expense,
        month_net=k.month_net,
        forecast_end_balance=k.forecast.end_balance,
        forecast_lowest=k.forecast.lowest,
        forecast_lowest_date=k.forecast.lowest_date,
        safe_to_spend=k.forecast.safe.amount,
        next_income=k.forecast.safe.next_income,
        safe_to_spend_cautious=k.forecast.safe.cautious,
        safe_to_spend_detail=safe_out(k.forecast.safe),
        has_data=k.has_data,
    )


def _series(
    session: SessionDep,
    household: Household,
    today: dt.date,
    period: dashboard.SeriesPeriod,
    account_id: int | None,
) -> list[SeriesRowOut]:
    rows = dashboard.recent_series(session, household, today, period, account_id=account_id)
    return [SeriesRowOut.model_validate(r) for r in rows]


@router.get("/weekly")
def weekly(
    household: HouseholdDep, session: SessionDep, today: TodayDep, account_id: AccountFilter = None
) -> list[SeriesRowOut]:
    """Actual income and expenses of the last 12 weeks."""
    return _series(session, household, today, "week", account_id)


@router.get("/monthly")
def monthly(
    household: HouseholdDep, session: SessionDep, today: TodayDep, account_id: AccountFilter = None
) -> list[SeriesRowOut]:
    """Actual income and expenses of the last 12 months."""
    return _series(session, household, today, "month", account_id)


@router.get("/quarterly")
def quarterly(
    household: HouseholdDep, session: SessionDep, today: TodayDep, account_id: AccountFilter = None
) -> list[SeriesRowOut]:
    """Actual income and expenses of the last 8 quarters."""
    return _series(session, household, today, "quarter", account_id)


@router.get("/category-breakdown")
def category_breakdown(
    *,
    household: HouseholdDep,
    session: SessionDep,
    today: TodayDep,
    date_from: Range = None,
    date_to: Range = None,
    type: Literal["income", "expense"] = "expense",
    account_id: AccountFilter = None,
) -> list[CategoryShareOut]:
    """Totals per category over a range (default this month), largest first."""
    start, end = _range(today, date_from, date_to)
    found = dashboard.category_breakdown(
        session, household, start, end, flow=type, account_id=account_id
    )
    return [CategoryShareOut.model_validate(c) for c in found]


@router.get("/upcoming-payments")
def upcoming_payments(
    household: HouseholdDep, session: SessionDep, today: TodayDep, account_id: AccountFilter = None
) -> list[EventOut]:
    """Known movements in the next 30 days (of one account's path when given)."""
    found = dashboard.upcoming_payments(session, household, today, account_id=account_id)
    return [EventOut.model_validate(e) for e in found]


@router.get("/top-expenses")
def top_expenses(
    *,
    household: HouseholdDep,
    session: SessionDep,
    today: TodayDep,
    date_from: Range = None,
    date_to: Range = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
    account_id: AccountFilter = None,
) -> list[ExpenseOut]:
    """The largest expenses over a range (default this month)."""
    start, end = _range(today, date_from, date_to)
    found = dashboard.top_expenses(
        session, household, start, end, limit=limit, account_id=account_id
    )
    return [ExpenseOut.model_validate(t) for t in found]


@router.get("/installments-summary")
def installments_summary(
    household: HouseholdDep, session: SessionDep, account_id: AccountFilter = None
) -> InstallmentSummaryOut:
    """All installment plans (of one account when given) at a glance."""
    found = dashboard.installments_summary(session, household, account_id=account_id)
    return InstallmentSummaryOut.model_validate(found)


@router.get("/loans-summary")
def loans_summary(
    household: HouseholdDep, session: SessionDep, today: TodayDep, account_id: AccountFilter = None
) -> LoanSummaryOut:
    """All loans (paid from one account when given) at a glance."""
    found = dashboard.loans_summary(session, household, today, account_id=account_id)
    return LoanSummaryOut.model_validate(found)


@router.get("/financial-health")
def financial_health(household: HouseholdDep, session: SessionDep, today: TodayDep) -> HealthOut:
    """A 0-100 score; `formula` states exactly how it is computed."""
    return HealthOut.model_validate(dashboard.financial_health(session, household, today))
