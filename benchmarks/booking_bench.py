"""The booking pass against its baseline, interleaved round by round, from the same state.

Before every timed step, outside the clock and in its own statements: the booked rows are
emptied (TRUNCATE: the database holds nothing but the benchmark's households) and so is the
audit log (DELETE: it refuses TRUNCATE), every watermark goes back to the day before the
month, the tables are vacuumed and analysed and a checkpoint is taken, so that each step
writes the same rows into the same empty tables. Each round times the pass, the baseline,
and the baseline again with the audit trigger off: the last two apart are the audit's cost.
"""

from __future__ import annotations

import contextlib
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal

import psycopg
from psycopg import errors
from sqlalchemy.orm import Session, sessionmaker

from benchmarks.booking_baseline import Connection, baseline_params, insert_rows, reserve_ids
from benchmarks.booking_parts import Breakdown, measure_parts
from benchmarks.booking_rows import AS_OF, WATERMARK
from domain.db.engine import create_db_engine, libpq_url, make_session_factory, unit_of_work
from domain.rules.occurrences import Occurrence
from domain.services.audit import act_as_scheduler
from domain.services.booking import run_booking_pass

NOW = datetime(2026, 11, 1, 1, 0, tzinfo=UTC)  # the night after the month under test
SOURCE_TABLES = ("fixed_items", "installment_plans", "loans")
BOOKED_TABLES = ("transactions", "recurring_bookings")
AUDIT_TABLE = "audit_log"
EMPTY_AUDIT_SQL = (
    "SELECT set_config('cashflow.audit_prune', 'on', true)",
    "DELETE FROM audit_log",
)
WRITTEN_SQL = (
    "SELECT count(*), coalesce(sum(amount), 0), min(date), max(date), "
    "(SELECT count(*) FROM recurring_bookings) FROM transactions"
)
AUDITED_SQL = "SELECT count(*) FROM audit_log"
# The pass's rows as occurrences (a booked row is dated on its due date), for the baseline.
BOOKED_SQL = (
    "SELECT source_kind, source_id, household_id, date, amount, type, category_id, currency, "
    "description FROM transactions ORDER BY id"
)
Written = tuple[int, Decimal, date | None, date | None, int]


class BookingMismatchError(RuntimeError):
    """The pass and the baseline did not write the same rows."""


@dataclass(frozen=True)
class BookingSample:
    """One timed step: seconds end to end, committed, and the transactions it booked."""

    seconds: float
    rows: int

    @property
    def rows_per_second(self) -> float:
        """Transactions booked per second."""
        return self.rows / self.seconds


@dataclass
class BookingComparison:
    """Every round of the pass and both baselines; the pass's breakdown with and without audit."""

    parts: Breakdown
    unaudited_parts: Breakdown
    pass_samples: list[BookingSample] = field(default_factory=list)
    baseline_samples: list[BookingSample] = field(default_factory=list)
    unaudited_samples: list[BookingSample] = field(default_factory=list)
    audit_rows: int = 0  # audit_log rows the first pass wrote
    due: list[Occurrence] = field(default_factory=list)  # the first pass's rows
    state: Written | None = None  # what the first pass left in the database

    @property
    def rows(self) -> int:
        """Transactions each step books."""
        return len(self.due)

    @property
    def ratio(self) -> float:
        """The pass's median rows per second over the baseline's."""
        return median_rows_per_second(self.pass_samples) / median_rows_per_second(
            self.baseline_samples
        )


def median_seconds(samples: Sequence[BookingSample]) -> float:
    """The median seconds over the rounds."""
    return statistics.median(sample.seconds for sample in samples)


def median_rows_per_second(samples: Sequence[BookingSample]) -> float:
    """The median rows per second over the rounds."""
    return statistics.median(sample.rows_per_second for sample in samples)


