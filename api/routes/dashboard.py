"""Dashboard routes: the scheduler's recent passes and what the next pass would book."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import CurrentUser, SessionDep, TodayDep
from api.schemas.recurring import JobRunOut, OccurrenceOut
from domain.db.models import JobRun, User
from domain.services.booking import preview_booking
from domain.services.jobs import recent_job_runs

router = APIRouter(prefix="/dashboard", tags=["dashboard"])


def _run_out(run: JobRun, user: User) -> JobRunOut:
    details = run.details or {}
    booked = details.get("booked", {})
    errors = details.get("errors", {})
    mine = str(user.id)
    out = JobRunOut(
        id=run.id,
        job=run.job,
        started_at=run.started_at,
        finished_at=run.finished_at,
        status=run.status,
        booked_for_you=int(booked.get(mine, 0)) if isinstance(booked, dict) else 0,
        error_for_you=errors.get(mine) if isinstance(errors, dict) else None,
    )
    if user.is_admin:
        out.booked_total = int(details.get("booked_total", 0) or 0)  # type: ignore[call-overload]
        out.errors_total = len(errors) if isinstance(errors, dict) else 0
    return out


@router.get("/job-status")
def job_status(
    user: CurrentUser,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> list[JobRunOut]:
    """The scheduler's latest booking passes: when, what they booked for you, errors."""
    runs = recent_job_runs(session, job="booking", limit=limit)
    return [_run_out(run, user) for run in runs]


@router.get("/booking-preview")
def booking_preview(
    user: CurrentUser,
    session: SessionDep,
    today: TodayDep,
    through: dt.date | None = None,
) -> list[OccurrenceOut]:
    """What a scheduler pass up to a day (default today) would book for you, not booked."""
    due = preview_booking(session, user, through or today)
    return [OccurrenceOut.model_validate(o, from_attributes=True) for o in due]
