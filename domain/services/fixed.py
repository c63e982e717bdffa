"""Fixed items: recurring income and expenses, with pause and resume."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.db.models import FixedItem, FixedPause, Household
from domain.db.recurring import fixed_spec
from domain.errors import ConflictError, InvalidInputError
from domain.rules.occurrences import FixedSpec
from domain.rules.recurrence import DAY_STEP, DateRange, Recurrence, check_recurrence
from domain.services.accounts import check_account_for
from domain.services.sources import (
    assign_fields,
    check_common,
    check_positive,
    forget_bookings,
    get_source,
    list_sources,
)

FIELDS = (
    "name",
    "amount",
    "type",
    "category_id",
    "frequency",
    "day_of_month",
    "start_date",
    "end_date",
    "notes",
    "currency",
    "account_id",
)


def _check(session: Session, household: Household, item: FixedItem) -> None:
    check_common(
        session,
        household,
        name=item.name,
        flow=item.type,
        category_id=item.category_id,
        currency=item.currency,
    )
    check_positive(item.amount, "amount")
    if item.frequency in DAY_STEP and item.day_of_month is not None:
        raise InvalidInputError("day_of_month", "applies to monthly, quarterly and yearly items")
    check_recurrence(
        Recurrence(item.frequency, item.start_date, item.end_date, item.day_of_month)  # type: ignore[arg-type]
    )
    if item.frequency not in DAY_STEP and item.day_of_month is None:
        item.day_of_month = item.start_date.day


def create_fixed(session: Session, household: Household, **fields: Any) -> FixedItem:
    """Add a fixed item (salary on the 10th, rent on the 1st, a yearly insurance).

    Without an account it goes into the default one; without a currency it takes the account's.
    """
    account = check_account_for(session, household, fields.get("account_id"))
    item = FixedItem(household_id=household.id, currency=account.currency, notes="")
    fields = {**fields, "account_id": account.id}
    assign_fields(item, {k: v for k, v in fields.items() if v is not None}, FIELDS)
    _check(session, household, item)
    session.add(item)
    session.flush()
    return item


def get_fixed(session: Session, household: Household, fixed_id: int) -> FixedItem:
    """One of the household's fixed items."""
    return get_source(session, household, FixedItem, fixed_id)


def list_fixed(session: Session, household: Household) -> list[FixedItem]:
    """The household's fixed items."""
    return list_sources(session, household, FixedItem)


def update_fixed(
    session: Session, household: Household, fixed_id: int, changes: dict[str, Any]
) -> FixedItem:
    """Change some fields; the result must pass every rule (a new account must be open)."""
    item = get_fixed(session, household, fixed_id)
    if "account_id" in changes:
        account = check_account_for(session, household, changes["account_id"])
        changes = {**changes, "account_id": account.id}
    assign_fields(item, changes, FIELDS)
    _check(session, household, item)
    session.flush()
    return item


def delete_fixed(session: Session, household: Household, fixed_id: int) -> None:
    """Delete a fixed item; the transactions it booked stay in the ledger."""
    item = get_fixed(session, household, fixed_id)
    forget_bookings(session, "fixed", item.id)
    session.delete(item)
    session.flush()


def pauses_of(session: Session, fixed_id: int) -> list[FixedPause]:
    """A fixed item's pauses, oldest first."""
    return list(
        session.scalars(
            select(FixedPause)
            .where(FixedPause.fixed_id == fixed_id)
            .order_by(FixedPause.start_date)
        )
    )


def is_paused(session: Session, fixed_id: int, today: date) -> bool:
    """Whether the item is paused on the given day."""
    return any(today in DateRange(p.start_date, p.end_date) for p in pauses_of(session, fixed_id))


def pause_fixed(
    session: Session, household: Household, fixed_id: int, *, since: date, until: date | None = None
) -> FixedItem:
    """Pause an item from `since` (inclusive) until `until` (exclusive) or until resumed."""
    item = get_fixed(session, household, fixed_id)
    if until is not None and until <= since:
        raise InvalidInputError("until", "must be after the pause starts")
    if any(p.end_date is None for p in pauses_of(session, item.id)):
        raise ConflictError("the item is already paused")
    session.add(FixedPause(fixed_id=item.id, start_date=since, end_date=until))
    session.flush()
    return item


def resume_fixed(session: Session, household: Household, fixed_id: int, *, on: date) -> FixedItem:
    """End the open pause: occurrences from `on` book again."""
    item = get_fixed(session, household, fixed_id)
    open_pauses = [p for p in pauses_of(session, item.id) if p.end_date is None]
    if not open_pauses:
        raise ConflictError("the item is not paused")
    pause = open_pauses[0]
    pause.end_date = max(on, pause.start_date)
    session.flush()
    return item


def spec_of(session: Session, item: FixedItem) -> FixedSpec:
    """The item as the pure spec the scheduler and the forecast expand."""
    pauses = [DateRange(p.start_date, p.end_date) for p in pauses_of(session, item.id)]
    return fixed_spec(item, pauses)
