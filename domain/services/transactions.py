"""Transactions: record, find, correct, duplicate and delete money in and out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from domain.db import ledger
from domain.db.models import Household, Transaction
from domain.errors import InvalidInputError, NotFoundError
from domain.rules.ledger import (
    LedgerFilter,
    SortKey,
    Totals,
    TransactionDraft,
    check_draft,
)
from domain.services.accounts import check_account_for
from domain.services.categories import check_category_for
from domain.services.rates import base_currency

BULK_MAX = 1000
PAGE_MAX = 500
UPDATABLE = (
    "date",
    "amount",
    "type",
    "category_id",
    "description",
    "notes",
    "currency",
    "original_amount",
    "original_currency",
    "account_id",
)


@dataclass(frozen=True)
class Page:
    """One page of a filtered list and the filter's total count."""

    rows: Sequence[Any]
    total: int
    limit: int
    offset: int


def validate_draft(
    session: Session, household: Household, draft: TransactionDraft
) -> TransactionDraft:
    """Check a draft's own rules, its category and its account; fill the account and currency.

    A transaction without a currency takes its account's.
    """
    check_draft(draft)
    check_category_for(session, household, draft.category_id, draft.type)
    account = check_account_for(session, household, draft.account_id)
    return replace(draft, account_id=account.id, currency=draft.currency or account.currency)


def _row(household: Household, draft: TransactionDraft, source: str) -> dict[str, Any]:
    return {
        "household_id": household.id,
        "date": draft.date,
        "amount": draft.amount,
        "type": draft.type,
        "category_id": draft.category_id,
        "description": draft.description,
        "notes": draft.notes,
        "currency": draft.currency or household.currency,
        "original_amount": draft.original_amount,
        "original_currency": draft.original_currency,
        "source": source,
        "account_id": draft.account_id,
    }


def record_transaction(
    session: Session, household: Household, draft: TransactionDraft, *, source: str = "manual"
) -> Transaction:
    """Store one transaction after checking it."""
    draft = validate_draft(session, household, draft)
    transaction = Transaction(**_row(household, draft, source))
    session.add(transaction)
    session.flush()
    return transaction


def get_transaction(session: Session, household: Household, transaction_id: int) -> Transaction:
    """One of the household's transactions; another household's answers not found."""
    found = session.scalars(
        select(Transaction).where(
            Transaction.id == transaction_id, Transaction.household_id == household.id
        )
    ).one_or_none()
    if found is None:
        raise NotFoundError("transaction not found")
    return found


def _draft_of(transaction: Transaction) -> TransactionDraft:
    return TransactionDraft(
        date=transaction.date,
        amount=transaction.amount,
        type=transaction.type,  # type: ignore[arg-type]  # the CHECK constraint holds it
        category_id=transaction.category_id,
        description=transaction.description,
        notes=transaction.notes,
        currency=transaction.currency,
        original_amount=transaction.original_amount,
        original_currency=transaction.original_currency,
        account_id=transaction.account_id,
    )


def update_transaction(
    session: Session, household: Household, transaction_id: int, changes: dict[str, Any]
) -> Transaction:
    """Apply a partial change; the result must pass every rule."""
    unknown = set(changes) - set(UPDATABLE)
    if unknown:
        raise InvalidInputError(sorted(unknown)[0], "cannot be changed")
    transaction = get_transaction(session, household, transaction_id)
    draft = validate_draft(session, household, replace(_draft_of(transaction), **changes))
    for name in UPDATABLE:
        setattr(transaction, name, getattr(draft, name))
    session.flush()
    return transaction


def delete_transaction(session: Session, household: Household, transaction_id: int) -> None:
    """Delete one of the household's transactions."""
    session.delete(get_transaction(session, household, transaction_id))
    session.flush()


def duplicate_transaction(
    session: Session, household: Household, transaction_id: int, *, on: date | None = None
) -> Transaction:
    """Copy a transaction as a new manual one, on another date when given."""
    draft = _draft_of(get_transaction(session, household, transaction_id))
    return record_transaction(session, household, replace(draft, date=on or draft.date))


def _indexed(index: int, exc: InvalidInputError) -> InvalidInputError:
    return InvalidInputError(exc.field, f"row {index}: {exc.message}", index=index)


def bulk_record(
    session: Session, household: Household, drafts: Sequence[TransactionDraft]
) -> list[int]:
    """Store up to 1000 transactions, all or none; an error names the failing row."""
    if not 1 <= len(drafts) <= BULK_MAX:
        raise InvalidInputError("items", f"send 1 to {BULK_MAX} transactions")
    rows = []
    for index, draft in enumerate(drafts):
        try:
            rows.append(_row(household, validate_draft(session, household, draft), "manual"))
        except InvalidInputError as exc:
            raise _indexed(index, exc) from exc
    result = session.execute(insert(Transaction).returning(Transaction.id), rows)
    return list(result.scalars())


def bulk_update(
    session: Session, household: Household, changes: Sequence[tuple[int, dict[str, Any]]]
) -> list[Transaction]:
    """Apply several partial changes, all or none."""
    if not 1 <= len(changes) <= BULK_MAX:
        raise InvalidInputError("items", f"send 1 to {BULK_MAX} changes")
    updated = []
    for index, (transaction_id, change) in enumerate(changes):
        try:
            updated.append(update_transaction(session, household, transaction_id, change))
        except InvalidInputError as exc:
            raise _indexed(index, exc) from exc
    return updated


def bulk_delete(session: Session, household: Household, ids: Sequence[int]) -> int:
    """Delete several of the household's transactions; any unknown id deletes none."""
    if not 1 <= len(ids) <= BULK_MAX:
        raise InvalidInputError("ids", f"send 1 to {BULK_MAX} ids")
    wanted = set(ids)
    # Locking the rows makes an overlapping delete wait for this one, then find its rows
    # gone and delete none: each call reports only rows it deleted itself.
    mine = set(
        session.scalars(
            select(Transaction.id)
            .where(Transaction.household_id == household.id, Transaction.id.in_(wanted))
            .with_for_update()
        )
    )
    if mine != wanted:
        raise NotFoundError("transaction not found")
    deleted = session.scalars(
        delete(Transaction)
        .where(Transaction.household_id == household.id, Transaction.id.in_(wanted))
        .returning(Transaction.id)
    ).all()
    return len(deleted)


def check_page(limit: int, offset: int) -> None:
    """A page's size and start as a list accepts them."""
    if not 1 <= limit <= PAGE_MAX:
        raise InvalidInputError("limit", f"must be 1 to {PAGE_MAX}")
    if offset < 0:
        raise InvalidInputError("offset", "must not be negative")


def list_transactions(
    session: Session,
    household: Household,
    spec: LedgerFilter,
    *,
    sort: SortKey = "-date",
    limit: int = 50,
    offset: int = 0,
) -> Page:
    """One page of the household's filtered transactions, with the total count."""
    check_page(limit, offset)
    rows, total = ledger.fetch_page(
        session, household.id, spec, sort=sort, limit=limit, offset=offset
    )
    return Page(rows=rows, total=total, limit=limit, offset=offset)


def ledger_totals(session: Session, household: Household, spec: LedgerFilter) -> Totals:
    """Income, expenses and net of the household's filtered transactions, in the base currency."""
    return ledger.fetch_totals(session, household.id, spec, base=base_currency(household))
