"""The APScheduler process, in the configured timezone, never inside the API or the UI."""

from __future__ import annotations

import logging
import signal
from datetime import date, datetime
from types import FrameType
from zoneinfo import ZoneInfo

from apscheduler.schedulers.blocking import BlockingScheduler
from sqlalchemy.orm import Session, sessionmaker

from domain.config import Settings
from domain.db.engine import create_db_engine, make_session_factory, unit_of_work, wait_for_database
from domain.db.models import JobRun
from jobs.passes import (
    backup_pass,
    booking_and_alerts_pass,
    heartbeat_pass,
    hourly_booking_pass,
    prune_pass,
)
from jobs.queue import NightlyQueue

log = logging.getLogger("cashflow.jobs")
HEARTBEAT_SECONDS = 60


def build_scheduler(settings: Settings, *, inline: bool = False) -> BlockingScheduler:
    """Register every job; each also runs once at start.

    The nightly pass is queued for `cashflow worker` processes in chunks; `inline` runs
    its chunks here instead (one process, no worker).
    """
    if not settings.database_url:
        raise RuntimeError("DATABASE_URL is not set")
    queue = None if inline else NightlyQueue(settings.database_url)
    engine = create_db_engine(settings.database_url)
    wait_for_database(engine)
    factory = make_session_factory(engine)
    tz = ZoneInfo(settings.timezone)
    scheduler = BlockingScheduler(timezone=tz)
    scheduler.add_job(
        heartbeat_pass,
        "interval",
        seconds=HEARTBEAT_SECONDS,
        args=(factory, settings),
        id="heartbeat",
        next_run_time=datetime.now(tz),
        coalesce=True,
        max_instances=1,
    )
    scheduler.add_job(
        booking_and_alerts_pass,
        "cron",
        hour=0,
        minute=5,
        args=(factory,),
        kwargs={"queue": queue},
        id="booking",
        next_run_time=datetime.now(tz),
        coalesce=True,
        max_instances=1,
        misfire_grace_time=3600,
    )
    # Each user's day is booked up to their own local today: the hourly pass books it within
    # an hour of their midnight wherever they live (idempotent; a pass with nothing due is cheap)
    # and re-evaluates the alerts of those it booked for.
    scheduler.add_job(
        hourly_booking_pass,
        "cron",
        hour="1-23",
        minute=5,
        args=(factory,),
        id="booking-hourly",
        coalesce=True,
        max_instances=1,
        misfire_grace_time=3600,
    )
    scheduler.add_job(
        backup_pass,
        "cron",
        hour=2,
        minute=0,
        args=(factory, settings),
        id="backup",
        coalesce=True,
        max_instances=1,
        misfire_grace_time=3600,
    )
    scheduler.add_job(
        prune_pass,
        "cron",
        hour=3,
        minute=0,
        args=(factory, settings),
        id="prune",
        coalesce=True,
        max_instances=1,
        misfire_grace_time=3600,
    )
    return scheduler


def run_scheduler(settings: Settings, *, inline: bool = False) -> None:
    """Run until SIGINT or SIGTERM."""
    scheduler = build_scheduler(settings, inline=inline)

    def _stop(signum: int, frame: FrameType | None) -> None:
        log.info("scheduler stopping on signal %s", signum)
        scheduler.shutdown(wait=False)

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    log.info("scheduler started in %s", settings.timezone)
    scheduler.start()


def run_once(settings: Settings, *, as_of: date | None = None) -> list[str]:
    """Run one pass of every job; return what failed, nothing when all went well."""
    if not settings.database_url:
        raise RuntimeError("DATABASE_URL is not set")
    engine = create_db_engine(settings.database_url)
    try:
        wait_for_database(engine)
        factory = make_session_factory(engine)
        heartbeat_pass(factory, settings)
        run_id = booking_and_alerts_pass(factory, as_of=as_of)
        failed = _failures(factory, run_id)
        log.info("one pass done%s, %s failures", f" as of {as_of}" if as_of else "", len(failed))
        return failed
    finally:
        engine.dispose()


def _failures(factory: sessionmaker[Session], run_id: int | None) -> list[str]:
    """What the pass could not do, as the command line says it (skipped: another ran)."""
    if run_id is None:
        return []
    with unit_of_work(factory) as session:
        details = session.get_one(JobRun, run_id).details or {}
    errors, alerts = details.get("errors"), details.get("alerts")
    failed = [
        f"booking for household {home}: {reason}"
        for home, reason in (errors.items() if isinstance(errors, dict) else ())
    ]
    if isinstance(alerts, dict) and alerts.get("failed"):
        failed.append(f"alert evaluation for {alerts['failed']} households")
    return failed
