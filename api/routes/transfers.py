"""Transfer routes: money moved between two of the household's accounts."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from api.deps import HouseholdDep, SessionDep, read_only
from api.schemas.accounts import TransferIn, TransferOut, TransferPage, TransferPatch
from api.schemas.common import Id, Offset, PathId, QueryModel, UserDate
from domain.rules.dates import exclusive_end
from domain.services import transfers
from domain.services.transfers import LIST_MAX, TransferDraft

router = APIRouter(prefix="/transfers", tags=["transfers"])


class TransferQuery(QueryModel):
    """Filters of the list (dates inclusive)."""

    account_id: Id | None = None
    date_from: UserDate | None = None
    date_to: UserDate | None = None


@router.get("")
@read_only
def list_transfers(
    *,
    filters: Annotated[TransferQuery, Query()],
    household: HouseholdDep,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=LIST_MAX)] = 100,
    offset: Annotated[Offset, Query()] = 0,
) -> TransferPage:
    """A page of the household's transfers, newest first, with the filter's total count."""
    start, end = filters.date_from, exclusive_end(filters.date_to)
    account_id = filters.account_id
    found = transfers.list_transfers(
        session, household, account_id=account_id, start=start, end=end, limit=limit, offset=offset
    )
    total = transfers.count_transfers(
        session, household, account_id=account_id, start=start, end=end
    )
    return TransferPage(
        items=[TransferOut.model_validate(t) for t in found],
        total=total,
        limit=limit,
        offset=offset,
    )


@router.post("", status_code=status.HTTP_201_CREATED)
def create_transfer(body: TransferIn, household: HouseholdDep, session: SessionDep) -> TransferOut:
    """Move money between two accounts: never income or expense."""
    draft = TransferDraft(**body.model_dump())
    return TransferOut.model_validate(transfers.record_transfer(session, household, draft))


@router.get("/{transfer_id:int}")
@read_only
def get_transfer(transfer_id: PathId, household: HouseholdDep, session: SessionDep) -> TransferOut:
    """One transfer."""
    return TransferOut.model_validate(transfers.get_transfer(session, household, transfer_id))


@router.patch("/{transfer_id:int}")
def update_transfer(
    transfer_id: PathId, body: TransferPatch, household: HouseholdDep, session: SessionDep
) -> TransferOut:
    """Change a transfer; the result must pass every rule."""
    changes = body.model_dump(exclude_unset=True)
    return TransferOut.model_validate(
        transfers.update_transfer(session, household, transfer_id, changes)
    )


@router.delete("/{transfer_id:int}", status_code=status.HTTP_204_NO_CONTENT)
def delete_transfer(transfer_id: PathId, household: HouseholdDep, session: SessionDep) -> None:
    """Delete a transfer (a deleted statement charge stays deleted)."""
    transfers.delete_transfer(session, household, transfer_id)
