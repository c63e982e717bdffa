"""One pass of each job: a unit of work of its own, recorded in `job_runs`."""

from __future__ import annotations

import logging
import os
import socket
from datetime import UTC, date, datetime

from sqlalchemy.orm import Session, sessionmaker

from domain.config import Settings
from domain.db.engine import unit_of_work
from domain.services.auth import prune_auth_records
from domain.services.booking import PassReport, run_booking_pass
from domain.services.jobs import finish_job_run, record_job_run, start_job_run

log = logging.getLogger("cashflow.jobs")
BOOKING_JOB = "booking"


def heartbeat_pass(factory: sessionmaker[Session], settings: Settings) -> None:
    """Record that the scheduler is alive, and prune expired auth records."""
    started = datetime.now(UTC)
    with unit_of_work(factory) as session:
        pruned = prune_auth_records(session, settings, started)
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
        "booked_total": report.total,
        "booked": {str(user): count for user, count in sorted(report.booked.items())},
        "errors": {str(user): message for user, message in sorted(report.errors.items())},
        "host": socket.gethostname(),
        "pid": os.getpid(),
    }


def booking_pass(factory: sessionmaker[Session], *, as_of: date | None = None) -> PassReport:
    """Book every due occurrence for every user in one transaction, recorded as a job run."""
    started = datetime.now(UTC)
    try:
        with unit_of_work(factory) as session:
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
        "booking pass %s: %s rows for %s users, %s errors",
        status,
        report.total,
        len(report.booked),
        len(report.errors),
    )
    return report
