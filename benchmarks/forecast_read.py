"""The forecast's baseline: merely reading the rows it depends on, through plain psycopg.

Every column of every row of the household's tables that the forecast's inputs derive from
(the whole ledger: the balance and the spending history are sums over it), fetched into
Python with fetchall in one rolled-back transaction, and nothing computed.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import psycopg
from psycopg.rows import TupleRow

Connection = psycopg.Connection[TupleRow]
# Table -> the query reading all of the household's rows of it.
READS: dict[str, str] = {
    "households": "SELECT * FROM households WHERE id = %(h)s",
    "household_settings": "SELECT * FROM household_settings WHERE household_id = %(h)s",
    "categories": "SELECT * FROM categories WHERE household_id = %(h)s",
    "transactions": "SELECT * FROM transactions WHERE household_id = %(h)s",
    "balance_records": "SELECT * FROM balance_records WHERE household_id = %(h)s",
    "fixed_items": "SELECT * FROM fixed_items WHERE household_id = %(h)s",
    "fixed_pauses": (
        "SELECT p.* FROM fixed_pauses AS p JOIN fixed_items AS f ON f.id = p.fixed_id "
        "WHERE f.household_id = %(h)s"
    ),
    "installment_plans": "SELECT * FROM installment_plans WHERE household_id = %(h)s",
    "loans": "SELECT * FROM loans WHERE household_id = %(h)s",
    "loan_prepayments": (
        "SELECT p.* FROM loan_prepayments AS p JOIN loans AS l ON l.id = p.loan_id "
        "WHERE l.household_id = %(h)s"
    ),
    "recurring_bookings": "SELECT * FROM recurring_bookings WHERE household_id = %(h)s",
}


@dataclass(frozen=True)
class ReadSample:
    """One read of everything: seconds, and the rows each table gave."""

    seconds: float
    rows: dict[str, int]


def read_inputs(conn: Connection, household_id: int) -> ReadSample:
    """Fetch every row of READS into Python in one transaction, rolled back; time it."""
    started = time.perf_counter()
    rows: dict[str, int] = {}
    with conn.transaction(force_rollback=True):
        for table, query in READS.items():
            rows[table] = len(conn.execute(query, {"h": household_id}).fetchall())
    return ReadSample(time.perf_counter() - started, rows)
