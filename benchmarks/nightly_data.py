"""Typical households for the nightly pass, made set-based on the server and kept between runs.

Each household has its owner, the default categories the pass needs, a year of everyday
spending and monthly salaries (about HISTORY_ROWS transactions), a balance reading, 20
fixed items, 2 installment plans and 1 loan, all on its Main account. Every statement is
an INSERT ... SELECT over generate_series and unnest: nothing goes row by row through
Python or the ORM. Set-up, not changes people make: the audit trigger is off.

`reset_pass` puts the data back to the night before `today` (outside any timing): what a
pass booked is removed, every watermark goes to the day before, alerts and their
fingerprints are forgotten, job runs and queued tasks are emptied.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from datetime import date

import psycopg
from psycopg import sql
from psycopg.rows import TupleRow

from benchmarks.booking_rows import FIXED_ITEMS
from domain.db.engine import libpq_url
from domain.rules.passwords import hash_password

Connection = psycopg.Connection[TupleRow]
HISTORY_ROWS = 1_000  # transactions in a household's last year (typical: 1k to 4k)
USER_PREFIX = "nightly-"
PASSWORD = "nightly bench password"  # noqa: S105 - throwaway users, hashed once at 4 rounds
VARIABLE = ("Groceries", "Dining out", "Transport", "Health", "Shopping")
CATEGORIES = (
    ("Salary", "income"),
    ("Housing", "expense"),
    ("Bills", "expense"),
    ("Family", "expense"),
    ("Leisure", "expense"),
    ("Loan payments", "expense"),
    *((name, "expense") for name in VARIABLE),
)
QUIET_SQL = (
    "SELECT set_config('cashflow.audit', 'off', false), "
    "set_config('cashflow.audit_prune', 'on', false)"
)
EMPTY_SQL = (
    "TRUNCATE transactions, recurring_bookings, fixed_items, installment_plans, loans, "
    "balance_records, alerts, categories, job_runs CASCADE",
    "DELETE FROM audit_log",
    "DELETE FROM households",
    "DELETE FROM users",
)
SEED_SQL = (
    "SELECT setseed(0.1907)",
    "INSERT INTO households (name) SELECT 'Household ' || g FROM generate_series(1, %(n)s) AS g",
    "INSERT INTO users (username, display_name, password_hash, default_household_id) "
    "SELECT %(prefix)s || lpad(h.n::text, 6, '0'), h.name, %(hash)s, h.id "
    "FROM (SELECT id, name, row_number() OVER (ORDER BY id) AS n FROM households) AS h",
    "INSERT INTO memberships (household_id, user_id, role) "
    "SELECT default_household_id, id, 'owner' FROM users",
    "INSERT INTO household_settings (household_id) SELECT id FROM households",
    "INSERT INTO categories (household_id, name, type) SELECT h.id, c.name, c.type "
    "FROM households AS h CROSS JOIN unnest(%(names)s::text[], %(types)s::text[]) AS c(name, type)",
    # A balance reading a month ago, so the forecast starts from something.
    "INSERT INTO balance_records (household_id, account_id, as_of, amount, currency) "
    "SELECT a.household_id, a.id, %(today)s::date - 30, "
    "round((5000 + random() * 45000)::numeric, 2), 'ILS' FROM accounts AS a WHERE a.is_default",
    # 20 fixed items each (the booking bench's list), started 13 months ago.
    "INSERT INTO fixed_items (household_id, account_id, name, type, category_id, currency, "
    "booked_through, amount, frequency, day_of_month, start_date) "
    "SELECT a.household_id, a.id, f.name, CASE WHEN f.category = 'Salary' THEN 'income' "
    "ELSE 'expense' END, c.id, 'ILS', %(today)s::date - 1, "
    "round((f.low + random() * (f.high - f.low))::numeric, 2), f.frequency, "
    "CASE WHEN f.frequency IN ('weekly', 'biweekly') THEN NULL ELSE 1 + floor(random() * 28) END,"
    " (date_trunc('month', %(today)s::date) - interval '13 months')::date "
    "+ floor(random() * 28)::int "
    "FROM accounts AS a CROSS JOIN unnest(%(f_names)s::text[], %(f_categories)s::text[], "
    "%(f_frequencies)s::text[], %(f_lows)s::int[], %(f_highs)s::int[]) "
    "AS f(name, category, frequency, low, high) "
    "JOIN categories AS c ON c.household_id = a.household_id AND c.name = f.category "
    "WHERE a.is_default",
    # 2 installment plans each, some months in.
    "INSERT INTO installment_plans (household_id, account_id, name, type, category_id, currency,"
    " booked_through, total_amount, payments_count, first_payment_date, day_of_month) "
    "SELECT a.household_id, a.id, p.name, 'expense', c.id, 'ILS', %(today)s::date - 1, "
    "round((600 + random() * 11400)::numeric, 2), 12 + floor(random() * 25)::int, "
    "(date_trunc('month', %(today)s::date) - make_interval(months => 1 + floor(random() * 10)::int)"
    ")::date + p.day - 1, p.day "
    "FROM accounts AS a CROSS JOIN (VALUES ('Sofa', 5), ('Laptop', 17)) AS p(name, day) "
    "JOIN categories AS c ON c.household_id = a.household_id AND c.name = 'Family' "
    "WHERE a.is_default",
    # A loan each, a car loan or a mortgage, one to four years in.
    "INSERT INTO loans (household_id, account_id, name, type, category_id, currency, "
    "booked_through, principal, annual_rate, term_months, first_payment_date, day_of_month, "
    "method) SELECT a.household_id, a.id, 'Loan', 'expense', c.id, 'ILS', %(today)s::date - 1, "
    "round((20000 + random() * 580000)::numeric, 2), round((2 + random() * 5)::numeric, 2), "
    "(ARRAY[60, 120, 240])[1 + floor(random() * 3)::int], "
    "(date_trunc('month', %(today)s::date) - make_interval(months => 1 + floor(random() * 47)::int)"
    ")::date + 9, 10, CASE WHEN random() < 0.2 THEN 'equal_principal' ELSE 'spitzer' END "
    "FROM accounts AS a JOIN categories AS c "
    "ON c.household_id = a.household_id AND c.name = 'Loan payments' WHERE a.is_default",
)
# A year of everyday spending, and a salary a month, before today. The rows' foreign keys
# hold by construction: a superuser loads them without the per-row checks.
HISTORY_SQL = (
    "WITH v AS (SELECT household_id, array_agg(id ORDER BY id) AS ids FROM categories "
    "WHERE name = ANY(%(variable)s::text[]) GROUP BY household_id) "
    "INSERT INTO transactions (household_id, account_id, date, amount, type, category_id, "
    "description, currency, source) "
    "SELECT a.household_id, a.id, %(today)s::date - 1 - floor(random() * 364)::int, "
    "round((15 + random() * random() * 600)::numeric, 2), 'expense', v.ids[1 + g %% %(kinds)s], "
    "'Card purchase', 'ILS', 'manual' FROM accounts AS a JOIN v USING (household_id) "
    "CROSS JOIN generate_series(1, %(rows)s) AS g WHERE a.is_default",
    "INSERT INTO transactions (household_id, account_id, date, amount, type, category_id, "
    "description, currency, source) "
    "SELECT a.household_id, a.id, (date_trunc('month', %(today)s::date) "
    "- make_interval(months => m))::date + 9, round((9000 + random() * 9000)::numeric, 2), "
    "'income', c.id, 'Salary', 'ILS', 'manual' FROM accounts AS a "
    "CROSS JOIN generate_series(1, 12) AS m JOIN categories AS c "
    "ON c.household_id = a.household_id AND c.name = 'Salary' WHERE a.is_default",
)
RESET_SQL = (
    "DELETE FROM recurring_bookings",
    "DELETE FROM transactions WHERE source = 'recurring'",
    "UPDATE fixed_items SET booked_through = %(eve)s WHERE booked_through IS DISTINCT FROM %(eve)s",
    "UPDATE installment_plans SET booked_through = %(eve)s "
    "WHERE booked_through IS DISTINCT FROM %(eve)s",
    "UPDATE loans SET booked_through = %(eve)s WHERE booked_through IS DISTINCT FROM %(eve)s",
    "UPDATE household_settings SET alerts_fingerprint = NULL WHERE alerts_fingerprint IS NOT NULL",
    "DELETE FROM alerts",
    "DELETE FROM audit_log",
    "DELETE FROM job_runs",
    "DELETE FROM procrastinate_jobs",
    "DELETE FROM procrastinate_workers",
)
VACUUM_SQL = (
    "VACUUM ANALYZE recurring_bookings, transactions, fixed_items, installment_plans, loans, "
    "household_settings, alerts, audit_log, job_runs, procrastinate_jobs, procrastinate_events"
)
COUNTS_SQL = (
    "SELECT (SELECT count(*) FROM households), (SELECT count(*) FROM fixed_items), "
    "(SELECT count(*) FROM installment_plans), (SELECT count(*) FROM loans), "
    "(SELECT count(*) FROM transactions WHERE source = 'manual'), "
    "(SELECT max(as_of) + 30 FROM balance_records)"
)


@dataclass(frozen=True)
class NightlyDataset:
    """How many households and rows there are, seeded for which day, and how fast."""

    households: int
    fixed: int
    plans: int
    loans: int
    history: int
    today: date | None
    load_seconds: float | None  # None when an earlier run's data was reused


def expected(households: int, history_rows: int, today: date) -> NightlyDataset:
    """What a complete dataset of this size holds."""
    rows = households * (history_rows + 12)
    return NightlyDataset(
        households, households * len(FIXED_ITEMS), 2 * households, households, rows, today, None
    )


def counts(conn: Connection) -> NightlyDataset:
    """What the database holds now."""
    found = conn.execute(COUNTS_SQL).fetchone()
    if found is None:
        raise RuntimeError("the count query returned nothing")
    households, fixed, plans, loans, history, today = found
    return NightlyDataset(
        int(households), int(fixed), int(plans), int(loans), int(history), today, None
    )


def _index_definitions(conn: Connection) -> list[tuple[str, str]]:
    """The transactions table's secondary indexes: (name, CREATE statement)."""
    rows = conn.execute(
        "SELECT i.indexname, i.indexdef FROM pg_indexes AS i JOIN pg_class AS c "
        "ON c.relname = i.indexname JOIN pg_index AS x ON x.indexrelid = c.oid "
        "WHERE i.tablename = 'transactions' AND i.schemaname = current_schema() "
        "AND NOT x.indisprimary"
    ).fetchall()
    return [(str(name), str(definition)) for name, definition in rows]


