"""Fixed item routes: recurring income and expenses."""

from __future__ import annotations

from datetime import date, timedelta

from fastapi import APIRouter, status
from sqlalchemy.orm import Session

from api.deps import HouseholdDep, SessionDep, TodayDep
from api.schemas.common import PathId
from api.schemas.recurring import FixedIn, FixedOut, FixedPatch, PauseIn, PauseOut, ResumeIn
from domain.db.models import FixedItem
from domain.rules.occurrences import occurrences
from domain.rules.recurrence import DateRange
from domain.services import fixed

router = APIRouter(prefix="/fixed", tags=["fixed"])
UPCOMING_DAYS = 400
UPCOMING_COUNT = 3


def _out(session: Session, item: FixedItem, today: date) -> FixedOut:
    spec = fixed.spec_of(session, item)
    window = DateRange(today, today + timedelta(days=UPCOMING_DAYS))
    upcoming = [o.due_date for o in occurrences(spec, window)][:UPCOMING_COUNT]
    pauses = [PauseOut(start_date=p.begin, end_date=p.end) for p in spec.rule.pauses]
    return FixedOut.model_validate(
        {
            **{c: getattr(item, c) for c in FixedOut.model_fields if hasattr(item, c)},
            "paused": fixed.is_paused(session, item.id, today),
            "pauses": pauses,
            "next_dates": upcoming,
        }
    )


@router.get("")
def list_fixed(household: HouseholdDep, session: SessionDep, today: TodayDep) -> list[FixedOut]:
    """The household's fixed items with their next dates."""
    return [_out(session, item, today) for item in fixed.list_fixed(session, household)]


@router.post("", status_code=status.HTTP_201_CREATED)
def create_fixed(
    body: FixedIn, household: HouseholdDep, session: SessionDep, today: TodayDep
) -> FixedOut:
    """Add a fixed item."""
    return _out(session, fixed.create_fixed(session, household, **body.model_dump()), today)


@router.get("/{fixed_id:int}")
def get_fixed(
    fixed_id: PathId, household: HouseholdDep, session: SessionDep, today: TodayDep
) -> FixedOut:
    """One fixed item."""
    return _out(session, fixed.get_fixed(session, household, fixed_id), today)


@router.put("/{fixed_id:int}")
def update_fixed(
    fixed_id: PathId,
    body: FixedPatch,
    household: HouseholdDep,
    session: SessionDep,
    today: TodayDep,
) -> FixedOut:
    """Change a fixed item."""
    changes = body.model_dump(exclude_unset=True)
    return _out(session, fixed.update_fixed(session, household, fixed_id, changes), today)


@router.delete("/{fixed_id:int}", status_code=status.HTTP_204_NO_CONTENT)
def delete_fixed(fixed_id: PathId, household: HouseholdDep, session: SessionDep) -> None:
    """Delete a fixed item (its booked transactions stay)."""
    fixed.delete_fixed(session, household, fixed_id)


@router.post("/{fixed_id:int}/pause")
def pause_fixed(
    fixed_id: PathId,
    household: HouseholdDep,
    session: SessionDep,
    today: TodayDep,
    body: PauseIn | None = None,
) -> FixedOut:
    """Pause from a day (default today) until a day or until resumed."""
    since = body.since if body and body.since else today
    item = fixed.pause_fixed(
        session, household, fixed_id, since=since, until=body.until if body else None
    )
    return _out(session, item, today)


@router.post("/{fixed_id:int}/resume")
def resume_fixed(
    fixed_id: PathId,
    household: HouseholdDep,
    session: SessionDep,
    today: TodayDep,
    body: ResumeIn | None = None,
) -> FixedOut:
    """End the open pause (from today unless a day is given)."""
    on = body.on if body and body.on else today
    return _out(session, fixed.resume_fixed(session, household, fixed_id, on=on), today)
