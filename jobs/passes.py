"""One pass of each job: a unit of work of its own, recorded in `job_runs`."""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Collection, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Protocol

from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from domain.config import Settings
from domain.db.backups import backup_database, delete_backup, list_backups
from domain.db.engine import unit_of_work
from domain.db.models import JobRun
from domain.rules.backups import prunable
from domain.rules.occurrences import MAX_BOOKINGS_PER_SOURCE as MAX_PER_SOURCE
from domain.services.audit import act_as_scheduler, prune_audit
from domain.services.auth import prune_auth_records
from domain.services.booking import REASON_MAX, PassReport, run_booking_pass
from domain.services.jobs import (
    finish_job_run,
    open_chunked_run,
    record_job_run,
    start_job_run,
)
from domain.services.nightly import (
    CHUNK_HOUSEHOLDS,
    ChunkTakenError,
    evaluate_alerts,
    plan_chunks,
    run_chunk,
)
from domain.services.ui_sessions import prune_ui_sessions

log = logging.getLogger("cashflow.jobs")
BOOKING_JOB = "booking"
NIGHTLY_LOCK_KEY = 0x6E69676874  # "night": one pass opened at a time
# A pass still running after this long is taken as abandoned (its workers gone for good):
# the next one opens anyway. Chunks already done stay done.
ABANDONED_AFTER = timedelta(hours=6)


class ChunkQueue(Protocol):
    """Where a pass's chunks go when workers run them (`jobs.queue.NightlyQueue`)."""

    def enqueue(
        self, run_id: int, chunks: Sequence[list[int]], *, now: datetime, as_of: date | None
    ) -> list[int]:
        """Defer one task per chunk."""


def heartbeat_pass(factory: sessionmaker[Session], settings: Settings) -> None:
    """Record that the scheduler is alive, and prune expired auth records and UI sessions."""
    started = datetime.now(UTC)
    with unit_of_work(factory) as session:
        pruned = prune_auth_records(session, settings, started)
        pruned += prune_ui_sessions(session, started)
        record_job_run(
            session,
            job="heartbeat",
            started_at=started,
            finished_at=datetime.now(UTC),
            status="ok",
            details={"host": socket.gethostname(), "pid": os.getpid(), "pruned": pruned},
        )
    log.info("heartbeat recorded (pruned %s auth records)", pruned)


def _details(report: PassReport, as_of: date | None) -> dict[str, object]:
    return {
        "as_of": as_of.isoformat() if as_of else None,
        **report.details(),
        "host": socket.gethostname(),
        "pid": os.getpid(),
    }


def booking_pass(factory: sessionmaker[Session], *, as_of: date | None = None) -> PassReport:
    """Book every due occurrence and statement charge in one transaction, as a job run."""
    started = datetime.now(UTC)
    try:
        with unit_of_work(factory) as session:
            act_as_scheduler(session)
            run = start_job_run(session, job=BOOKING_JOB, started_at=started)
            report = run_booking_pass(session, now=started, as_of=as_of, run_id=run.id)
            status = "skipped" if report.skipped else "partial" if report.errors else "ok"
            finish_job_run(
                run, finished_at=datetime.now(UTC), status=status, details=_details(report, as_of)
            )
    except Exception as exc:
        log.exception("booking pass failed")
        with unit_of_work(factory) as session:
            record_job_run(
                session,
                job=BOOKING_JOB,
                started_at=started,
                finished_at=datetime.now(UTC),
                status="failed",
                error=f"{type(exc).__name__}: {exc}",
            )
        raise
    log.info(
        "booking pass %s: %s rows for %s households, %s statement charges, %s errors,"
        " %s sources held back",
        status,
        report.total,
        len(report.booked),
        report.charges_total,
        len(report.errors),
        len(report.held_back),
    )
    return report


def _chunk_alerts(
    factory: sessionmaker[Session], ids: list[int], now: datetime, report: PassReport
) -> tuple[int, int] | None:
    """One unit of work's alerts (evaluated, failed); None: the unit failed as a whole."""
    try:
        with unit_of_work(factory) as session:
            act_as_scheduler(session)
            return evaluate_alerts(session, ids, now, report)
    except Exception:
        log.exception("alert evaluation failed for households %s", ids)
        return None


def alerts_pass(
    factory: sessionmaker[Session], report: PassReport, only: Collection[int]
) -> dict[str, int]:
    """Re-evaluate these households' alerts after the booking `report`, by chunks.

    A chunk's answers are read at once, as the nightly pass reads them. A chunk that fails
    as a whole (its reading, say) is evaluated again one household at a time, so one
    household's failure stops only its own alerts.
    """
    now = datetime.now(UTC)
    ids = sorted(only)
    counts = {"evaluated": 0, "failed": 0}
    for start in range(0, len(ids), CHUNK_HOUSEHOLDS):
        chunk = ids[start : start + CHUNK_HOUSEHOLDS]
        outcomes = [_chunk_alerts(factory, chunk, now, report)]
        if outcomes[0] is None:  # again one by one: only the failing household fails
            outcomes = [_chunk_alerts(factory, [one], now, report) for one in chunk]
        for one in outcomes:
            evaluated, failed = one or (0, 1)
            counts["evaluated"] += evaluated
            counts["failed"] += failed
    log.info(
        "alerts evaluated for %s households (%s failed)", counts["evaluated"], counts["failed"]
    )
    return counts


