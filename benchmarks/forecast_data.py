"""The forecast benchmark's database and its one heavy household, created once and kept.

Its person is made by the product's `create_user` (with their personal household and its
default categories); the ledger and the sources go in by COPY; the recurring rows of the
last months are booked by the product's own `book_occurrences`, as the nightly pass books
them, with a few payments recorded ahead of their due dates. Everything is one transaction,
set-up with the audit trigger off, so a run that stops half-way leaves nothing to reuse.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from datetime import timedelta
from decimal import Decimal

import psycopg
from psycopg import sql
from psycopg.rows import TupleRow
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from benchmarks import forecast_sources as sources
from benchmarks.dataset import COPY_SQL, delete_people, quiet_setup
from benchmarks.environment import side_database
from benchmarks.forecast_rows import SCHEDULER_SINCE, TODAY, YESTERDAY, Row, generate_ledger
from domain.config import Settings
from domain.db.engine import create_db_engine, libpq_url, make_session_factory, unit_of_work
from domain.db.models import Category, User
from domain.db.recurring import book_occurrences, load_specs
from domain.rules.occurrences import Occurrence, occurrences
from domain.rules.recurrence import DateRange
from domain.services import households, users
from domain.services.household_settings import update_household_settings

Connection = psycopg.Connection[TupleRow]
USERNAME = "forecast-heavy"
# Changing the generators changes this, so that an older run's rows are not reused.
DISPLAY_NAME = "Forecast heavy user (data v4)"
PASSWORD = "forecast bench password"  # noqa: S105 - the throwaway bench user's password
ROWS = 60_000
PAID_AHEAD = 8  # payments recorded before their due dates, within three weeks
SETTINGS = {"forecast_horizon_months": 36, "warning_threshold": Decimal("5000.00")}
COUNTS_SQL = """
SELECT (SELECT count(*) FROM transactions WHERE household_id = %(h)s),
       (SELECT count(*) FROM transactions WHERE household_id = %(h)s AND source = 'recurring'),
       (SELECT count(*) FROM transactions WHERE household_id = %(h)s AND date > %(today)s),
       (SELECT count(*) FROM fixed_items WHERE household_id = %(h)s),
       (SELECT count(DISTINCT p.fixed_id) FROM fixed_pauses AS p
            JOIN fixed_items AS f ON f.id = p.fixed_id WHERE f.household_id = %(h)s),
       (SELECT count(*) FROM installment_plans WHERE household_id = %(h)s),
       (SELECT count(*) FROM loans WHERE household_id = %(h)s),
       (SELECT count(*) FROM loan_prepayments AS p
            JOIN loans AS l ON l.id = p.loan_id WHERE l.household_id = %(h)s),
       (SELECT count(*) FROM recurring_bookings WHERE household_id = %(h)s),
       (SELECT count(*) FROM recurring_bookings
            WHERE household_id = %(h)s AND due_date > %(today)s),
       (SELECT count(*) FROM balance_records WHERE household_id = %(h)s)
"""


@dataclass(frozen=True)
class ForecastDataset:
    """The heavy household's rows, counted in the database, and how they got there."""

    household_id: int
    transactions: int
    booked: int  # of which the scheduler's
    dated_ahead: int  # of which dated after today
    fixed: int
    paused: int
    plans: int
    loans: int
    prepayments: int
    bookings: int
    paid_ahead: int  # of which due after today
    balances: int
    load_seconds: float | None = None  # None when the data of an earlier run was reused

    @property
    def complete(self) -> bool:
        """Whether the counts are those a full creation leaves."""
        return (self.transactions, self.fixed, self.plans, self.loans) == (
            ROWS,
            sources.FIXED_ITEMS,
            sources.PLANS,
            len(sources.LOANS),
        )


def forecast_database(ledger_url: str) -> AbstractContextManager[str]:
    """The forecast bench's own database beside the ledger's (see side_database)."""
    return side_database(ledger_url, "forecast")


