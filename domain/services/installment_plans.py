"""Installment plans: create, schedule with progress, mark paid, reverse."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from domain.db.models import Household, InstallmentPlan
from domain.db.recurring import installment_spec
from domain.rules.installments import (
    Payment,
    Progress,
    check_count,
    installment_schedule,
    plan_progress,
)
from domain.rules.occurrences import occurrences
from domain.rules.recurrence import DateRange
from domain.services.accounts import check_account_for
from domain.services.sources import (
    assign_fields,
    book_one,
    booked_dates,
    check_common,
    check_day,
    check_positive,
    forget_bookings,
    get_source,
    list_sources,
    next_unbooked,
    reverse_last_booking,
)

FIELDS = (
    "name",
    "total_amount",
    "payments_count",
    "first_payment_date",
    "day_of_month",
    "type",
    "category_id",
    "notes",
    "currency",
    "account_id",
)
ALL_TIME = DateRange(date(1, 1, 1), date(9999, 12, 31))


@dataclass(frozen=True)
class ScheduledPayment:
    """A payment of the plan and whether it is recorded."""

    payment: Payment
    paid: bool
    transaction_id: int | None


def _check(session: Session, household: Household, plan: InstallmentPlan) -> None:
    check_common(
        session,
        household,
        name=plan.name,
        flow=plan.type,
        category_id=plan.category_id,
        currency=plan.currency,
    )
    check_positive(plan.total_amount, "total_amount")
    check_count(plan.total_amount, plan.payments_count)
    check_day(plan.day_of_month)
    if plan.day_of_month is None:
        plan.day_of_month = plan.first_payment_date.day


def create_plan(session: Session, household: Household, **fields: Any) -> InstallmentPlan:
    """Add a plan: a total split into monthly payments from the first payment date.

    Without an account it goes into the default one; without a currency it takes the account's.
    """
    account = check_account_for(session, household, fields.get("account_id"))
    plan = InstallmentPlan(
        household_id=household.id, currency=account.currency, notes="", type="expense"
    )
    fields = {**fields, "account_id": account.id}
    assign_fields(plan, {k: v for k, v in fields.items() if v is not None}, FIELDS)
    _check(session, household, plan)
    session.add(plan)
    session.flush()
    return plan


def get_plan(session: Session, household: Household, plan_id: int) -> InstallmentPlan:
    """One of the household's plans."""
    return get_source(session, household, InstallmentPlan, plan_id)


def list_plans(session: Session, household: Household) -> list[InstallmentPlan]:
    """The household's plans."""
    return list_sources(session, household, InstallmentPlan)


def update_plan(
    session: Session, household: Household, plan_id: int, changes: dict[str, Any]
) -> InstallmentPlan:
    """Change a plan; recorded payments stay recorded by their due dates.

    A new account must be open; payments already booked stay in the account they were booked in.
    """
    plan = get_plan(session, household, plan_id)
    if "account_id" in changes:
        account = check_account_for(session, household, changes["account_id"])
        changes = {**changes, "account_id": account.id}
    assign_fields(plan, changes, FIELDS)
    _check(session, household, plan)
    session.flush()
    return plan


def delete_plan(session: Session, household: Household, plan_id: int) -> None:
    """Delete a plan; its booked transactions stay in the ledger."""
    plan = get_plan(session, household, plan_id)
    forget_bookings(session, "installment", plan.id)
    session.delete(plan)
    session.flush()


def schedule_of(plan: InstallmentPlan) -> list[Payment]:
    """The plan's payments."""
    return installment_schedule(
        plan.total_amount, plan.payments_count, plan.first_payment_date, plan.day_of_month
    )


def payments(session: Session, plan: InstallmentPlan) -> list[ScheduledPayment]:
    """The schedule with what is recorded."""
    booked = booked_dates(session, "installment", plan.id)
    return [ScheduledPayment(p, p.date in booked, booked.get(p.date)) for p in schedule_of(plan)]


def progress(session: Session, plan: InstallmentPlan) -> Progress:
    """Paid and remaining payments and the next date."""
    booked = booked_dates(session, "installment", plan.id)
    schedule = schedule_of(plan)
    return plan_progress(schedule, {p.number for p in schedule if p.date in booked})


def mark_paid(
    session: Session, household: Household, plan_id: int, *, on: date
) -> ScheduledPayment:
    """Record the next unpaid payment as paid today (ahead of the scheduler)."""
    plan = get_source(session, household, InstallmentPlan, plan_id, lock=True)
    due = occurrences(installment_spec(plan), ALL_TIME)
    occurrence = next_unbooked(due, booked_dates(session, "installment", plan.id))
    book_one(session, occurrence, paid_on=on)
    return next(p for p in payments(session, plan) if p.payment.date == occurrence.due_date)


def reverse_payment(session: Session, household: Household, plan_id: int) -> date:
    """Undo the latest recorded payment; return its due date."""
    plan = get_source(session, household, InstallmentPlan, plan_id, lock=True)
    return reverse_last_booking(session, "installment", plan.id)
