"""The nightly pass spread over worker processes, on a database of its own.

Workers are real `cashflow worker` processes (Procrastinate) against one PostgreSQL; the
households are the bench's typical ones, seeded set-based, a few dozen of them.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from sqlalchemy import func, make_url, select, text
from sqlalchemy.orm import Session, sessionmaker

from benchmarks.nightly_data import reset_pass, seed
from domain.db.engine import create_db_engine, libpq_url, make_session_factory
from domain.db.migrate import upgrade_database
from domain.db.models import Alert, Household, HouseholdSettings, JobRun, RecurringBooking
from domain.rules import alert_rules
from domain.rules.dates import local_today
from domain.rules.forecast_lows import path_lows
from domain.rules.forecast_views import summarize
from domain.services import alerts
from domain.services.alert_facts import load_facts
from domain.services.booking import BOOKING_LOCK_KEY, preview_booking
from domain.services.forecasting import forecast_for, gather_inputs
from domain.services.household_settings import get_household_settings
from domain.services.jobs import job_runs_for_household, recent_job_runs, share_of
from jobs.passes import booking_and_alerts_pass
from jobs.queue import NightlyQueue, worker_app

HOUSEHOLDS = 12
CHUNK = 4  # three chunks
HISTORY = 120
WORKER_FLAGS = ("--heartbeat", "1", "--stalled-after", "3", "--check-every", "1")
WAIT_SECONDS = 90


@pytest.fixture(scope="module")
def nightly_url(database_url: str) -> Iterator[str]:
    """A migrated database beside the test run's, holding the typical households only."""
    base = make_url(database_url)
    name = f"cashflow_nightly_{uuid.uuid4().hex[:8]}"
    admin = libpq_url(base.set(database="postgres").render_as_string(hide_password=False))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    url = base.set(database=name).render_as_string(hide_password=False)
    try:
        upgrade_database(url)
        today = local_today(datetime.now(UTC), "Asia/Jerusalem")
        with psycopg.connect(libpq_url(url)) as conn:
            seed(conn, HOUSEHOLDS, today, history_rows=HISTORY)
            conn.commit()
        yield url
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
            conn.execute(drop.format(sql.Identifier(name)))


@pytest.fixture
def nightly(nightly_url: str) -> Iterator[sessionmaker[Session]]:
    """Sessions on that database, every pass's work undone before the test."""
    reset_pass(nightly_url, local_today(datetime.now(UTC), "Asia/Jerusalem") - timedelta(days=1))
    engine = create_db_engine(nightly_url)
    yield make_session_factory(engine)
    engine.dispose()


def _worker(url: str, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DATABASE_URL": url}
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "cashflow", "worker", *WORKER_FLAGS],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=out,
        )


def _stop(workers: list[subprocess.Popen[bytes]]) -> None:
    for worker in workers:
        if worker.poll() is None:
            worker.terminate()
    for worker in workers:
        worker.wait(timeout=30)


def _finished(factory: sessionmaker[Session], run_id: int) -> JobRun:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        with factory() as session:
            run = session.get_one(JobRun, run_id)
            if run.status != "running":
                return run
        time.sleep(0.2)
    raise AssertionError(f"pass {run_id} still running after {WAIT_SECONDS} s")


def _due(factory: sessionmaker[Session]) -> set[tuple[str, int, date]]:
    """Every occurrence a pass must book now, as the booking preview says it."""
    now = datetime.now(UTC)
    with factory() as session:
        homes = session.scalars(select(Household)).all()
        return {
            (o.kind, o.source_id, o.due_date)
            for home in homes
            for o in preview_booking(session, home, local_today(now, home.timezone))
        }


def _booked(factory: sessionmaker[Session]) -> tuple[set[tuple[str, int, date]], int, int]:
    """The booking keys, how many there are, how many households' alerts were evaluated."""
    with factory() as session:
        keys = session.execute(
            select(
                RecurringBooking.source_kind, RecurringBooking.source_id, RecurringBooking.due_date
            )
        ).all()
        marked = session.scalar(
            select(func.count()).where(HouseholdSettings.alerts_fingerprint.is_not(None))
        )
    return {(k, s, d) for k, s, d in keys}, len(keys), int(marked or 0)


