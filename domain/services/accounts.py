"""Accounts: where money sits. Create, edit, archive, restore, reorder, choose the default."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import exists, func, or_, select, update
from sqlalchemy.orm import Session

from domain.db.cards import cycle_of
from domain.db.models import (
    ACCOUNT_KINDS,
    Account,
    BalanceRecord,
    FixedItem,
    Household,
    InstallmentPlan,
    Loan,
    Transaction,
    Transfer,
)
from domain.errors import ConflictError, InvalidInputError, NotFoundError
from domain.rules.cards import last_charged_close
from domain.rules.money import MAX_INTEGER_DIGITS, ZERO

NAME_MAX = 120
CARD_ONLY = ("charged_to_id", "close_day", "charge_day", "credit_limit")


@dataclass(frozen=True)
class AccountDraft:
    """An account as entered; the card fields only for cards (credit: all but the limit)."""

    name: str
    kind: str = "bank"
    institution: str = ""
    currency: str | None = None
    charged_to_id: int | None = None
    close_day: int | None = None
    charge_day: int | None = None
    credit_limit: Decimal | None = None


UPDATABLE = tuple(f.name for f in fields(AccountDraft))


def list_accounts(
    session: Session, household: Household, *, include_archived: bool = False
) -> list[Account]:
    """The household's accounts in their order; archived ones only when asked."""
    query = select(Account).where(Account.household_id == household.id)
    if not include_archived:
        query = query.where(Account.archived_at.is_(None))
    return list(session.scalars(query.order_by(Account.sort_order, Account.id)))


def get_account(session: Session, household: Household, account_id: int) -> Account:
    """One of the household's accounts; another household's answers not found."""
    account = session.scalars(
        select(Account).where(Account.id == account_id, Account.household_id == household.id)
    ).one_or_none()
    if account is None:
        raise NotFoundError("account not found")
    return account


def default_account(session: Session, household: Household) -> Account:
    """The household's default bank account (every household has one)."""
    return session.scalars(
        select(Account).where(Account.household_id == household.id, Account.is_default)
    ).one()


def check_account_for(
    session: Session, household: Household, account_id: int | None, *, field: str = "account_id"
) -> Account:
    """The account a new row goes into: the given one (open, the household's) or the default."""
    if account_id is None:
        return default_account(session, household)
    try:
        account = get_account(session, household, account_id)
    except NotFoundError as exc:  # a field naming it, not the path: the request is invalid
        raise InvalidInputError(field, "no such account") from exc
    if account.archived_at is not None:
        raise InvalidInputError(field, "the account is archived")
    return account


def _check_name(name: str) -> str:
    name = name.strip()
    if not 1 <= len(name) <= NAME_MAX:
        raise InvalidInputError("name", f"must be 1 to {NAME_MAX} characters")
    return name


def _check_day(name: str, day: int | None) -> None:
    if day is None:
        raise InvalidInputError(name, "a credit card needs it")
    if not 1 <= day <= 31:
        raise InvalidInputError(name, "must be 1 to 31")


def _check_card(
    session: Session, household: Household, draft: AccountDraft, own: int | None
) -> None:
    if draft.kind not in ("credit_card", "debit_card"):
        for name in CARD_ONLY:
            if getattr(draft, name) is not None:
                raise InvalidInputError(name, "only a card has it")
        return
    if draft.charged_to_id is None:
        raise InvalidInputError("charged_to_id", "a card is charged to a bank account")
    bank = check_account_for(session, household, draft.charged_to_id, field="charged_to_id")
    if bank.kind != "bank" or bank.id == own:
        raise InvalidInputError("charged_to_id", "must be a bank account")
    if draft.kind == "debit_card":
        for name in ("close_day", "charge_day", "credit_limit"):
            if getattr(draft, name) is not None:
                raise InvalidInputError(name, "only a credit card has it")
        return
    _check_day("close_day", draft.close_day)
    _check_day("charge_day", draft.charge_day)
    limit = draft.credit_limit
    if limit is not None and (limit < ZERO or abs(limit) >= Decimal(10) ** MAX_INTEGER_DIGITS):
        raise InvalidInputError("credit_limit", "must be zero or more, at most 13 digits")


def _check(session: Session, household: Household, draft: AccountDraft, own: int | None) -> None:
    _check_name(draft.name)
    if draft.kind not in ACCOUNT_KINDS:
        raise InvalidInputError("kind", f"must be one of {', '.join(ACCOUNT_KINDS)}")
    if len(draft.institution) > NAME_MAX:
        raise InvalidInputError("institution", f"at most {NAME_MAX} characters")
    _check_card(session, household, draft, own)


def create_account(
    session: Session, household: Household, draft: AccountDraft, *, today: date
) -> Account:
    """Add an account at the end of the order; a card's statements before today are history."""
    _check(session, household, draft, None)
    last = session.scalar(
        select(func.max(Account.sort_order)).where(Account.household_id == household.id)
    )
    account = Account(
        household_id=household.id,
        name=draft.name.strip(),
        kind=draft.kind,
        institution=draft.institution.strip(),
        currency=draft.currency or household.currency,
        charged_to_id=draft.charged_to_id,
        close_day=draft.close_day,
        charge_day=draft.charge_day,
        credit_limit=draft.credit_limit,
        sort_order=(last if last is not None else -1) + 1,
    )
    if draft.kind == "credit_card":
        account.booked_through = last_charged_close(cycle_of(account), today)
    session.add(account)
    session.flush()
    return account


