"""The ledger's hottest read: one page of a household's transactions as plain rows.

The same page as `transactions.list_transactions`, for a caller that already holds the
household's id (from a verified scope) and renders the rows itself: no ORM household, no
statement built per call (`ledger.fetch_page_rows`).
"""

from __future__ import annotations

from sqlalchemy import Connection

from domain.db import ledger
from domain.rules.ledger import LedgerFilter, SortKey
from domain.services.transactions import Page, check_page

ROW_NAMES = ledger.LIST_NAMES
"""The names of a row's values, in order (the filter's count follows them in each row)."""


def page_of_rows(
    connection: Connection,
    household_id: int,
    spec: LedgerFilter,
    *,
    sort: SortKey = "-date",
    limit: int = 50,
    offset: int = 0,
) -> Page:
    """One page of the household's filtered transactions as tuples, with the total count."""
    check_page(limit, offset)
    rows, total = ledger.fetch_page_rows(
        connection, household_id, spec, sort=sort, limit=limit, offset=offset
    )
    return Page(rows=rows, total=total, limit=limit, offset=offset)
