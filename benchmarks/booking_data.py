"""The booking pass's 10,000 households and their sources, loaded set-based and kept between runs.

They live in a database of their own (see environment.py), which holds nothing else: the
benchmark empties its tables freely.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import psycopg
from psycopg.rows import TupleRow

from benchmarks.booking_rows import (
    CATEGORIES,
    FIXED_COPY,
    FIXED_ITEMS,
    LOAN_COPY,
    PLAN_COPY,
    PLANS_PER_USER,
    Row,
    generate_sources,
)
from domain.db.engine import libpq_url
from domain.rules.passwords import hash_password

Connection = psycopg.Connection[TupleRow]
USERS = 10_000
USER_PREFIX = "household-"
PASSWORD = "booking bench password"  # noqa: S105 - throwaway users, hashed once at 4 rounds
USERS_SQL = (
    "INSERT INTO users (username, display_name, password_hash) "
    "SELECT %(prefix)s || lpad(g::text, 5, '0'), 'Household ' || g, %(hash)s "
    "FROM generate_series(1, %(count)s) AS g"
)
CATEGORIES_SQL = (
    "INSERT INTO categories (user_id, name, type) SELECT u.id, c.name, c.type "
    "FROM users AS u CROSS JOIN unnest(%s::text[], %s::text[]) AS c(name, type)"
)
COUNTS_SQL = (
    "SELECT (SELECT count(*) FROM users), (SELECT count(*) FROM fixed_items), "
    "(SELECT count(*) FROM installment_plans), (SELECT count(*) FROM loans)"
)


@dataclass(frozen=True)
class BookingDataset:
    """How many of each row the households have, and how they got there."""

    users: int
    fixed: int
    plans: int
    loans: int
    load_seconds: float | None  # None when the data of an earlier run was reused


EXPECTED = BookingDataset(USERS, USERS * len(FIXED_ITEMS), USERS * PLANS_PER_USER, USERS, None)


def _counts(conn: Connection) -> tuple[int, int, int, int]:
    found = conn.execute(COUNTS_SQL).fetchone()
    if found is None:
        raise RuntimeError("the count query returned nothing")
    users, fixed, plans, loans = found
    return int(users), int(fixed), int(plans), int(loans)


def _copy(conn: Connection, statement: str, rows: Sequence[Row]) -> None:
    with conn.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)


def _create(conn: Connection) -> None:
    """Replace whatever the database holds by the households and their sources."""
    conn.execute("TRUNCATE users CASCADE")
    password_hash = hash_password(PASSWORD, rounds=4)
    conn.execute(USERS_SQL, {"prefix": USER_PREFIX, "hash": password_hash, "count": USERS})
    names, types = [name for name, _ in CATEGORIES], [flow for _, flow in CATEGORIES]
    conn.execute(CATEGORIES_SQL, (names, types))
    categories: dict[int, dict[str, int]] = {}
    for user_id, name, category_id in conn.execute("SELECT user_id, name, id FROM categories"):
        categories.setdefault(user_id, {})[name] = category_id
    sources = generate_sources(categories)
    _copy(conn, FIXED_COPY, sources.fixed)
    _copy(conn, PLAN_COPY, sources.plans)
    _copy(conn, LOAN_COPY, sources.loans)


def ensure_booking_dataset(url: str) -> BookingDataset:
    """The households and their sources, reusing an earlier run's when the counts match."""
    with psycopg.connect(libpq_url(url)) as conn:
        if _counts(conn) == (EXPECTED.users, EXPECTED.fixed, EXPECTED.plans, EXPECTED.loans):
            return EXPECTED
        started = time.perf_counter()
        _create(conn)
        conn.commit()
        conn.autocommit = True
        conn.execute("VACUUM ANALYZE")
        return BookingDataset(*_counts(conn), load_seconds=time.perf_counter() - started)
