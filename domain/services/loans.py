"""Loans: terms, the amortization schedule, payments, reversals and prepayments."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.db.models import Household, Loan, LoanPrepayment, Transaction
from domain.db.recurring import loan_spec, loan_terms, prepayment_of
from domain.errors import InvalidInputError
from domain.rules.loans import (
    Period,
    PrepaymentMode,
    amortize,
    check_payment_fits,
    check_terms,
)
from domain.rules.money import ZERO
from domain.rules.occurrences import LoanSpec, occurrences
from domain.services.accounts import check_account_for
from domain.services.installment_plans import ALL_TIME
from domain.services.sources import (
    assign_fields,
    book_one,
    booked_dates,
    check_common,
    forget_bookings,
    get_source,
    list_sources,
    next_unbooked,
    reverse_last_booking,
)

FIELDS = (
    "name",
    "principal",
    "annual_rate",
    "term_months",
    "first_payment_date",
    "day_of_month",
    "method",
    "category_id",
    "notes",
    "currency",
    "account_id",
)


@dataclass(frozen=True)
class LoanStatus:
    """Where a loan stands."""

    payment: Decimal
    paid_count: int
    remaining_balance: Decimal
    next_date: date | None
    end_date: date | None


def _check(session: Session, household: Household, loan: Loan) -> None:
    check_common(
        session,
        household,
        name=loan.name,
        flow=loan.type,
        category_id=loan.category_id,
        currency=loan.currency,
    )
    if loan.day_of_month is None:
        loan.day_of_month = loan.first_payment_date.day
    check_payment_fits(check_terms(loan_terms(loan)))


def create_loan(session: Session, household: Household, **fields: Any) -> Loan:
    """Add a loan; its payment is computed from the terms.

    Without an account it goes into the default one; without a currency it takes the account's.
    """
    account = check_account_for(session, household, fields.get("account_id"))
    fields = {**fields, "account_id": account.id}
    loan = Loan(
        household_id=household.id,
        currency=account.currency,
        notes="",
        type="expense",
        method="spitzer",
    )
    assign_fields(loan, {k: v for k, v in fields.items() if v is not None}, FIELDS)
    _check(session, household, loan)
    session.add(loan)
    session.flush()
    return loan


def get_loan(session: Session, household: Household, loan_id: int) -> Loan:
    """One of the household's loans."""
    return get_source(session, household, Loan, loan_id)


def list_loans(session: Session, household: Household) -> list[Loan]:
    """The household's loans."""
    return list_sources(session, household, Loan)


def update_loan(
    session: Session, household: Household, loan_id: int, changes: dict[str, Any]
) -> Loan:
    """Change a loan's terms or labels; the schedule follows."""
    loan = get_loan(session, household, loan_id)
    if "account_id" in changes:
        account = check_account_for(session, household, changes["account_id"])
        changes = {**changes, "account_id": account.id}
    assign_fields(loan, changes, FIELDS)
    _check(session, household, loan)
    session.flush()
    return loan


def delete_loan(session: Session, household: Household, loan_id: int) -> None:
    """Delete a loan; its booked transactions stay in the ledger."""
    loan = get_loan(session, household, loan_id)
    forget_bookings(session, "loan", loan.id)
    session.delete(loan)
    session.flush()


def spec_of(session: Session, loan: Loan) -> LoanSpec:
    """The loan with its prepayments, as the pure spec."""
    rows = session.scalars(
        select(LoanPrepayment)
        .where(LoanPrepayment.loan_id == loan.id)
        .order_by(LoanPrepayment.date)
    )
    return loan_spec(loan, [prepayment_of(row) for row in rows])


def breakdown(session: Session, loan: Loan) -> list[Period]:
    """The amortization schedule, prepayments applied."""
    spec = spec_of(session, loan)
    return amortize(spec.terms, spec.prepayments)


def status(session: Session, loan: Loan, today: date) -> LoanStatus:
    """The payment, what is paid, the remaining balance and the next date."""
    spec = spec_of(session, loan)
    periods = amortize(spec.terms, spec.prepayments)
    booked = booked_dates(session, "loan", loan.id)
    paid = [p for p in periods if p.date in booked]
    prepaid = sum((p.amount for p in spec.prepayments if p.date <= today), ZERO)
    remaining = loan.principal - sum((p.principal for p in paid), ZERO) - prepaid
    unpaid = [p for p in periods if p.payment > ZERO and p.date not in booked]
    return LoanStatus(
        payment=periods[0].payment if periods else ZERO,
        paid_count=len(paid),
        remaining_balance=max(remaining, ZERO),
        next_date=unpaid[0].date if unpaid else None,
        end_date=periods[-1].date if periods else None,
    )


def record_payment(session: Session, household: Household, loan_id: int, *, on: date) -> Period:
    """Record the next scheduled payment as paid today."""
    loan = get_source(session, household, Loan, loan_id, lock=True)
    spec = spec_of(session, loan)
    occurrence = next_unbooked(occurrences(spec, ALL_TIME), booked_dates(session, "loan", loan.id))
    book_one(session, occurrence, paid_on=on)
    return next(p for p in breakdown(session, loan) if p.date == occurrence.due_date)


def reverse_payment(session: Session, household: Household, loan_id: int) -> date:
    """Undo the latest recorded payment; return its due date."""
    loan = get_source(session, household, Loan, loan_id, lock=True)
    return reverse_last_booking(session, "loan", loan.id)


def prepay(
    session: Session,
    household: Household,
    loan_id: int,
    *,
    amount: Decimal,
    on: date,
    mode: PrepaymentMode,
) -> Loan:
    """Repay part of the loan early: the term shortens or the payment falls, as chosen."""
    loan = get_source(session, household, Loan, loan_id, lock=True)
    if mode not in ("shorten_term", "lower_payment"):
        raise InvalidInputError("mode", "must be 'shorten_term' or 'lower_payment'")
    if amount <= ZERO:
        raise InvalidInputError("amount", "must be greater than zero")
    owed = status(session, loan, on).remaining_balance
    if amount > owed:
        raise InvalidInputError("amount", f"is more than the remaining balance {owed}")
    session.add(LoanPrepayment(loan_id=loan.id, date=on, amount=amount, mode=mode))
    session.add(
        Transaction(
            household_id=household.id,
            date=on,
            amount=amount,
            type="expense",
            category_id=loan.category_id,
            description=f"{loan.name} prepayment",
            currency=loan.currency,
            source="manual",
            source_kind="loan",
            source_id=loan.id,
        )
    )
    session.flush()
    return loan