def _load_history(conn: Connection, params: dict[str, object]) -> None:
    """The history rows, with the secondary indexes built once afterwards (same transaction)."""
    indexes = _index_definitions(conn)
    for name, _ in indexes:
        conn.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(name)))
    found = conn.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user").fetchone()
    if found and found[0]:
        conn.execute("SET LOCAL session_replication_role = replica")
    for statement in HISTORY_SQL:
        conn.execute(statement, params)
    if found and found[0]:
        conn.execute("SET LOCAL session_replication_role = origin")
    for _, definition in indexes:
        conn.execute(definition)


def seed(conn: Connection, households: int, today: date, *, history_rows: int) -> None:
    """Replace whatever the database holds by `households` typical households (uncommitted)."""
    conn.execute(QUIET_SQL)
    for statement in EMPTY_SQL:
        conn.execute(statement)
    params = {
        "n": households,
        "prefix": USER_PREFIX,
        "hash": hash_password(PASSWORD, rounds=4),
        "names": [name for name, _ in CATEGORIES],
        "types": [flow for _, flow in CATEGORIES],
        "today": today,
        "f_names": [item[0] for item in FIXED_ITEMS],
        "f_categories": [item[1] for item in FIXED_ITEMS],
        "f_frequencies": [item[2] for item in FIXED_ITEMS],
        "f_lows": [item[3] for item in FIXED_ITEMS],
        "f_highs": [item[4] for item in FIXED_ITEMS],
        "rows": history_rows,
        "variable": list(VARIABLE),
        "kinds": len(VARIABLE),
    }
    for statement in SEED_SQL:
        conn.execute(statement, params)
    _load_history(conn, params)


def ensure_dataset(
    url: str, households: int, today: date, *, history_rows: int = HISTORY_ROWS
) -> NightlyDataset:
    """The households, reusing an earlier run's when complete (seeded on whichever day)."""
    want = expected(households, history_rows, today)
    with psycopg.connect(libpq_url(url)) as conn:
        found = counts(conn)
        if replace(found, today=today) == want:
            return found
        started = time.perf_counter()
        seed(conn, households, today, history_rows=history_rows)
        conn.commit()
        conn.autocommit = True
        conn.execute("VACUUM ANALYZE")
        loaded = counts(conn)
    return NightlyDataset(
        loaded.households,
        loaded.fixed,
        loaded.plans,
        loaded.loans,
        loaded.history,
        loaded.today,
        time.perf_counter() - started,
    )


def reset_pass(url: str, eve: date) -> None:
    """Back to the night after `eve`: nothing booked, alerted or queued since, then vacuum."""
    with psycopg.connect(libpq_url(url), autocommit=True) as conn:
        with conn.transaction():
            conn.execute(QUIET_SQL)
            for statement in RESET_SQL:
                conn.execute(statement, {"eve": eve})
        conn.execute(VACUUM_SQL)
