"""Account routes: where money sits, its balance and, for cards, the statements."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query, status
from sqlalchemy.orm import Session

from api.deps import HouseholdDep, NowDep, SessionDep, TodayDep
from api.schemas.accounts import (
    AccountIn,
    AccountOrderIn,
    AccountOut,
    AccountPatch,
    BalanceOut,
    CardStatementsOut,
    ExposureOut,
)
from api.schemas.common import PathId
from domain.db.models import Account, Household
from domain.services import accounts, dashboard, statements
from domain.services.accounts import AccountDraft
from domain.services.dashboard import AccountFigures

router = APIRouter(prefix="/accounts", tags=["accounts"])


def _figures_out(figures: AccountFigures) -> AccountOut:
    out = AccountOut.model_validate(figures.account)
    out.balance = BalanceOut.model_validate(figures.balance)
    if figures.card is not None:
        exposure = figures.card.exposure
        out.exposure = ExposureOut.model_validate(
            {
                **exposure.__dict__,
                "over_limit": exposure.over_limit,
                "next_charge_date": figures.card.next_charge_date,
                "next_charge_amount": figures.card.next_charge_amount,
            }
        )
    return out


def _all_out(
    session: Session, household: Household, found: list[Account], today: dt.date
) -> list[AccountOut]:
    return [_figures_out(f) for f in dashboard.account_figures(session, household, found, today)]


def _out(session: Session, household: Household, account: Account, today: dt.date) -> AccountOut:
    return _all_out(session, household, [account], today)[0]


@router.get("")
def list_accounts(
    household: HouseholdDep, session: SessionDep, today: TodayDep, include_archived: bool = False
) -> list[AccountOut]:
    """The household's accounts in display order, each with its balance (cards: exposure)."""
    found = accounts.list_accounts(session, household, include_archived=include_archived)
    return _all_out(session, household, found, today)


@router.post("", status_code=status.HTTP_201_CREATED)
def create_account(
    body: AccountIn, household: HouseholdDep, session: SessionDep, today: TodayDep
) -> AccountOut:
    """Add an account at the end of the order."""
    draft = AccountDraft(**body.model_dump())
    return _out(
        session, household, accounts.create_account(session, household, draft, today=today), today
    )


@router.put("/order")
def reorder_accounts(
    body: AccountOrderIn, household: HouseholdDep, session: SessionDep, today: TodayDep
) -> list[AccountOut]:
    """Set the display order: every account id once, archived ones included."""
    return _all_out(
        session, household, accounts.reorder_accounts(session, household, body.ids), today
    )


@router.get("/{account_id:int}")
def get_account(
    account_id: PathId, household: HouseholdDep, session: SessionDep, today: TodayDep
) -> AccountOut:
    """One account with its balance (a credit card: its exposure)."""
    return _out(session, household, accounts.get_account(session, household, account_id), today)


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
    changed = accounts.update_account(session, household, account_id, changes, today=today)
    return _out(session, household, changed, today)


@router.delete("/{account_id:int}", status_code=status.HTTP_204_NO_CONTENT)
def delete_account(account_id: PathId, household: HouseholdDep, session: SessionDep) -> None:
    """Delete an account that holds nothing; one holding rows answers 409: archive it."""
    accounts.delete_account(session, household, account_id)


@router.post("/{account_id:int}/archive")
def archive_account(
    account_id: PathId, household: HouseholdDep, session: SessionDep, now: NowDep, today: TodayDep
) -> AccountOut:
    """Hide an account from choices; its rows and balance stay."""
    archived = accounts.archive_account(session, household, account_id, now=now)
    return _out(session, household, archived, today)


@router.post("/{account_id:int}/restore")
def restore_account(
    account_id: PathId, household: HouseholdDep, session: SessionDep, today: TodayDep
) -> AccountOut:
    """Bring an archived account back."""
    restored = accounts.restore_account(session, household, account_id)
    return _out(session, household, restored, today)


@router.post("/{account_id:int}/default")
def set_default(
    account_id: PathId, household: HouseholdDep, session: SessionDep, today: TodayDep
) -> AccountOut:
    """Make an open bank account the one new rows go to when none is named."""
    chosen = accounts.set_default(session, household, account_id)
    return _out(session, household, chosen, today)


@router.get("/{account_id:int}/statements")
def card_statements(
    *,
    account_id: PathId,
    household: HouseholdDep,
    session: SessionDep,
    today: TodayDep,
    past: Annotated[int, Query(ge=0, le=statements.PAST_MAX)] = 12,
    coming: Annotated[int, Query(ge=0, le=statements.COMING_MAX)] = 3,
) -> CardStatementsOut:
    """A credit card's last `past` statements, the open one and the next `coming`, with lines.

    Another household's account answers 404, an account that is not a credit card 422.
    """
    found = statements.card_statements(
        session, household, account_id, today, past=past, coming=coming
    )
    return CardStatementsOut.model_validate(found)