def nightly_chunk_pass(
    factory: sessionmaker[Session],
    run_id: int,
    index: int,
    household_ids: list[int],
    *,
    now: datetime,
    as_of: date | None = None,
) -> None:
    """One chunk of the nightly pass in one unit of work (a worker's task, or inline)."""
    try:
        with unit_of_work(factory) as session:
            run_chunk(session, run_id, index, household_ids, now=now, as_of=as_of)
    except ChunkTakenError as exc:
        log.info("%s: nothing to do", exc.message)


def _running_pass(session: Session, now: datetime) -> bool:
    """Whether a pass opened lately is still running (a second scheduler's, or this one's)."""
    return bool(
        session.scalar(
            text(
                "SELECT 1 FROM job_runs WHERE job = :job AND status = 'running' "
                "AND details ? 'chunks' AND started_at > :since LIMIT 1"
            ),
            {"job": BOOKING_JOB, "since": now - ABANDONED_AFTER},
        )
    )


def open_nightly_pass(
    factory: sessionmaker[Session],
    *,
    now: datetime,
    as_of: date | None = None,
    chunk_size: int = CHUNK_HOUSEHOLDS,
) -> tuple[int, list[list[int]]] | None:
    """Record the pass (one job run) and cut the households into chunks; None: one is running."""
    with unit_of_work(factory) as session:
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": NIGHTLY_LOCK_KEY})
        if _running_pass(session, now):
            record_job_run(
                session, job=BOOKING_JOB, started_at=now, finished_at=now, status="skipped"
            )
            return None
        chunks = plan_chunks(session, size=chunk_size)
        details: dict[str, object] = {
            "as_of": as_of.isoformat() if as_of else None,
            "max_per_source": MAX_PER_SOURCE,
        }
        run = open_chunked_run(
            session, job=BOOKING_JOB, started_at=now, chunks=len(chunks), details=details
        )
        if not chunks:
            finish_job_run(run, finished_at=now, status="ok", details=run.details)
        return run.id, chunks


def booking_and_alerts_pass(
    factory: sessionmaker[Session],
    *,
    as_of: date | None = None,
    queue: ChunkQueue | None = None,
    chunk_size: int = CHUNK_HOUSEHOLDS,
) -> int | None:
    """The nightly job: book what is due, then evaluate alerts on the new state, by chunks.

    With a queue, one task per chunk goes to the workers; without, the chunks run here one
    after the other. Either way the pass is one job run that the chunks report into.
    Returns the run's id (None when another pass was still running).
    """
    now = datetime.now(UTC)
    opened = open_nightly_pass(factory, now=now, as_of=as_of, chunk_size=chunk_size)
    if opened is None:
        log.info("nightly pass skipped: another one is still running")
        return None
    run_id, chunks = opened
    if queue is not None:
        try:
            jobs = queue.enqueue(run_id, chunks, now=now, as_of=as_of)
        except Exception as exc:
            log.exception("nightly pass %s could not be queued", run_id)
            _fail_run(factory, run_id, exc)
            raise
        log.info("nightly pass %s: %s chunks queued (jobs %s)", run_id, len(chunks), jobs)
        return run_id
    for index, ids in enumerate(chunks):
        nightly_chunk_pass(factory, run_id, index, ids, now=now, as_of=as_of)
    log.info("nightly pass %s: %s chunks done here", run_id, len(chunks))
    return run_id


def _fail_run(factory: sessionmaker[Session], run_id: int, exc: Exception) -> None:
    with unit_of_work(factory) as session:
        run = session.get_one(JobRun, run_id)
        run.status, run.error = "failed", f"{type(exc).__name__}: {exc}"[:REASON_MAX]
        run.finished_at = datetime.now(UTC)


def hourly_booking_pass(factory: sessionmaker[Session], *, as_of: date | None = None) -> None:
    """Book what is due; re-evaluate the alerts of those it booked or charged for, or failed."""
    report = booking_pass(factory, as_of=as_of)
    moved = report.booked + report.charged  # Counter addition keeps the positive counts
    concerned = set(moved) | set(report.errors)
    if concerned:
        alerts_pass(factory, report, concerned)


def backup_pass(factory: sessionmaker[Session], settings: Settings) -> None:
    """Take a verified backup and record it (a failure is recorded too)."""
    started = datetime.now(UTC)
    status, details, error = "ok", {}, None
    try:
        manifest = backup_database(str(settings.database_url), settings.backup_dir, started)
        details = {"file": manifest.file, "sha256": manifest.sha256, "size": manifest.size}
    except Exception as exc:
        log.exception("backup failed")
        status, error = "failed", f"{type(exc).__name__}: {exc}"
    with unit_of_work(factory) as session:
        record_job_run(
            session,
            job="backup",
            started_at=started,
            finished_at=datetime.now(UTC),
            status=status,
            details=details,
            error=error,
        )
    log.info("backup %s", status, extra=details)


def prune_pass(factory: sessionmaker[Session], settings: Settings) -> list[str]:
    """Delete backups and audit entries past their retention (never the newest backup)."""
    started = datetime.now(UTC)
    doomed = prunable(list_backups(settings.backup_dir), started, settings.backup_retention_days)
    for backup in doomed:
        delete_backup(settings.backup_dir, backup.name)
    names = [b.name for b in doomed]
    with unit_of_work(factory) as session:
        act_as_scheduler(session)
        entries = prune_audit(
            session, before=started - timedelta(days=settings.audit_retention_days)
        )
        record_job_run(
            session,
            job="prune",
            started_at=started,
            finished_at=datetime.now(UTC),
            status="ok",
            details={"deleted": names, "audit_entries": entries},
        )
    log.info("pruned %s backups and %s audit entries", len(names), entries)
    return names
