"""What the UI's account views read: every account with its figures, and a stamp of them.

`accounts_overview` composes the accounts, their balances and each card's exposure and
next charge for the accounts page. The household's data version (services.versions)
predates accounts and does not stamp the accounts or transfers tables; a page caching
by it would keep showing an account's old balance after a transfer. The UI adds this
stamp to the version.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from domain.db.models import Account, Household
from domain.rules.money import ZERO
from domain.services import accounts, balance, dashboard
from domain.services.balance import AccountBalance
from domain.services.dashboard import CardFigures


@dataclass(frozen=True)
class AccountLine:
    """An account as the accounts page lists it, with its balance at the end of today."""

    id: int
    name: str
    kind: str
    institution: str
    currency: str
    is_default: bool
    archived: bool
    charged_to_id: int | None
    close_day: int | None
    charge_day: int | None
    credit_limit: Decimal | None
    balance: Decimal  # in the account's currency
    in_base: Decimal


@dataclass(frozen=True)
class AccountsOverview:
    """The household's accounts in order, its cash in the base currency, what its cards owe."""

    accounts: tuple[AccountLine, ...]
    cards: dict[int, CardFigures]
    cash: Decimal
    owed: Decimal


def _line(account: Account, found: AccountBalance) -> AccountLine:
    return AccountLine(
        account.id,
        account.name,
        account.kind,
        account.institution,
        account.currency,
        account.is_default,
        account.archived_at is not None,
        account.charged_to_id,
        account.close_day,
        account.charge_day,
        account.credit_limit,
        found.amount,
        found.in_base,
    )


def accounts_overview(session: Session, household: Household, today: date) -> AccountsOverview:
    """Every account (archived ones too) with its balance; each open card's figures."""
    every = accounts.list_accounts(session, household, include_archived=True)
    figures = dashboard.account_figures(session, household, every, today)
    held = [a for a in every if a.archived_at is None]
    balances = {f.account.id: f.balance for f in figures}
    return AccountsOverview(
        tuple(_line(f.account, f.balance) for f in figures),
        {f.account.id: f.card for f in figures if f.card and f.account.archived_at is None},
        balance.cash_total(balances, held).amount,
        sum((balances[a.id].in_base for a in held if a.kind == "credit_card"), ZERO),
    )
