"""The bench user and 100,000 transactions, loaded by COPY and kept between runs."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, date, datetime

import psycopg
from sqlalchemy import Engine, delete, func, select
from sqlalchemy.orm import Session

from benchmarks.rows import CategoryRef, generate_rows
from domain.config import Settings
from domain.db.engine import create_db_engine, make_session_factory, unit_of_work
from domain.db.models import Category, Transaction, User
from domain.services import auth, users

USERNAME = "bench"
PASSWORD = "bench password"  # noqa: S105 - the throwaway bench user's password
ROWS = 100_000
YEARS = 10
COPY_SQL = (
    "COPY transactions (user_id, date, amount, type, category_id, description, notes, "
    "currency, source) FROM STDIN"
)


@dataclass(frozen=True)
class BenchUser:
    """The user under test, a long-lived access token, and how the data got there."""

    id: int
    token: str
    last_day: date
    rows: int
    load_seconds: float | None  # None when the data of an earlier run was reused


def _row_count(session: Session, user_id: int) -> int:
    query = select(func.count()).select_from(Transaction).where(Transaction.user_id == user_id)
    return int(session.scalar(query) or 0)


def _last_day(session: Session, user_id: int) -> date:
    query = select(func.max(Transaction.date)).where(Transaction.user_id == user_id)
    found = session.scalar(query)
    if found is None:
        raise RuntimeError("the bench user has no transactions")
    return found


def _copy_rows(session: Session, user: User, last_day: date) -> None:
    """Load the rows inside the session's transaction through psycopg's COPY."""
    categories = [
        CategoryRef(c.id, c.name, c.type)
        for c in session.scalars(select(Category).where(Category.user_id == user.id))
    ]
    raw = session.connection().connection.driver_connection
    if not isinstance(raw, psycopg.Connection):
        raise TypeError("the bench needs the psycopg driver")
    rows = generate_rows(user.id, categories, count=ROWS, last_day=last_day, years=YEARS)
    with raw.cursor() as cursor, cursor.copy(COPY_SQL) as copy:
        for row in rows:
            copy.write_row(row)


def _create_loaded_user(session: Session, settings: Settings, today: date) -> User:
    """Replace any earlier bench user by a fresh one with ROWS transactions."""
    session.execute(delete(User).where(func.lower(User.username) == USERNAME))
    user = users.create_user(session, settings, username=USERNAME, password=PASSWORD)
    session.flush()
    _copy_rows(session, user, today)
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
            if user is None or _row_count(session, user.id) != ROWS:
                user, loaded = _create_loaded_user(session, settings, today), True
            token = auth.issue_pair(settings, user, datetime.now(UTC)).access.token
            user_id, last_day = user.id, _last_day(session, user.id)
        if loaded:
            _analyze(engine)
    finally:
        engine.dispose()
    load_seconds = time.perf_counter() - started if loaded else None
    return BenchUser(user_id, token, last_day, ROWS, load_seconds)