def reset_bookings(conn: Connection) -> None:
    """Empty the booked rows and the audit log, rewind the watermarks, vacuum, checkpoint."""
    conn.execute(f"TRUNCATE {', '.join(BOOKED_TABLES)} CASCADE")  # and whatever refers to them
    with conn.transaction():
        for statement in EMPTY_AUDIT_SQL:
            conn.execute(statement)
    for table in SOURCE_TABLES:
        conn.execute(
            f"UPDATE {table} SET booked_through = %s WHERE booked_through <> %s",  # noqa: S608 - fixed names
            (WATERMARK, WATERMARK),
        )
    conn.execute(f"VACUUM ANALYZE {', '.join((*SOURCE_TABLES, *BOOKED_TABLES, AUDIT_TABLE))}")
    with contextlib.suppress(errors.InsufficientPrivilege):  # then a little noisier
        conn.execute("CHECKPOINT")


def written(conn: Connection) -> Written:
    """Transactions, their sum, first and last dates, and booking keys now in the database."""
    found = conn.execute(WRITTEN_SQL).fetchone()
    if found is None:
        raise RuntimeError("the check query returned nothing")
    count, total, first, last, keys = found
    return int(count), Decimal(total), first, last, int(keys)


def audited(conn: Connection) -> int:
    """Rows now in the audit log."""
    found = conn.execute(AUDITED_SQL).fetchone()
    return int(found[0]) if found else 0


def booked_rows(conn: Connection) -> list[Occurrence]:
    """The rows the pass just booked, as the occurrences they came from."""
    return [Occurrence(*row) for row in conn.execute(BOOKED_SQL)]


def _check_month(state: Written) -> Written:
    """The pass booked rows, one booking key each, all inside the month under test."""
    count, _, first, last, keys = state
    if not count or keys != count or first is None or last is None:
        raise BookingMismatchError(f"the pass booked {count} rows and {keys} keys")
    if first <= WATERMARK or last > AS_OF:
        raise BookingMismatchError(f"the pass booked {first}..{last}, outside the month")
    return state


def time_pass(factory: sessionmaker[Session]) -> BookingSample:
    """The product's pass over every household in one unit of work, committed, as the job runs."""
    started = time.perf_counter()
    with unit_of_work(factory) as session:
        act_as_scheduler(session)
        report = run_booking_pass(session, now=NOW, as_of=AS_OF)
    seconds = time.perf_counter() - started
    if report.skipped or report.errors:
        raise BookingMismatchError(f"the pass failed: {report.errors or 'skipped'}")
    return BookingSample(seconds, report.total)


def time_baseline(
    conn: Connection, due: Sequence[Occurrence], *, audited: bool = True
) -> BookingSample:
    """The same rows by one multi-row INSERT per table, their arrays built before timing."""
    params = baseline_params(due, reserve_ids(conn, len(due)))
    started = time.perf_counter()
    insert_rows(conn, params, audited=audited)
    return BookingSample(time.perf_counter() - started, len(due))


def _round(conn: Connection, factory: sessionmaker[Session], result: BookingComparison) -> None:
    """One pass and both baselines, each from the reset state, each checked afterwards.

    The first pass's rows become the baselines'; every later step must write the same.
    """
    reset_bookings(conn)
    result.pass_samples.append(time_pass(factory))
    state = _check_month(written(conn))
    if not result.due:
        result.due, result.state, result.audit_rows = booked_rows(conn), state, audited(conn)
    if state != result.state:
        raise BookingMismatchError(f"the pass wrote {state}, before {result.state}")
    for samples, audit in ((result.baseline_samples, True), (result.unaudited_samples, False)):
        reset_bookings(conn)
        samples.append(time_baseline(conn, result.due, audited=audit))
        if written(conn) != result.state:
            raise BookingMismatchError(f"the baseline wrote {written(conn)}, not {result.state}")


def compare_booking(url: str, *, rounds: int) -> BookingComparison:
    """Time the pass's parts once each way, then pass and baselines, interleaved, per round."""
    engine = create_db_engine(url)
    try:
        factory = make_session_factory(engine)
        with psycopg.connect(libpq_url(url), autocommit=True) as conn:
            reset_bookings(conn)
            result = BookingComparison(
                measure_parts(factory, AS_OF, audited=True),
                measure_parts(factory, AS_OF, audited=False),
            )
            for _ in range(rounds):
                _round(conn, factory, result)
            reset_bookings(conn)
    finally:
        engine.dispose()
    return result
