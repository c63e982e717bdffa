"""The booking baseline: the pass's rows, precomputed, written by one INSERT per table.

The same transactions and the same recurring_bookings keys as the pass writes, into the same
tables with the same indexes, constraints, deferred foreign key and audit trigger (one
audit_log row per booked transaction), in one transaction; what it leaves out is the pass's
own work: loading the sources, expanding them in Python, the exactly-once claim (ON
CONFLICT) and the watermarks. Written with the trigger switched off (`cashflow.audit`),
the same rows show what the audit log costs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg.rows import TupleRow

from domain.rules.occurrences import Occurrence

Connection = psycopg.Connection[TupleRow]
# Reserve a block of transaction ids before timing, as precomputed as the rest of the rows.
RESERVE_SQL = (
    "SELECT setval(pg_get_serial_sequence('transactions', 'id'), "
    "nextval(pg_get_serial_sequence('transactions', 'id')) + %s - 1)"
)
TRANSACTIONS_SQL = """
INSERT INTO transactions
    (id, household_id, date, amount, type, category_id, description, notes, currency, source,
     source_kind, source_id)
SELECT d.id, d.household_id, d.date, d.amount, d.type, d.category_id, d.description, '',
       d.currency, 'recurring', d.source_kind, d.source_id
FROM unnest(%s::bigint[], %s::bigint[], %s::date[], %s::numeric[], %s::text[], %s::bigint[],
            %s::text[], %s::text[], %s::text[], %s::bigint[])
    AS d(id, household_id, date, amount, type, category_id, description, currency, source_kind,
         source_id)
"""
UNAUDITED_SQL = "SELECT set_config('cashflow.audit', 'off', true)"
BOOKINGS_SQL = """
INSERT INTO recurring_bookings (household_id, source_kind, source_id, due_date, transaction_id)
SELECT * FROM unnest(%s::bigint[], %s::text[], %s::bigint[], %s::date[], %s::bigint[])
"""


@dataclass(frozen=True)
class BaselineParams:
    """The two statements' column arrays, built before the clock starts."""

    transactions: tuple[list[Any], ...]
    bookings: tuple[list[Any], ...]


def reserve_ids(conn: Connection, count: int) -> int:
    """Take `count` consecutive transaction ids from the sequence; return the first."""
    found = conn.execute(RESERVE_SQL, (count,)).fetchone()
    if found is None:
        raise RuntimeError("setval returned nothing")
    return int(found[0]) - count + 1


def baseline_params(due: Sequence[Occurrence], first_id: int) -> BaselineParams:
    """Column arrays of the rows the pass books, with ids from a reserved block."""
    ids = list(range(first_id, first_id + len(due)))
    households = [o.household_id for o in due]
    kinds = [o.kind for o in due]
    sources = [o.source_id for o in due]
    dates = [o.due_date for o in due]
    amounts = [o.amount for o in due]
    types = [o.type for o in due]
    categories = [o.category_id for o in due]
    descriptions = [o.description for o in due]
    currencies = [o.currency for o in due]
    return BaselineParams(
        (
            ids,
            households,
            dates,
            amounts,
            types,
            categories,
            descriptions,
            currencies,
            kinds,
            sources,
        ),
        (households, kinds, sources, dates, ids),
    )


def insert_rows(conn: Connection, params: BaselineParams, *, audited: bool = True) -> None:
    """Write the transactions and their booking keys in one transaction, committed."""
    with conn.transaction():
        if not audited:
            conn.execute(UNAUDITED_SQL)
        conn.execute(TRANSACTIONS_SQL, params.transactions)
        conn.execute(BOOKINGS_SQL, params.bookings)
