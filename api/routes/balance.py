"""Balance routes: the current balance (the household's or one account's), readings, history."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from api.deps import HouseholdDep, SessionDep, TodayDep
from api.schemas.common import Id
from api.schemas.forecast import (
    BalanceCorrection,
    BalanceIn,
    BalanceRecordOut,
    CurrentBalanceOut,
)
from domain.errors import InvalidInputError
from domain.services import balance

router = APIRouter(prefix="/balance", tags=["balance"])
AccountFilter = Annotated[
    Id | None, Query(description="one account's balance; left out: the household's")
]


@router.get("")
def get_balance(
    household: HouseholdDep, session: SessionDep, today: TodayDep, account_id: AccountFilter = None
) -> CurrentBalanceOut:
    """The balance at the end of today: the latest reading plus what moved after it.

    The household's is its bank, savings, cash and debit card accounts in the base currency;
    one account's is in its own currency (a credit card owes: negative).
    """
    if account_id is None:
        current = balance.current_balance(session, household, today)
        return CurrentBalanceOut.model_validate(
            {
                **current.__dict__,
                "today": today,
                "currency": household.currency,
                "in_base": current.amount,
            }
        )
    found = balance.account_balances(session, household, today).get(account_id)
    if found is None:
        raise InvalidInputError("account_id", "no such account")
    return CurrentBalanceOut.model_validate({**found.__dict__, "today": today})


@router.post("", status_code=status.HTTP_201_CREATED)
def record_balance(
    body: BalanceIn, household: HouseholdDep, session: SessionDep, today: TodayDep
) -> BalanceRecordOut:
    """Record an account's balance at the end of a day (default today; default account)."""
    record = balance.record_balance(
        session,
        household,
        amount=body.amount,
        as_of=body.as_of or today,
        today=today,
        note=body.note,
        account_id=body.account_id,
    )
    return BalanceRecordOut.model_validate(record)


@router.put("")
def correct_balance(
    body: BalanceCorrection, household: HouseholdDep, session: SessionDep, today: TodayDep
) -> BalanceRecordOut:
    """Correct an account's latest reading (default account)."""
    record = balance.correct_current(
        session,
        household,
        amount=body.amount,
        today=today,
        note=body.note,
        account_id=body.account_id,
    )
    return BalanceRecordOut.model_validate(record)


@router.get("/history")
def balance_history(
    household: HouseholdDep, session: SessionDep, account_id: AccountFilter = None
) -> list[BalanceRecordOut]:
    """The readings, newest first (of one account when given)."""
    found = balance.balance_history(session, household, account_id=account_id)
    return [BalanceRecordOut.model_validate(r) for r in found]
