"""The forecast's baseline: merely reading the rows it depends on, through plain psycopg.

Every column of every row of the user's tables that the forecast's inputs derive from (the
whole ledger: the balance and the spending history are sums over it), fetched into Python
with fetchall in one rolled-back transaction, and nothing computed.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import psycopg
from psycopg.rows import TupleRow

Connection = psycopg.Connection[TupleRow]
# Table -> the query reading all of the user's rows of it.
READS: dict[str, str] = {
    "users": "SELECT * FROM users WHERE id = %(u)s",
    "user_settings": "SELECT * FROM user_settings WHERE user_id = %(u)s",
    "categories": "SELECT * FROM categories WHERE user_id = %(u)s",
    "transactions": "SELECT * FROM transactions WHERE user_id = %(u)s",
    "balance_records": "SELECT * FROM balance_records WHERE user_id = %(u)s",
    "fixed_items": "SELECT * FROM fixed_items WHERE user_id = %(u)s",
    "fixed_pauses": (
        "SELECT p.* FROM fixed_pauses AS p JOIN fixed_items AS f ON f.id = p.fixed_id "
        "WHERE f.user_id = %(u)s"
    ),
    "installment_plans": "SELECT * FROM installment_plans WHERE user_id = %(u)s",
    "loans": "SELECT * FROM loans WHERE user_id = %(u)s",
    "loan_prepayments": (
        "SELECT p.* FROM loan_prepayments AS p JOIN loans AS l ON l.id = p.loan_id "
        "WHERE l.user_id = %(u)s"
    ),
    "recurring_bookings": "SELECT * FROM recurring_bookings WHERE user_id = %(u)s",
}


@dataclass(frozen=True)
class ReadSample:
    """One read of everything: seconds, and the rows each table gave."""

    seconds: float
    rows: dict[str, int]


def read_inputs(conn: Connection, user_id: int) -> ReadSample:
    """Fetch every row of READS into Python in one transaction, rolled back; time it."""
    started = time.perf_counter()
    rows: dict[str, int] = {}
    with conn.transaction(force_rollback=True):
        for table, query in READS.items():
            rows[table] = len(conn.execute(query, {"u": user_id}).fetchall())
    return ReadSample(time.perf_counter() - started, rows)
