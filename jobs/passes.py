"""One pass of each job: a unit of work of its own, recorded in `job_runs`."""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Collection
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from domain.config import Settings
from domain.db.backups import backup_database, delete_backup, list_backups
from domain.db.engine import unit_of_work
from domain.rules.backups import prunable
from domain.rules.dates import local_today
from domain.services.alerts import refresh_alerts
from domain.services.audit import act_as_scheduler, prune_audit
from domain.services.auth import prune_auth_records
from domain.services.booking import PassReport, run_booking_pass
from domain.services.households import get_household, list_households
from domain.services.jobs import finish_job_run, record_job_run, start_job_run
from domain.services.ui_sessions import prune_ui_sessions

log = logging.getLogger("cashflow.jobs")
BOOKING_JOB = "booking"


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


def alerts_pass(
    factory: sessionmaker[Session], *, only: Collection[int] | None = None
) -> dict[str, int]:
    """Re-evaluate every household's alerts (or only these households'), each in its own unit."""
    now = datetime.now(UTC)
    with unit_of_work(factory) as session:
        homes = [
            (h.id, h.timezone) for h in list_households(session) if only is None or h.id in only
        ]
    counts = {"evaluated": 0, "failed": 0}
    for household_id, timezone in homes:
        try:
            with unit_of_work(factory) as session:
                act_as_scheduler(session)
                household = get_household(session, household_id)
                refresh_alerts(session, household, local_today(now, timezone), now)
            counts["evaluated"] += 1
        except Exception:
            log.exception("alert evaluation failed for household %s", household_id)
            counts["failed"] += 1
    log.info(
        "alerts evaluated for %s households (%s failed)", counts["evaluated"], counts["failed"]
    )
    return counts


def booking_and_alerts_pass(factory: sessionmaker[Session], *, as_of: date | None = None) -> None:
    """The daily job: book what is due, then evaluate alerts on the new state."""
    booking_pass(factory, as_of=as_of)
    alerts_pass(factory)


def hourly_booking_pass(factory: sessionmaker[Session], *, as_of: date | None = None) -> None:
    """Book what is due; re-evaluate the alerts of those it booked or charged for, or failed."""
    report = booking_pass(factory, as_of=as_of)
    moved = report.booked + report.charged  # Counter addition keeps the positive counts
    concerned = set(moved) | set(report.errors)
    if concerned:
        alerts_pass(factory, only=concerned)


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
