"""What fixed items, installment plans and loans share: ownership, bookings, checks."""

from __future__ import annotations

from datetime import date
from typing import Any, TypeVar

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from domain.db.models import (
    FixedItem,
    Household,
    InstallmentPlan,
    Loan,
    RecurringBooking,
    Transaction,
)
from domain.db.recurring import book_occurrences
from domain.errors import ConflictError, InvalidInputError, NotFoundError
from domain.rules.ledger import CURRENCY_RE
from domain.rules.money import ZERO
from domain.rules.occurrences import Occurrence, SourceKind
from domain.services.categories import check_category_for

SourceT = TypeVar("SourceT", FixedItem, InstallmentPlan, Loan)
NAME_MAX = 120
KIND_OF: dict[type[Any], SourceKind] = {
    FixedItem: "fixed",
    InstallmentPlan: "installment",
    Loan: "loan",
}


def get_source(
    session: Session,
    household: Household,
    model: type[SourceT],
    source_id: int,
    *,
    lock: bool = False,
) -> SourceT:
    """One of the household's sources of a kind; another household's answers not found.

    With `lock`, the row is locked until the unit of work ends, so concurrent payments on
    one source take turns and each sees what the one before it booked.
    """
    query = select(model).where(model.id == source_id, model.household_id == household.id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    found = session.scalars(query).one_or_none()
    if found is None:
        raise NotFoundError(f"{KIND_OF[model]} not found")
    return found


def list_sources(session: Session, household: Household, model: type[SourceT]) -> list[SourceT]:
    """The household's sources of a kind, oldest first."""
    return list(
        session.scalars(select(model).where(model.household_id == household.id).order_by(model.id))
    )


def assign_fields(row: Any, fields: dict[str, Any], allowed: tuple[str, ...]) -> None:
    """Set the given fields on a source, refusing any it does not have."""
    unknown = set(fields) - set(allowed)
    if unknown:
        raise InvalidInputError(sorted(unknown)[0], "is not a field that can be set here")
    for name, value in fields.items():
        setattr(row, name, value)


def check_common(
    session: Session,
    household: Household,
    *,
    name: str,
    flow: str,
    category_id: int | None,
    currency: str,
) -> None:
    """Rules every source shares: a name, a type, the household's own category, a currency."""
    if not 1 <= len(name.strip()) <= NAME_MAX:
        raise InvalidInputError("name", f"must be 1 to {NAME_MAX} characters")
    if flow not in ("income", "expense"):
        raise InvalidInputError("type", "must be 'income' or 'expense'")
    if not CURRENCY_RE.match(currency):
        raise InvalidInputError("currency", "must be a 3-letter ISO code such as ILS")
    check_category_for(session, household, category_id, flow)


def check_positive(value: Any, field: str) -> None:
    """Refuse zero and negative amounts."""
    if value <= ZERO:
        raise InvalidInputError(field, "must be greater than zero")


def check_day(day: int | None) -> None:
    """A day of the month, 1 to 31."""
    if day is not None and not 1 <= day <= 31:
        raise InvalidInputError("day_of_month", "must be 1 to 31")


def booked_dates(session: Session, kind: SourceKind, source_id: int) -> dict[date, int | None]:
    """Due date to booked transaction id (None when the household deleted it) of a source."""
    rows = session.execute(
        select(RecurringBooking.due_date, RecurringBooking.transaction_id).where(
            RecurringBooking.source_kind == kind, RecurringBooking.source_id == source_id
        )
    )
    return {row.due_date: row.transaction_id for row in rows}


def reverse_last_booking(session: Session, kind: SourceKind, source_id: int) -> date:
    """Undo the latest booked payment of a source: its key and its transaction go."""
    latest = session.scalars(
        select(RecurringBooking)
        .where(RecurringBooking.source_kind == kind, RecurringBooking.source_id == source_id)
        .order_by(RecurringBooking.due_date.desc())
        .limit(1)
    ).one_or_none()
    if latest is None:
        raise ConflictError("no payment has been recorded")
    due = latest.due_date
    if latest.transaction_id is not None:
        session.execute(delete(Transaction).where(Transaction.id == latest.transaction_id))
    session.delete(latest)
    session.flush()
    return due


def forget_bookings(session: Session, kind: SourceKind, source_id: int) -> None:
    """Drop a deleted source's booking keys (its transactions stay in the ledger)."""
    session.execute(
        delete(RecurringBooking).where(
            RecurringBooking.source_kind == kind, RecurringBooking.source_id == source_id
        )
    )


def book_one(session: Session, occurrence: Occurrence, *, paid_on: date) -> None:
    """Book one payment now, or refuse: never report a payment that another call booked."""
    if not book_occurrences(session, [occurrence], paid_on=paid_on):
        raise ConflictError("this payment was recorded by another call just now")


def next_unbooked(due: list[Occurrence], booked: dict[date, int | None]) -> Occurrence:
    """The first scheduled occurrence without a booking."""
    for occurrence in due:
        if occurrence.due_date not in booked:
            return occurrence
    raise ConflictError("every payment is already recorded")
