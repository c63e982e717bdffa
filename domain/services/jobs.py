"""Job runs: what each scheduled pass did, recorded for operators and the UI."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from domain.db.models import JobRun


def start_job_run(session: Session, *, job: str, started_at: datetime) -> JobRun:
    """Open the record of a pass (finished by `finish_job_run` in the same transaction)."""
    run = JobRun(job=job, started_at=started_at, status="running", details={})
    session.add(run)
    session.flush()
    return run


def finish_job_run(
    run: JobRun,
    *,
    finished_at: datetime,
    status: str,
    details: dict[str, object],
    error: str | None = None,
) -> JobRun:
    """Close the record of a pass."""
    run.finished_at = finished_at
    run.status = status
    run.details = details
    run.error = error
    return run


def record_job_run(
    session: Session,
    *,
    job: str,
    started_at: datetime,
    finished_at: datetime,
    status: str,
    details: dict[str, object] | None = None,
    error: str | None = None,
) -> JobRun:
    """Store one finished pass of a job."""
    run = start_job_run(session, job=job, started_at=started_at)
    finish_job_run(run, finished_at=finished_at, status=status, details=details or {}, error=error)
    session.flush()
    return run


ADDED = ("booked_total", "charges_total")  # numbers that add up over the chunks
COUNTED = ("booked", "charges")  # per household, added up
LISTED = ("failed_sources", "held_back", "workers")  # lists, joined


def open_chunked_run(
    session: Session, *, job: str, started_at: datetime, chunks: int, details: dict[str, object]
) -> JobRun:
    """Open the one record of a pass whose chunks run apart; each chunk reports into it."""
    totals: dict[str, object] = {
        **details,
        "chunks": chunks,
        "chunks_done": [],
        "booked_total": 0,
        "booked": {},
        "charges_total": 0,
        "charges": {},
        "errors": {},
        "failed_sources": [],
        "held_back": [],
        "workers": [],
        "alerts": {"evaluated": 0, "failed": 0},
        "seconds": {"booking": 0.0, "alerts": 0.0},
    }
    run = JobRun(job=job, started_at=started_at, status="running", details=totals)
    session.add(run)
    session.flush()
    return run


def chunk_reported(session: Session, run_id: int, index: int) -> bool:
    """Whether a chunk of the pass has reported already (an earlier attempt finished it)."""
    done = session.scalar(select(JobRun.details["chunks_done"]).where(JobRun.id == run_id))
    return isinstance(done, list) and index in done


def _added(total: object, more: object) -> dict[str, object]:
    """Two {key: number} maps added key by key."""
    merged = dict(total) if isinstance(total, dict) else {}
    for key, value in (more if isinstance(more, dict) else {}).items():
        merged[key] = merged.get(key, 0) + value
    return merged


def _with_share(details: dict[str, object], share: dict[str, object]) -> dict[str, object]:
    merged = dict(details)
    for key in ADDED:
        merged[key] = int(str(merged.get(key, 0))) + int(str(share.get(key, 0)))
    for key in (*COUNTED, "alerts", "seconds"):
        merged[key] = _added(merged.get(key), share.get(key))
    merged["errors"] = {**_as_dict(merged.get("errors")), **_as_dict(share.get("errors"))}
    for key in LISTED:
        merged[key] = [*_as_list(merged.get(key)), *_as_list(share.get(key))]
    merged["workers"] = sorted({str(w) for w in _as_list(merged["workers"])})
    return merged


def _as_dict(value: object) -> dict[str, object]:
    return dict(value) if isinstance(value, dict) else {}


def _as_list(value: object) -> list[object]:
    return list(value) if isinstance(value, list) else []


def report_chunk(
    session: Session, run_id: int, index: int, share: dict[str, object], *, now: datetime
) -> bool:
    """Add a chunk's share to its pass's record, once; the last chunk closes the pass.

    The record's row is locked to the end of the chunk's transaction, so concurrent
    chunks add up one after the other, and a chunk that an earlier attempt already
    reported adds nothing (False: the caller rolls its work back).
    """
    run = session.scalars(select(JobRun).where(JobRun.id == run_id).with_for_update()).one()
    details = dict(run.details or {})
    done = _as_list(details.get("chunks_done"))
    if index in done:
        return False
    merged = _with_share(details, share)
    merged["chunks_done"] = sorted([*done, index])  # type: ignore[type-var]
    run.details = merged
    if len(done) + 1 >= int(str(details.get("chunks", 0))):
        run.finished_at = now
        run.status = "partial" if merged["errors"] else "ok"
    session.flush()
    return True


def recent_job_runs(session: Session, *, job: str | None = None, limit: int = 20) -> list[JobRun]:
    """The latest passes, newest first."""
    query = select(JobRun).order_by(JobRun.started_at.desc(), JobRun.id.desc()).limit(limit)
    if job is not None:
        query = query.where(JobRun.job == job)
    return list(session.scalars(query))


def job_runs_for_household(
    session: Session, household_id: int, *, job: str, limit: int = 10
) -> list[JobRun]:
    """The latest passes of a job that booked or charged something for the household or failed it.

    A pass that failed outright (status "failed") failed every household, so it is always listed.
    """
    key = str(household_id)
    concerns = or_(
        JobRun.details["booked"].has_key(key),
        JobRun.details["charges"].has_key(key),
        JobRun.details["errors"].has_key(key),
        JobRun.status == "failed",
    )
    query = (
        select(JobRun)
        .where(JobRun.job == job, concerns)
        .order_by(JobRun.started_at.desc(), JobRun.id.desc())
        .limit(limit)
    )
    return list(session.scalars(query))


@dataclass(frozen=True)
class RunShare:
    """What one booking pass did for one household."""

    booked: int
    error: str | None


def share_of(run: JobRun, household_id: int) -> RunShare:
    """The rows a pass booked for the household, and the error that stopped it for it."""
    details = run.details or {}
    booked, errors = details.get("booked"), details.get("errors")
    key = str(household_id)
    return RunShare(
        booked=int(booked.get(key, 0)) if isinstance(booked, dict) else 0,
        error=errors.get(key) if isinstance(errors, dict) else None,
    )


def last_verified_backup(session: Session) -> datetime | None:
    """When the newest verified backup was taken, from the backup job's records."""
    return session.scalar(
        select(JobRun.finished_at)
        .where(JobRun.job == "backup", JobRun.status == "ok")
        .order_by(JobRun.finished_at.desc())
        .limit(1)
    )


@dataclass(frozen=True)
class FailedBooking:
    """A source of the household's that the latest booking pass could not book."""

    kind: str
    source_id: int
    name: str
    reason: str
    failed_at: datetime


def failed_bookings(session: Session, household_id: int) -> list[FailedBooking]:
    """The household's sources that failed in the latest booking pass that ran (not skipped)."""
    latest = session.execute(
        select(JobRun.started_at, JobRun.details["failed_sources"])
        .where(JobRun.job == "booking", JobRun.status.in_(("ok", "partial")))
        .order_by(JobRun.started_at.desc(), JobRun.id.desc())
        .limit(1)
    ).one_or_none()
    if latest is None or not isinstance(latest[1], list):
        return []
    started, failed = latest[0], latest[1]
    return [
        FailedBooking(
            str(f["kind"]), int(f["source_id"]), str(f["name"]), str(f["reason"]), started
        )
        for f in failed
        if isinstance(f, dict) and f.get("household_id") == household_id
    ]
