"""The bench user, their household and its 100,000 transactions, loaded by COPY and kept.

The load is set-up, not a change a person makes: it runs with the audit trigger off.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import psycopg
from sqlalchemy import Engine, delete, func, select
from sqlalchemy.orm import Session

from benchmarks.rows import CategoryRef, generate_rows
from domain.config import Settings
from domain.db.actors import set_local
from domain.db.engine import create_db_engine, make_session_factory, unit_of_work
from domain.db.models import Category, Household, Membership, Transaction, User
from domain.services import auth, households, users

USERNAME = "bench"
PASSWORD = "bench password"  # noqa: S105 - the throwaway bench user's password
ROWS = 100_000
YEARS = 10
COPY_SQL = (
    "COPY transactions (household_id, date, amount, type, category_id, description, notes, "
    "currency, source) FROM STDIN"
)


@dataclass(frozen=True)
class BenchUser:
    """The user under test, the household they act in, a long-lived access token, the data."""

    id: int
    household_id: int
    token: str
    last_day: date
    rows: int
    load_seconds: float | None  # None when the data of an earlier run was reused


def _row_count(session: Session, household_id: int) -> int:
    query = select(func.count()).select_from(Transaction)
    return int(session.scalar(query.where(Transaction.household_id == household_id)) or 0)


def _last_day(session: Session, household_id: int) -> date:
    query = select(func.max(Transaction.date)).where(Transaction.household_id == household_id)
    found = session.scalar(query)
    if found is None:
        raise RuntimeError("the bench user has no transactions")
    return found


def _copy_rows(session: Session, household: Household, last_day: date) -> None:
    """Load the rows inside the session's transaction through psycopg's COPY."""
    categories = [
        CategoryRef(c.id, c.name, c.type)
        for c in session.scalars(select(Category).where(Category.household_id == household.id))
    ]
    raw = session.connection().connection.driver_connection
    if not isinstance(raw, psycopg.Connection):
        raise TypeError("the bench needs the psycopg driver")
    rows = generate_rows(household.id, categories, count=ROWS, last_day=last_day, years=YEARS)
    with raw.cursor() as cursor, cursor.copy(COPY_SQL) as copy:
        for row in rows:
            copy.write_row(row)


def quiet_setup(session: Session) -> None:
    """Set-up only: no audit rows for this transaction, and its deletes may take theirs along."""
    set_local(session, "cashflow.audit", "off")
    set_local(session, "cashflow.audit_prune", "on")


def delete_people(session: Session, condition: Any) -> None:
    """Delete the matching users and every household they belong to, with all its money."""
    quiet_setup(session)
    people = select(User.id).where(condition)
    homes = select(Membership.household_id).where(Membership.user_id.in_(people))
    session.execute(delete(Household).where(Household.id.in_(homes)))
    session.execute(delete(User).where(condition))


def _create_loaded_user(session: Session, settings: Settings, today: date) -> User:
    """Replace any earlier bench user by a fresh one whose household has ROWS transactions."""
    delete_people(session, func.lower(User.username) == USERNAME)
    user = users.create_user(session, settings, username=USERNAME, password=PASSWORD)
    session.flush()
    quiet_setup(session)  # again: `create_user` turns the trigger back on when it is done
    _copy_rows(session, households.open_scope(session, user).household, today)
    return user


def _analyze(engine: Engine) -> None:
    """Fresh planner statistics after a bulk load."""
    with engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")
        conn.commit()


def ensure_dataset(settings: Settings, url: str, today: date) -> BenchUser:
    """The bench user with ROWS transactions, reusing an earlier run's when complete."""
    engine = create_db_engine(url)
    started, loaded = time.perf_counter(), False
    try:
        with unit_of_work(make_session_factory(engine)) as session:
            user = users.find_user_by_username(session, USERNAME)
            home = households.open_scope(session, user).household.id if user else None
            if user is None or home is None or _row_count(session, home) != ROWS:
                user, loaded = _create_loaded_user(session, settings, today), True
                home = households.open_scope(session, user).household.id
            token = auth.issue_pair(settings, user, datetime.now(UTC)).access.token
            user_id, last_day = user.id, _last_day(session, home)
        if loaded:
            _analyze(engine)
    finally:
        engine.dispose()
    load_seconds = time.perf_counter() - started if loaded else None
    return BenchUser(user_id, home, token, last_day, ROWS, load_seconds)
