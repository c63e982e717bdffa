"""Transfers: money moved between two of the household's accounts, never income or expense."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from domain.db.models import Household, Transfer
from domain.errors import InvalidInputError, NotFoundError
from domain.rules.ledger import check_amount
from domain.services.accounts import check_account_for

LIST_MAX = 500
DESCRIPTION_MAX = 500


@dataclass(frozen=True)
class TransferDraft:
    """A transfer as entered; `to_amount` only when the two accounts' currencies differ."""

    date: date
    amount: Decimal
    from_account_id: int
    to_account_id: int
    to_amount: Decimal | None = None
    description: str = ""
    notes: str = ""


UPDATABLE = tuple(f.name for f in fields(TransferDraft))


def _check(session: Session, household: Household, draft: TransferDraft) -> TransferDraft:
    check_amount(draft.amount)
    source = check_account_for(session, household, draft.from_account_id, field="from_account_id")
    target = check_account_for(session, household, draft.to_account_id, field="to_account_id")
    if source.id == target.id:
        raise InvalidInputError("to_account_id", "must differ from the account it leaves")
    if source.currency == target.currency:
        if draft.to_amount is not None and draft.to_amount != draft.amount:
            raise InvalidInputError("to_amount", "only between accounts in different currencies")
        draft = replace(draft, to_amount=None)
    elif draft.to_amount is None:
        raise InvalidInputError("to_amount", f"what arrived in {target.currency} is needed")
    else:
        check_amount(draft.to_amount, field_name="to_amount")
    if len(draft.description) > DESCRIPTION_MAX:
        raise InvalidInputError("description", f"at most {DESCRIPTION_MAX} characters")
    return draft


def record_transfer(
    session: Session, household: Household, draft: TransferDraft, *, source: str = "manual"
) -> Transfer:
    """Store one transfer after checking both accounts."""
    draft = _check(session, household, draft)
    transfer = Transfer(household_id=household.id, source=source, **draft.__dict__)
    session.add(transfer)
    session.flush()
    return transfer


def get_transfer(session: Session, household: Household, transfer_id: int) -> Transfer:
    """One of the household's transfers; another household's answers not found."""
    found = session.scalars(
        select(Transfer).where(Transfer.id == transfer_id, Transfer.household_id == household.id)
    ).one_or_none()
    if found is None:
        raise NotFoundError("transfer not found")
    return found


def update_transfer(
    session: Session, household: Household, transfer_id: int, changes: dict[str, Any]
) -> Transfer:
    """Apply a partial change; the result must pass every rule."""
    unknown = set(changes) - set(UPDATABLE)
    if unknown:
        raise InvalidInputError(sorted(unknown)[0], "cannot be changed")
    transfer = get_transfer(session, household, transfer_id)
    current = TransferDraft(**{name: getattr(transfer, name) for name in UPDATABLE})
    draft = _check(session, household, replace(current, **changes))
    for name in UPDATABLE:
        setattr(transfer, name, getattr(draft, name))
    session.flush()
    return transfer


def delete_transfer(session: Session, household: Household, transfer_id: int) -> None:
    """Delete a transfer (a statement charge deleted stays deleted: its key remains)."""
    session.delete(get_transfer(session, household, transfer_id))
    session.flush()


def _where(
    household: Household, account_id: int | None, start: date | None, end: date | None
) -> list[ColumnElement[bool]]:
    where = [Transfer.household_id == household.id]
    if account_id is not None:
        where.append(
            or_(Transfer.from_account_id == account_id, Transfer.to_account_id == account_id)
        )
    if start is not None:
        where.append(Transfer.date >= start)
    if end is not None:
        where.append(Transfer.date < end)
    return where


def list_transfers(
    session: Session,
    household: Household,
    *,
    account_id: int | None = None,
    start: date | None = None,
    end: date | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[Transfer]:
    """The household's transfers in [start, end), newest first; of one account (either leg)."""
    if not 1 <= limit <= LIST_MAX:
        raise InvalidInputError("limit", f"must be 1 to {LIST_MAX}")
    if offset < 0:
        raise InvalidInputError("offset", "must be zero or more")
    query = select(Transfer).where(*_where(household, account_id, start, end))
    query = query.order_by(Transfer.date.desc(), Transfer.id.desc()).limit(limit).offset(offset)
    return list(session.scalars(query))


def count_transfers(
    session: Session,
    household: Household,
    *,
    account_id: int | None = None,
    start: date | None = None,
    end: date | None = None,
) -> int:
    """How many transfers list_transfers would page through with the same filter."""
    where = _where(household, account_id, start, end)
    return int(session.scalar(select(func.count()).select_from(Transfer).where(*where)) or 0)
