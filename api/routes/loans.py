"""Loan routes: terms, status, schedule, payments and prepayments."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, status
from sqlalchemy.orm import Session

from api.deps import HouseholdDep, SessionDep, TodayDep
from api.schemas.common import PathId
from api.schemas.recurring import LoanIn, LoanOut, LoanPatch, PeriodOut, PrepaymentIn
from domain.db.models import Loan
from domain.services import loans
from domain.services.sources import booked_dates

router = APIRouter(prefix="/loans", tags=["loans"])


def _out(session: Session, loan: Loan, today: date) -> LoanOut:
    fields = {c: getattr(loan, c) for c in LoanOut.model_fields if hasattr(loan, c)}
    where = loans.status(session, loan, today)
    return LoanOut.model_validate({**fields, **where.__dict__})


@router.get("")
def list_loans(household: HouseholdDep, session: SessionDep, today: TodayDep) -> list[LoanOut]:
    """The household's loans with their remaining balances."""
    return [_out(session, loan, today) for loan in loans.list_loans(session, household)]


@router.post("", status_code=status.HTTP_201_CREATED)
def create_loan(
    body: LoanIn, household: HouseholdDep, session: SessionDep, today: TodayDep
) -> LoanOut:
    """Add a loan; the monthly payment is computed from the terms."""
    return _out(session, loans.create_loan(session, household, **body.model_dump()), today)


@router.get("/{loan_id:int}")
def get_loan(
    loan_id: PathId, household: HouseholdDep, session: SessionDep, today: TodayDep
) -> LoanOut:
    """One loan with its payment and remaining balance."""
    return _out(session, loans.get_loan(session, household, loan_id), today)


@router.put("/{loan_id:int}")
def update_loan(
    loan_id: PathId, body: LoanPatch, household: HouseholdDep, session: SessionDep, today: TodayDep
) -> LoanOut:
    """Change a loan's terms or labels."""
    changes = body.model_dump(exclude_unset=True)
    return _out(session, loans.update_loan(session, household, loan_id, changes), today)


@router.delete("/{loan_id:int}", status_code=status.HTTP_204_NO_CONTENT)
def delete_loan(loan_id: PathId, household: HouseholdDep, session: SessionDep) -> None:
    """Delete a loan (its booked transactions stay)."""
    loans.delete_loan(session, household, loan_id)


@router.get("/{loan_id:int}/breakdown")
def loan_breakdown(
    loan_id: PathId, household: HouseholdDep, session: SessionDep
) -> list[PeriodOut]:
    """The amortization schedule: per period date, payment, principal, interest, balance."""
    loan = loans.get_loan(session, household, loan_id)
    booked = booked_dates(session, "loan", loan.id)
    return [
        PeriodOut.model_validate({**p.__dict__, "paid": p.date in booked})
        for p in loans.breakdown(session, loan)
    ]


@router.post("/{loan_id:int}/payment")
def record_loan_payment(
    loan_id: PathId, household: HouseholdDep, session: SessionDep, today: TodayDep
) -> LoanOut:
    """Record the next scheduled payment as paid today."""
    loans.record_payment(session, household, loan_id, on=today)
    return _out(session, loans.get_loan(session, household, loan_id), today)


@router.post("/{loan_id:int}/reverse-payment")
def reverse_loan_payment(
    loan_id: PathId, household: HouseholdDep, session: SessionDep, today: TodayDep
) -> LoanOut:
    """Undo the latest recorded payment."""
    loans.reverse_payment(session, household, loan_id)
    return _out(session, loans.get_loan(session, household, loan_id), today)


@router.post("/{loan_id:int}/prepayment")
def prepay_loan(
    loan_id: PathId,
    body: PrepaymentIn,
    household: HouseholdDep,
    session: SessionDep,
    today: TodayDep,
) -> LoanOut:
    """Repay part of the loan: shorten the term or lower the payment."""
    loan = loans.prepay(
        session, household, loan_id, amount=body.amount, on=body.date or today, mode=body.mode
    )
    return _out(session, loan, today)
