"""Balance routes: the current balance, readings and their history."""

from __future__ import annotations

from fastapi import APIRouter, status

from api.deps import HouseholdDep, SessionDep, TodayDep
from api.schemas.forecast import (
    BalanceCorrection,
    BalanceIn,
    BalanceRecordOut,
    CurrentBalanceOut,
)
from domain.services import balance

router = APIRouter(prefix="/balance", tags=["balance"])


@router.get("")
def get_balance(household: HouseholdDep, session: SessionDep, today: TodayDep) -> CurrentBalanceOut:
    """The balance at the end of today: the latest reading plus what moved after it."""
    current = balance.current_balance(session, household, today)
    return CurrentBalanceOut.model_validate({**current.__dict__, "today": today})


@router.post("", status_code=status.HTTP_201_CREATED)
def record_balance(
    body: BalanceIn, household: HouseholdDep, session: SessionDep, today: TodayDep
) -> BalanceRecordOut:
    """Record the bank balance at the end of a day (default today)."""
    record = balance.record_balance(
        session,
        household,
        amount=body.amount,
        as_of=body.as_of or today,
        today=today,
        note=body.note,
    )
    return BalanceRecordOut.model_validate(record)


@router.put("")
def correct_balance(
    body: BalanceCorrection, household: HouseholdDep, session: SessionDep, today: TodayDep
) -> BalanceRecordOut:
    """Correct the latest reading."""
    record = balance.correct_current(
        session, household, amount=body.amount, today=today, note=body.note
    )
    return BalanceRecordOut.model_validate(record)


@router.get("/history")
def balance_history(household: HouseholdDep, session: SessionDep) -> list[BalanceRecordOut]:
    """The readings, newest first."""
    return [BalanceRecordOut.model_validate(r) for r in balance.balance_history(session, household)]
