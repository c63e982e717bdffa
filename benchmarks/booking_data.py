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
    PLANS_PER_HOUSEHOLD,
    Row,
    generate_sources,
)
from domain.db.engine import libpq_url
from domain.rules.passwords import hash_password

Connection = psycopg.Connection[TupleRow]
HOUSEHOLDS = 10_000
USER_PREFIX = "household-"
PASSWORD = "booking bench password"  # noqa: S105 - throwaway users, hashed once at 4 rounds
# Set-up, not changes people make: no audit rows, and the deletes may take theirs along.
QUIET_SQL = (
    "SELECT set_config('cashflow.audit', 'off', true), "
    "set_config('cashflow.audit_prune', 'on', true)"
)
# The audit log refuses TRUNCATE, and TRUNCATE ... CASCADE of households or users reaches
# it: empty the money tables (which it does not refer to) first, then delete the rest.
EMPTY_SQL = (
    "TRUNCATE transactions, recurring_bookings, fixed_items, installment_plans, loans, "
    "categories CASCADE",
    "DELETE FROM households",
    "DELETE FROM users",
)
HOUSEHOLDS_SQL = (
    "INSERT INTO households (name) SELECT 'Household ' || g FROM generate_series(1, %(count)s) AS g"
)
# Each household's one person, its owner, as `create_user` leaves them.
USERS_SQL = (
    "INSERT INTO users (username, display_name, password_hash, default_household_id) "
    "SELECT %(prefix)s || lpad(h.n::text, 5, '0'), h.name, %(hash)s, h.id "
    "FROM (SELECT id, name, row_number() OVER (ORDER BY id) AS n FROM households) AS h"
)
MEMBERSHIPS_SQL = (
    "INSERT INTO memberships (household_id, user_id, role) "
    "SELECT default_household_id, id, 'owner' FROM users"
)
SETTINGS_SQL = "INSERT INTO household_settings (household_id) SELECT id FROM households"
CATEGORIES_SQL = (
    "INSERT INTO categories (household_id, name, type) SELECT h.id, c.name, c.type "
    "FROM households AS h CROSS JOIN unnest(%s::text[], %s::text[]) AS c(name, type)"
)
COUNTS_SQL = (
    "SELECT (SELECT count(*) FROM households), (SELECT count(*) FROM fixed_items), "
    "(SELECT count(*) FROM installment_plans), (SELECT count(*) FROM loans)"
)


@dataclass(frozen=True)
class BookingDataset:
    """How many of each row the households have, and how they got there."""

    households: int
    fixed: int
    plans: int
    loans: int
    load_seconds: float | None  # None when the data of an earlier run was reused


EXPECTED = BookingDataset(
    HOUSEHOLDS,
    HOUSEHOLDS * len(FIXED_ITEMS),
    HOUSEHOLDS * PLANS_PER_HOUSEHOLD,
    HOUSEHOLDS,
    None,
)


def _counts(conn: Connection) -> tuple[int, int, int, int]:
    found = conn.execute(COUNTS_SQL).fetchone()
    if found is None:
        raise RuntimeError("the count query returned nothing")
    households, fixed, plans, loans = found
    return int(households), int(fixed), int(plans), int(loans)


def _copy(conn: Connection, statement: str, rows: Sequence[Row]) -> None:
    with conn.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)


def _create(conn: Connection) -> None:
    """Replace whatever the database holds by the households, their owners and sources."""
    conn.execute(QUIET_SQL)
    for statement in EMPTY_SQL:
        conn.execute(statement)
    conn.execute(HOUSEHOLDS_SQL, {"count": HOUSEHOLDS})
    password_hash = hash_password(PASSWORD, rounds=4)
    conn.execute(USERS_SQL, {"prefix": USER_PREFIX, "hash": password_hash})
    conn.execute(MEMBERSHIPS_SQL)
    conn.execute(SETTINGS_SQL)
    names, types = [name for name, _ in CATEGORIES], [flow for _, flow in CATEGORIES]
    conn.execute(CATEGORIES_SQL, (names, types))
    categories: dict[int, dict[str, int]] = {}
    query = "SELECT household_id, name, id FROM categories"
    for household_id, name, category_id in conn.execute(query):
        categories.setdefault(household_id, {})[name] = category_id
    sources = generate_sources(categories)
    _copy(conn, FIXED_COPY, sources.fixed)
    _copy(conn, PLAN_COPY, sources.plans)
    _copy(conn, LOAN_COPY, sources.loans)


def ensure_booking_dataset(url: str) -> BookingDataset:
    """The households and their sources, reusing an earlier run's when the counts match."""
    with psycopg.connect(libpq_url(url)) as conn:
        if _counts(conn) == (EXPECTED.households, EXPECTED.fixed, EXPECTED.plans, EXPECTED.loans):
            return EXPECTED
        started = time.perf_counter()
        _create(conn)
        conn.commit()
        conn.autocommit = True
        conn.execute("VACUUM ANALYZE")
        return BookingDataset(*_counts(conn), load_seconds=time.perf_counter() - started)