def test_three_workers_book_every_due_occurrence_once_and_evaluate_every_household_once(
    nightly: sessionmaker[Session], nightly_url: str, tmp_path: Path
) -> None:
    due = _due(nightly)
    assert len(due) > HOUSEHOLDS / 2  # a typical night books about one item per household
    workers = [_worker(nightly_url, tmp_path / "workers.log") for _ in range(3)]
    try:
        run_id = booking_and_alerts_pass(nightly, queue=NightlyQueue(nightly_url), chunk_size=CHUNK)
        assert run_id is not None
        run = _finished(nightly, run_id)
    finally:
        _stop(workers)
    keys, count, evaluated = _booked(nightly)
    assert keys == due
    assert count == len(due)  # the key is unique: one row per occurrence
    with nightly() as session:
        recurring = session.scalar(
            text("SELECT count(*) FROM transactions WHERE source = 'recurring'")
        )
    assert recurring == len(due)
    assert evaluated == HOUSEHOLDS
    details = run.details
    assert run.status == "ok"
    assert details["chunks_done"] == list(range(HOUSEHOLDS // CHUNK))
    assert details["booked_total"] == len(due)
    assert details["alerts"] == {"evaluated": HOUSEHOLDS, "failed": 0}


def test_a_chunk_whose_worker_is_killed_is_finished_by_another(
    nightly: sessionmaker[Session], nightly_url: str, tmp_path: Path
) -> None:
    """The first worker is stopped mid-chunk (waiting on the booking lock) with SIGKILL."""
    due = _due(nightly)
    log = tmp_path / "workers.log"
    with psycopg.connect(libpq_url(nightly_url), autocommit=True) as holder:
        holder.execute("SELECT pg_advisory_lock(%s)", (BOOKING_LOCK_KEY,))
        doomed = _worker(nightly_url, log)
        run_id = booking_and_alerts_pass(
            nightly, queue=NightlyQueue(nightly_url), chunk_size=HOUSEHOLDS
        )
        assert run_id is not None
        deadline = time.monotonic() + WAIT_SECONDS
        while holder.execute(
            "SELECT count(*) FROM procrastinate_jobs WHERE status = 'doing'"
        ).fetchone() != (1,):
            assert time.monotonic() < deadline, "the worker never took the chunk"
            time.sleep(0.05)
        rescuer = _worker(nightly_url, log)  # it starts while the chunk stalls
        doomed.send_signal(signal.SIGKILL)
        doomed.wait(timeout=10)
        holder.execute("SELECT pg_advisory_unlock(%s)", (BOOKING_LOCK_KEY,))
    try:
        run = _finished(nightly, run_id)
    finally:
        _stop([rescuer])
    keys, count, evaluated = _booked(nightly)
    assert (keys, count, evaluated) == (due, len(due), HOUSEHOLDS)
    assert run.status == "ok"
    assert run.details["alerts"] == {"evaluated": HOUSEHOLDS, "failed": 0}
    assert run.details["workers"] == [f"{os.uname().nodename}:{rescuer.pid}"]


def test_the_job_runs_view_shows_one_pass_with_its_totals(
    nightly: sessionmaker[Session],
) -> None:
    """Inline chunks (a scheduler without workers) make one record: the view lists one pass."""
    due = _due(nightly)
    run_id = booking_and_alerts_pass(nightly, chunk_size=CHUNK)
    with nightly() as session:
        runs = recent_job_runs(session, job="booking")
        assert [r.id for r in runs] == [run_id]
        (run,) = runs
        homes = session.scalars(select(Household.id)).all()
        shares = [share_of(run, home) for home in homes]
        for_household = job_runs_for_household(session, homes[0], job="booking")
    assert run.status == "ok"
    assert run.finished_at is not None
    assert run.details["booked_total"] == len(due) == sum(s.booked for s in shares)
    assert run.details["errors"] == {}
    assert all(s.error is None for s in shares)
    assert [r.id for r in for_household] == ([run_id] if shares[0].booked else [])


def test_batched_alerts_equal_one_at_a_time(nightly: sessionmaker[Session]) -> None:
    """A chunk's answers loaded at once give every household the conditions it gets alone.

    And the P50-only forecast the alerts now read gives the conditions the full one gave.
    """
    now = datetime.now(UTC)
    with nightly() as session:
        homes = list(session.scalars(select(Household).order_by(Household.id)))
        today = {h.id: local_today(now, h.timezone) for h in homes}
        facts = load_facts(session, homes, today, failed={})
        assert len(facts.inputs) == len(homes)  # typical households are all read together
        kinds: set[str] = set()
        for home in homes:
            day = today[home.id]
            assert facts.inputs[home.id] == gather_inputs(session, home, day)
            alone = alerts.evaluate(session, home, day, now)
            batched = alerts.evaluate(session, home, day, now, facts=facts)
            assert sorted(alone, key=lambda c: c.key) == sorted(batched, key=lambda c: c.key)
            kinds |= {c.kind for c in alone}
            assert alerts._fingerprint(session, home, day, now) == alerts._fingerprint(
                session, home, day, now, facts
            )
            prefs = get_household_settings(session, home)
            levels = {"critical": prefs.critical_threshold, "warning": prefs.warning_threshold}
            full = alert_rules.forecast_conditions(
                summarize(forecast_for(session, home, day)), **levels
            )
            lows = alert_rules.forecast_conditions(
                path_lows(gather_inputs(session, home, day)), **levels
            )
            assert full == lows
        session.rollback()
    assert kinds  # the households are not all quiet: the comparison compares something


def _alert_state(session: Session) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    """Every alert (open or resolved) with what it says, and every household's mark."""
    rows = session.execute(
        select(
            Alert.household_id,
            Alert.key,
            Alert.kind,
            Alert.severity,
            Alert.title,
            Alert.message,
            Alert.data,
            Alert.resolved_at.is_(None),
        )
    ).all()
    marks = session.execute(
        select(HouseholdSettings.household_id, HouseholdSettings.alerts_fingerprint)
    ).all()
    return sorted((tuple(r) for r in rows), key=repr), sorted(tuple(m) for m in marks)


def test_a_chunk_writes_the_alerts_its_households_write_one_at_a_time(
    nightly: sessionmaker[Session],
) -> None:
    """Written at once for the chunk: the same alerts raised, resolved and left, the same marks.

    Half the households hold an alert that no longer holds (resolved either way); one was
    evaluated a moment ago (skipped either way, its stale alert left open).
    """
    now = datetime.now(UTC)
    with nightly() as session:
        homes = list(session.scalars(select(Household).order_by(Household.id)))
        ids = [h.id for h in homes]
        today = {h.id: local_today(now, h.timezone) for h in homes}
        alerts.refresh_alerts(session, homes[1], today[ids[1]], now)
        session.add_all(
            Alert(
                household_id=home.id,
                key="ends:gone",
                kind="ends_soon",
                severity="info",
                title="Gone",
                message="",
                data={},
                first_seen_at=now,
                last_seen_at=now,
            )
            for home in homes[1::2]
        )
        session.flush()
        before = session.begin_nested()
        alerts.refresh_chunk(session, homes, today, now, failed={})
        batched = _alert_state(session)
        before.rollback()
        for home in homes:
            alerts.refresh_alerts(session, home, today[home.id], now)
        alone = _alert_state(session)
        session.rollback()
    assert batched == alone
    rows, marks = batched
    gone = {(r[0], r[7]) for r in rows if r[1] == "ends:gone"}
    assert gone == {(ids[1], True)} | {(i, False) for i in ids[3::2]}
    assert sum(1 for r in rows if r[7]) > len(ids)  # most households have open alerts
    assert all(mark for _, mark in marks)


def test_stalled_chunks_are_looked_for_every_check_every_seconds(nightly_url: str) -> None:
    """Not every second of every tenth minute (croniter's sixth field is the seconds)."""
    app = worker_app(nightly_url, stalled_after=30, check_every=10)
    (task,) = app.periodic_registry.periodic_tasks.values()
    at = datetime(2026, 12, 7, 19, 3, 1, tzinfo=UTC).timestamp()
    found = []
    for _ in range(4):
        at = task.croniter.get_next(ret_type=float, start_time=at)
        found.append(f"{datetime.fromtimestamp(at, UTC):%H:%M:%S}")
    assert found == ["19:03:10", "19:03:20", "19:03:30", "19:03:40"]
