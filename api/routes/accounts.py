"""Account routes: where money sits, its balance and, for cards, the statements."""

from __future__ import annotations

from fastapi import APIRouter, status

from api.deps import HouseholdDep, NowDep, SessionDep, TodayDep, read_only
from api.schemas.accounts import AccountIn, AccountOrderIn, AccountOut, AccountPatch
from api.schemas.common import PathId
from domain.db.models import Account
from domain.services import accounts
from domain.services.accounts import AccountDraft

router = APIRouter(prefix="/accounts", tags=["accounts"])


def _out(account: Account) -> AccountOut:
    return AccountOut.model_validate(account)


@router.get("")
@read_only
def list_accounts(
    household: HouseholdDep, session: SessionDep, include_archived: bool = False
) -> list[AccountOut]:
    """The household's accounts in display order, each with its balance (cards: exposure)."""
    found = accounts.list_accounts(session, household, include_archived=include_archived)
    return [_out(a) for a in found]


@router.post("", status_code=status.HTTP_201_CREATED)
def create_account(
    body: AccountIn, household: HouseholdDep, session: SessionDep, today: TodayDep
) -> AccountOut:
    """Add an account at the end of the order."""
    draft = AccountDraft(**body.model_dump())
    return _out(accounts.create_account(session, household, draft, today=today))


@router.put("/order")
def reorder_accounts(
    body: AccountOrderIn, household: HouseholdDep, session: SessionDep
) -> list[AccountOut]:
    """Set the display order: every account id once, archived ones included."""
    return [_out(a) for a in accounts.reorder_accounts(session, household, body.ids)]


@router.get("/{account_id:int}")
@read_only
def get_account(account_id: PathId, household: HouseholdDep, session: SessionDep) -> AccountOut:
    """One account."""
    return _out(accounts.get_account(session, household, account_id))


@router.patch("/{account_id:int}")
def update_account(
    account_id: PathId,
    body: AccountPatch,
    household: HouseholdDep,
    session: SessionDep,
    today: TodayDep,
) -> AccountOut:
    """Change an account; the result must pass every rule of its kind."""
    changes = body.model_dump(exclude_unset=True)
    return _out(accounts.update_account(session, household, account_id, changes, today=today))


@router.delete("/{account_id:int}", status_code=status.HTTP_204_NO_CONTENT)
def delete_account(account_id: PathId, household: HouseholdDep, session: SessionDep) -> None:
    """Delete an account that holds nothing; one holding rows answers 409: archive it."""
    accounts.delete_account(session, household, account_id)


@router.post("/{account_id:int}/archive")
def archive_account(
    account_id: PathId, household: HouseholdDep, session: SessionDep, now: NowDep
) -> AccountOut:
    """Hide an account from choices; its rows and balance stay."""
    return _out(accounts.archive_account(session, household, account_id, now=now))


@router.post("/{account_id:int}/restore")
def restore_account(account_id: PathId, household: HouseholdDep, session: SessionDep) -> AccountOut:
    """Bring an archived account back."""
    return _out(accounts.restore_account(session, household, account_id))


@router.post("/{account_id:int}/default")
def set_default(account_id: PathId, household: HouseholdDep, session: SessionDep) -> AccountOut:
    """Make an open bank account the one new rows go to when none is named."""
    return _out(accounts.set_default(session, household, account_id))
