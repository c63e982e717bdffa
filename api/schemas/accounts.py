"""Bodies of the account and transfer routes."""

from __future__ import annotations

import datetime as dt
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field

from api.schemas.common import Id, NotNull, RequestBody, ResponseBody, UserDate
from api.schemas.ledger import CURRENCY_PATTERN
from domain.rules.ledger import DESCRIPTION_MAX, NOTES_MAX
from domain.rules.money import Money, PositiveMoney

AccountKind = Literal["bank", "savings", "cash", "credit_card", "debit_card"]
NAME_MAX = 120
DayOfMonth = Annotated[int, Field(ge=1, le=31, description="day of the month, 1 to 31")]


class AccountIn(RequestBody):
    """A new account; a card names its bank, a credit card its close and charge days."""

    name: str = Field(min_length=1, max_length=NAME_MAX)
    kind: AccountKind = "bank"
    institution: str = Field(default="", max_length=NAME_MAX)
    currency: str | None = Field(
        default=None, pattern=CURRENCY_PATTERN, description="left out: the household's currency"
    )
    charged_to_id: Id | None = None
    close_day: DayOfMonth | None = None
    charge_day: DayOfMonth | None = None
    credit_limit: Money | None = Field(default=None, description="zero or more")


class AccountPatch(RequestBody):
    """Account fields to change; null clears a card field (send it when the kind changes)."""

    name: NotNull[Annotated[str, Field(min_length=1, max_length=NAME_MAX)]] = None
    kind: NotNull[AccountKind] = None
    institution: NotNull[Annotated[str, Field(max_length=NAME_MAX)]] = None
    currency: NotNull[Annotated[str, Field(pattern=CURRENCY_PATTERN)]] = None
    charged_to_id: Id | None = None
    close_day: DayOfMonth | None = None
    charge_day: DayOfMonth | None = None
    credit_limit: Money | None = None


class ExposureOut(ResponseBody):
    """A credit card at a glance: what is owed on it, its limit, and its next charge."""

    limit: Decimal | None
    used: Decimal = Field(
        description="closed statements not charged yet, the open statement so far and every"
        " installment part still to come on the card"
    )
    available: Decimal | None = Field(description="the limit minus used; null without a limit")
    awaiting_charge: Decimal = Field(description="closed statements not charged yet")
    open_statement: Decimal = Field(description="the open statement so far")
    coming: Decimal = Field(description="what later statements hold so far")
    over_limit: bool
    next_charge_date: dt.date
    next_charge_amount: Decimal


class BalanceOut(ResponseBody):
    """An account's balance at the end of today: its latest reading plus what moved after it.

    In the account's currency (a credit card owes: negative until its statements are
    charged), with its value in the base currency at today's rate.
    """

    amount: Decimal
    as_of: dt.date | None = Field(description="the latest reading's day; null: none yet")
    recorded: Decimal
    movements: Decimal
    in_base: Decimal


class AccountOut(ResponseBody):
    """An account, its current balance and, for a credit card, its exposure."""

    id: int
    name: str
    kind: AccountKind
    institution: str
    currency: str
    sort_order: int
    is_default: bool
    archived_at: datetime | None
    charged_to_id: int | None
    close_day: int | None
    charge_day: int | None
    credit_limit: Decimal | None
    balance: BalanceOut | None = None
    exposure: ExposureOut | None = Field(default=None, description="a credit card's only")


class AccountOrderIn(RequestBody):
    """Every account id of the household once, in the new display order."""

    ids: list[Id] = Field(min_length=1, max_length=1000)


class StatementLineOut(ResponseBody):
    """A line of a statement; `planned` for a recurring payment not booked yet."""

    date: dt.date
    amount: Decimal = Field(description="positive: a purchase is an expense, a refund income")
    type: Literal["income", "expense"]
    description: str
    planned: bool


class StatementOut(ResponseBody):
    """One statement of a credit card: its period, its charge day, where it stands, its lines.

    status: charged (its charge is booked), history (before the card was tracked), closed
    (its charge still to book), open (it holds today), coming (later).
    """

    opens_after: dt.date = Field(description="the previous close (exclusive)")
    closes: dt.date
    charge: dt.date
    status: Literal["history", "charged", "closed", "open", "coming"]
    lines: list[StatementLineOut]
    purchases: Decimal
    refunds: Decimal
    carried_in: Decimal = Field(description="credit carried in from the statement before")
    total: Decimal = Field(description="what the bank pays on the charge day")
    carried: Decimal = Field(description="credit carried to the next statement")
    transfer_id: int | None = Field(description="the booked charge, once charged")
    charged_amount: Decimal | None = Field(description="what was booked, once charged")


class CardStatementsOut(ResponseBody):
    """A credit card's statements: past ones (oldest first), the open one, coming ones."""

    card_id: int
    currency: str
    past: list[StatementOut]
    open: StatementOut
    coming: list[StatementOut]


class TransferIn(RequestBody):
    """A transfer between two of the household's accounts."""

    date: UserDate
    amount: PositiveMoney
    from_account_id: Id
    to_account_id: Id
    to_amount: PositiveMoney | None = Field(
        default=None, description="what arrived, when the two accounts' currencies differ"
    )
    description: str = Field(default="", max_length=DESCRIPTION_MAX)
    notes: str = Field(default="", max_length=NOTES_MAX)


class TransferPatch(RequestBody):
    """Transfer fields to change; null clears `to_amount` only."""

    date: NotNull[UserDate] = None
    amount: NotNull[PositiveMoney] = None
    from_account_id: NotNull[Id] = None
    to_account_id: NotNull[Id] = None
    to_amount: PositiveMoney | None = None
    description: NotNull[Annotated[str, Field(max_length=DESCRIPTION_MAX)]] = None
    notes: NotNull[Annotated[str, Field(max_length=NOTES_MAX)]] = None


class TransferOut(ResponseBody):
    """A transfer: one record, two legs."""

    id: int
    date: dt.date
    amount: Decimal
    from_account_id: int
    to_account_id: int
    to_amount: Decimal | None
    description: str
    notes: str
    source: Literal["manual", "card_statement", "import"]
    created_at: datetime
    updated_at: datetime


class TransferPage(ResponseBody):
    """A page of transfers and the filter's total count."""

    items: list[TransferOut]
    total: int
    limit: int
    offset: int