def _draft_of(account: Account) -> AccountDraft:
    return AccountDraft(**{name: getattr(account, name) for name in UPDATABLE})


def update_account(
    session: Session, household: Household, account_id: int, changes: dict[str, Any], *, today: date
) -> Account:
    """Apply a partial change; the result must pass every rule."""
    unknown = set(changes) - set(UPDATABLE)
    if unknown:
        raise InvalidInputError(sorted(unknown)[0], "cannot be changed")
    account = get_account(session, household, account_id)
    draft = AccountDraft(**{**_draft_of(account).__dict__, **changes})
    if draft.kind != "bank" and account.is_default:
        raise InvalidInputError("kind", "the default account stays a bank account")
    if draft.kind != account.kind and _pays_cards(session, account):
        raise InvalidInputError("kind", "cards are charged to this account")
    _check(session, household, draft, account.id)
    became_card = draft.kind == "credit_card" and account.kind != "credit_card"
    for name in UPDATABLE:
        setattr(account, name, getattr(draft, name))
    account.name = draft.name.strip()
    account.institution = draft.institution.strip()
    account.currency = draft.currency or household.currency
    if became_card:
        account.booked_through = last_charged_close(cycle_of(account), today)
    session.flush()
    return account


def _pays_cards(session: Session, account: Account) -> bool:
    return bool(
        session.scalar(
            select(
                exists().where(
                    Account.charged_to_id == account.id,
                    Account.household_id == account.household_id,
                    Account.archived_at.is_(None),
                )
            )
        )
    )


def archive_account(
    session: Session, household: Household, account_id: int, *, now: datetime
) -> Account:
    """Hide an account from choices; its rows and balance stay. Not the default, nor a payer."""
    account = get_account(session, household, account_id)
    if account.is_default:
        raise ConflictError("the default account cannot be archived: choose another default first")
    if _pays_cards(session, account):
        raise ConflictError("cards are charged to this account: archive or move them first")
    if account.archived_at is None:
        account.archived_at = now
        session.flush()
    return account


def restore_account(session: Session, household: Household, account_id: int) -> Account:
    """Bring an archived account back."""
    account = get_account(session, household, account_id)
    account.archived_at = None
    session.flush()
    return account


def set_default(session: Session, household: Household, account_id: int) -> Account:
    """Make an open bank account the one new rows go to when none is named."""
    account = get_account(session, household, account_id)
    if account.kind != "bank" or account.archived_at is not None:
        raise InvalidInputError("account_id", "the default must be an open bank account")
    session.execute(
        update(Account)
        .where(Account.household_id == household.id, Account.is_default)
        .values(is_default=False)
    )
    session.flush()
    account.is_default = True
    session.flush()
    return account


def reorder_accounts(session: Session, household: Household, ids: list[int]) -> list[Account]:
    """Put the accounts in the given order; the list names every account once."""
    accounts = {a.id: a for a in list_accounts(session, household, include_archived=True)}
    if sorted(ids) != sorted(accounts):
        raise InvalidInputError("ids", "must list each of the household's accounts once")
    for index, account_id in enumerate(ids):
        accounts[account_id].sort_order = index
    session.flush()
    return [accounts[i] for i in ids]


def _in_use(session: Session, account: Account) -> bool:
    used = [
        select(table.id).where(table.account_id == account.id).limit(1)
        for table in (Transaction, FixedItem, InstallmentPlan, Loan, BalanceRecord)
    ]
    used.append(
        select(Transfer.id)
        .where(or_(Transfer.from_account_id == account.id, Transfer.to_account_id == account.id))
        .limit(1)
    )
    used.append(select(Account.id).where(Account.charged_to_id == account.id).limit(1))
    return any(session.scalar(select(exists(query))) for query in used)


def follow_base(session: Session, household: Household, old: str) -> list[Account]:
    """After the base currency changed from `old`: empty accounts still in it take the new one.

    A new household's Main account was made in the old base; with nothing in it, the
    household means it in the new one. An account that holds anything keeps its currency
    (its amounts are in it) and is valued at the day's rate.
    """
    moved = [
        account
        for account in list_accounts(session, household, include_archived=True)
        if account.currency == old != household.currency and not _in_use(session, account)
    ]
    for account in moved:
        account.currency = household.currency
    session.flush()
    return moved


def delete_account(session: Session, household: Household, account_id: int) -> None:
    """Delete an account that holds nothing; one with rows is archived instead."""
    account = get_account(session, household, account_id)
    if account.is_default:
        raise ConflictError("the default account cannot be deleted")
    if _in_use(session, account):
        raise ConflictError("the account holds transactions or sources: archive it instead")
    session.delete(account)
    session.flush()
