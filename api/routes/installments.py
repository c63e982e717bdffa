"""Installment plan routes."""

from __future__ import annotations

from fastapi import APIRouter, status
from sqlalchemy.orm import Session

from api.deps import HouseholdDep, SessionDep, TodayDep
from api.schemas.common import PathId
from api.schemas.recurring import (
    InstallmentIn,
    InstallmentOut,
    InstallmentPatch,
    PaymentOut,
    ProgressOut,
)
from domain.db.models import InstallmentPlan
from domain.services import installment_plans as plans
from domain.services.installment_plans import ScheduledPayment

router = APIRouter(prefix="/installments", tags=["installments"])


def _out(session: Session, plan: InstallmentPlan) -> InstallmentOut:
    fields = {c: getattr(plan, c) for c in InstallmentOut.model_fields if hasattr(plan, c)}
    progress = ProgressOut.model_validate(plans.progress(session, plan))
    return InstallmentOut.model_validate({**fields, "progress": progress})


def _payment(item: ScheduledPayment) -> PaymentOut:
    return PaymentOut(
        number=item.payment.number,
        date=item.payment.date,
        amount=item.payment.amount,
        paid=item.paid,
        transaction_id=item.transaction_id,
    )


@router.get("")
def list_installments(household: HouseholdDep, session: SessionDep) -> list[InstallmentOut]:
    """The household's plans with progress."""
    return [_out(session, plan) for plan in plans.list_plans(session, household)]


@router.post("", status_code=status.HTTP_201_CREATED)
def create_installment(
    body: InstallmentIn, household: HouseholdDep, session: SessionDep
) -> InstallmentOut:
    """Add a plan; the total is split exactly, the remainder on the first payment."""
    return _out(session, plans.create_plan(session, household, **body.model_dump()))


@router.get("/{plan_id:int}")
def get_installment(
    plan_id: PathId, household: HouseholdDep, session: SessionDep
) -> InstallmentOut:
    """One plan with progress: paid, remaining, next date."""
    return _out(session, plans.get_plan(session, household, plan_id))


@router.put("/{plan_id:int}")
def update_installment(
    plan_id: PathId, body: InstallmentPatch, household: HouseholdDep, session: SessionDep
) -> InstallmentOut:
    """Change a plan."""
    changes = body.model_dump(exclude_unset=True)
    return _out(session, plans.update_plan(session, household, plan_id, changes))


@router.delete("/{plan_id:int}", status_code=status.HTTP_204_NO_CONTENT)
def delete_installment(plan_id: PathId, household: HouseholdDep, session: SessionDep) -> None:
    """Delete a plan (its booked transactions stay)."""
    plans.delete_plan(session, household, plan_id)


@router.get("/{plan_id:int}/payments")
def installment_payments(
    plan_id: PathId, household: HouseholdDep, session: SessionDep
) -> list[PaymentOut]:
    """The schedule, each payment marked paid or not."""
    plan = plans.get_plan(session, household, plan_id)
    return [_payment(item) for item in plans.payments(session, plan)]


@router.post("/{plan_id:int}/mark-paid")
def mark_installment_paid(
    plan_id: PathId, household: HouseholdDep, session: SessionDep, today: TodayDep
) -> PaymentOut:
    """Record the next unpaid payment as paid today."""
    return _payment(plans.mark_paid(session, household, plan_id, on=today))


@router.post("/{plan_id:int}/reverse-payment")
def reverse_installment_payment(
    plan_id: PathId, household: HouseholdDep, session: SessionDep
) -> InstallmentOut:
    """Undo the latest recorded payment."""
    plans.reverse_payment(session, household, plan_id)
    return _out(session, plans.get_plan(session, household, plan_id))
