"""Transaction routes: the ledger."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status
from pydantic import Field

from api.deps import HouseholdDep, ReadScopeDep, SessionDep, read_only
from api.json import json_response
from api.schemas.common import MAX_ID, Id, PathId, QueryModel, UserDate
from api.schemas.ledger import (
    BulkCreateIn,
    BulkDeleteIn,
    BulkUpdateIn,
    CountOut,
    DuplicateIn,
    FlowType,
    IdsOut,
    TotalsOut,
    TransactionIn,
    TransactionOut,
    TransactionPage,
    TransactionPatch,
)
from domain.db.engine import read_connection
from domain.rules.dates import exclusive_end
from domain.rules.ledger import LedgerFilter, SortKey, TransactionDraft
from domain.rules.money import Money
from domain.services import ledger_pages, transactions

router = APIRouter(prefix="/transactions", tags=["transactions"])


class LedgerQuery(QueryModel):
    """Filters of the list and totals (dates inclusive)."""

    date_from: UserDate | None = None
    date_to: UserDate | None = None
    category_id: list[Id] = []
    type: FlowType | None = None
    min_amount: Money | None = None
    max_amount: Money | None = None
    q: str | None = Field(default=None, max_length=200, description="text in description or notes")
    uncategorised: bool = False
    account_id: Id | None = None

    def to_filter(self) -> LedgerFilter:
        """The domain filter, half-open on dates."""
        return LedgerFilter(
            start=self.date_from,
            end=exclusive_end(self.date_to),
            category_ids=tuple(self.category_id),
            type=self.type,
            min_amount=self.min_amount,
            max_amount=self.max_amount,
            text=self.q or None,
            uncategorised=self.uncategorised,
            account_id=self.account_id,
        )


Filters = Annotated[LedgerQuery, Query()]


def _draft(body: TransactionIn) -> TransactionDraft:
    return TransactionDraft(**body.model_dump())


PAGE_THREADS = ThreadPoolExecutor(max_workers=10, thread_name_prefix="ledger-page")
"""Threads that read ledger pages: as many as the engine's pool keeps connections."""


def _page_body(
    request: Request,
    household_id: int,
    spec: LedgerFilter,
    *,
    sort: SortKey,
    limit: int,
    offset: int,
) -> Response:
    """The page as JSON, read on a connection of the read-only units' pool."""
    with read_connection(request.app.state.read_session_factory) as connection:
        page = ledger_pages.page_of_rows(
            connection, household_id, spec, sort=sort, limit=limit, offset=offset
        )
    items = [dict(zip(ledger_pages.ROW_NAMES, row, strict=False)) for row in page.rows]
    return json_response(
        {"items": items, "total": page.total, "limit": page.limit, "offset": page.offset}
    )


@router.get("", response_model=TransactionPage)
@read_only
async def list_transactions(
    *,
    request: Request,
    filters: Filters,
    scope: ReadScopeDep,
    sort: SortKey = "-date",
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
) -> Response:
    """A filtered, sorted page of the household's transactions with the total count."""
    # The hottest read: the person and household come from this process's verification
    # cache when it holds them, and the page is one thread hop, one statement and one
    # serialisation (the response model documents it; the rows are written as they are).
    # The hop goes to a pool of its own: asyncio's executor costs a third of the CPU of
    # the anyio threadpool's (about 20 against 60 microseconds a call, measured here).
    page = partial(
        _page_body,
        request,
        scope.household_id,
        filters.to_filter(),
        sort=sort,
        limit=limit,
        offset=offset,
    )
    return await asyncio.get_running_loop().run_in_executor(PAGE_THREADS, page)


@router.get("/totals")
@read_only
def transaction_totals(filters: Filters, household: HouseholdDep, session: SessionDep) -> TotalsOut:
    """Income, expenses and net of the filtered transactions."""
    return TotalsOut.model_validate(
        transactions.ledger_totals(session, household, filters.to_filter())
    )


@router.post("", status_code=status.HTTP_201_CREATED)
def create_transaction(
    body: TransactionIn, household: HouseholdDep, session: SessionDep
) -> TransactionOut:
    """Record a transaction."""
    return TransactionOut.model_validate(
        transactions.record_transaction(session, household, _draft(body))
    )


@router.post("/bulk", status_code=status.HTTP_201_CREATED)
def bulk_create(body: BulkCreateIn, household: HouseholdDep, session: SessionDep) -> IdsOut:
    """Record up to 1000 transactions, all or none."""
    ids = transactions.bulk_record(session, household, [_draft(item) for item in body.items])
    return IdsOut(ids=ids)


@router.put("/bulk-update")
def bulk_update(
    body: BulkUpdateIn, household: HouseholdDep, session: SessionDep
) -> list[TransactionOut]:
    """Apply up to 1000 changes, all or none."""
    changes = [
        (item.id, item.model_dump(exclude_unset=True, exclude={"id"})) for item in body.items
    ]
    return [
        TransactionOut.model_validate(t)
        for t in transactions.bulk_update(session, household, changes)
    ]


@router.post("/bulk-delete")
def bulk_delete(body: BulkDeleteIn, household: HouseholdDep, session: SessionDep) -> CountOut:
    """Delete up to 1000 transactions, all or none."""
    return CountOut(count=transactions.bulk_delete(session, household, body.ids))


@router.get("/{transaction_id:int}")
@read_only
def get_transaction(
    transaction_id: PathId, household: HouseholdDep, session: SessionDep
) -> TransactionOut:
    """One transaction."""
    return TransactionOut.model_validate(
        transactions.get_transaction(session, household, transaction_id)
    )


@router.put("/{transaction_id:int}")
def update_transaction(
    transaction_id: PathId, body: TransactionPatch, household: HouseholdDep, session: SessionDep
) -> TransactionOut:
    """Change some fields of a transaction."""
    changed = transactions.update_transaction(
        session, household, transaction_id, body.model_dump(exclude_unset=True)
    )
    return TransactionOut.model_validate(changed)


@router.delete("/{transaction_id:int}", status_code=status.HTTP_204_NO_CONTENT)
def delete_transaction(
    transaction_id: PathId, household: HouseholdDep, session: SessionDep
) -> None:
    """Delete a transaction."""
    transactions.delete_transaction(session, household, transaction_id)


@router.post("/{transaction_id:int}/duplicate", status_code=status.HTTP_201_CREATED)
def duplicate_transaction(
    transaction_id: PathId,
    household: HouseholdDep,
    session: SessionDep,
    body: DuplicateIn | None = None,
) -> TransactionOut:
    """Copy a transaction, on another date when given."""
    copy = transactions.duplicate_transaction(
        session, household, transaction_id, on=body.date if body else None
    )
    return TransactionOut.model_validate(copy)