def _counts(conn: Connection) -> ForecastDataset | None:
    """The heavy household's counts, or None when it is missing or from older generators."""
    query = (
        "SELECT default_household_id FROM users WHERE lower(username) = %s AND display_name = %s"
    )
    found = conn.execute(query, (USERNAME, DISPLAY_NAME)).fetchone()
    if found is None or found[0] is None:
        return None
    counts = conn.execute(COUNTS_SQL, {"h": found[0], "today": TODAY}).fetchone()
    if counts is None:
        raise RuntimeError("the count query returned nothing")
    return ForecastDataset(found[0], *(int(count) for count in counts))


def _driver(session: Session) -> Connection:
    raw = session.connection().connection.driver_connection
    if not isinstance(raw, psycopg.Connection):
        raise TypeError("the bench needs the psycopg driver")
    return raw


def _copy(conn: Connection, statement: str, rows: Sequence[Row]) -> None:
    with conn.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)


def _ids(conn: Connection, table: str, household_id: int) -> list[int]:
    query = sql.SQL("SELECT id FROM {} WHERE household_id = %s ORDER BY id")
    return [row[0] for row in conn.execute(query.format(sql.Identifier(table)), (household_id,))]


def _copy_sources(conn: Connection, household_id: int, categories: dict[str, int]) -> None:
    """The fixed items and their pauses, the plans, the loans and theirs, the readings."""
    home = household_id
    _copy(conn, sources.FIXED_COPY, sources.fixed_items(home, categories))
    _copy(conn, sources.PAUSE_COPY, sources.pauses(_ids(conn, "fixed_items", home)))
    _copy(conn, sources.PLAN_COPY, sources.plans(home, categories))
    _copy(conn, sources.LOAN_COPY, sources.loans(home, categories))
    _copy(conn, sources.PREPAYMENT_COPY, list(sources.prepayments(_ids(conn, "loans", home))))
    _copy(conn, sources.BALANCE_COPY, sources.balance_records(home))


def _book(session: Session, household_id: int) -> int:
    """Book what the nightly pass booked since SCHEDULER_SINCE, and a few payments ahead."""
    specs = [s for s in load_specs(session, [household_id]) if s.info.booked_through is not None]
    due: list[Occurrence] = []
    ahead: list[Occurrence] = []
    for spec in specs:
        through = YESTERDAY + timedelta(days=1)
        due += occurrences(spec, DateRange(SCHEDULER_SINCE, through))
        soon = occurrences(spec, DateRange(TODAY + timedelta(days=1), TODAY + timedelta(days=22)))
        ahead += soon[:1] if len(ahead) < PAID_AHEAD else []
    booked = book_occurrences(session, due)
    return len(booked) + len(book_occurrences(session, ahead, paid_on=YESTERDAY))


def _create(session: Session, settings: Settings) -> None:
    """Replace any earlier heavy household by a fresh one with exactly ROWS transactions."""
    delete_people(session, func.lower(User.username) == USERNAME)
    user = users.create_user(
        session, settings, username=USERNAME, password=PASSWORD, display_name=DISPLAY_NAME
    )
    session.flush()
    quiet_setup(session)  # again: `create_user` turns the trigger back on when it is done
    household = households.open_scope(session, user).household
    query = select(Category.name, Category.id).where(Category.household_id == household.id)
    categories = {row.name: row.id for row in session.execute(query)}
    conn = _driver(session)
    _copy_sources(conn, household.id, categories)
    booked = _book(session, household.id)
    _copy(conn, COPY_SQL, generate_ledger(household.id, categories, count=ROWS - booked))
    update_household_settings(session, household, dict(SETTINGS))


def ensure_forecast_dataset(settings: Settings, url: str) -> ForecastDataset:
    """The heavy household, reusing an earlier run's when the counts match."""
    with psycopg.connect(libpq_url(url), autocommit=True) as conn:
        found = _counts(conn)
        if found is not None and found.complete:
            return found
        started = time.perf_counter()
        engine = create_db_engine(url)
        try:
            with unit_of_work(make_session_factory(engine)) as session:
                _create(session, settings)
        finally:
            engine.dispose()
        conn.execute("VACUUM ANALYZE")
        created = _counts(conn)
        if created is None or not created.complete:
            raise RuntimeError(f"the forecast data is incomplete: {created}")
        return replace(created, load_seconds=time.perf_counter() - started)
