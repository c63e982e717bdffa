"""Bodies of the category and transaction routes."""

from __future__ import annotations

import datetime as dt
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field, StrictBool

from api.schemas.common import MAX_ID, Id, NotNull, RequestBody, ResponseBody, UserDate
from domain.rules.ledger import DESCRIPTION_MAX, NOTES_MAX
from domain.rules.money import PositiveMoney

FlowType = Literal["income", "expense"]
CURRENCY_PATTERN = r"^[A-Z]{3}$"


class CategoryIn(RequestBody):
    """A new category."""

    name: str = Field(min_length=1, max_length=60)
    type: FlowType
    name_he: str | None = Field(default=None, max_length=60)
    color: str = Field(default="#757575", pattern=r"^#[0-9A-Fa-f]{6}$")
    icon: str = Field(default="", max_length=16)
    parent_id: int | None = Field(default=None, ge=1, le=MAX_ID)


class CategoryPatch(RequestBody):
    """Category fields to change (the type is fixed); null clears `name_he` only."""

    name: NotNull[Annotated[str, Field(min_length=1, max_length=60)]] = None
    name_he: str | None = Field(default=None, max_length=60)
    color: NotNull[Annotated[str, Field(pattern=r"^#[0-9A-Fa-f]{6}$")]] = None
    icon: NotNull[Annotated[str, Field(max_length=16)]] = None
    parent_id: NotNull[Annotated[int, Field(ge=1, le=MAX_ID)]] = None
    clear_parent: NotNull[StrictBool] = False


class CategoryOut(ResponseBody):
    """A category."""

    id: int
    name: str
    name_he: str | None
    type: FlowType
    color: str
    icon: str
    parent_id: int | None
    sort_order: int
    archived_at: datetime | None


class ReorderIn(RequestBody):
    """Category ids in their new display order."""

    ids: list[Id] = Field(min_length=1, max_length=1000)


class TransactionIn(RequestBody):
    """A new transaction."""

    date: UserDate
    amount: PositiveMoney
    type: FlowType
    category_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    description: str = Field(default="", max_length=DESCRIPTION_MAX)
    notes: str = Field(default="", max_length=NOTES_MAX)
    currency: str | None = Field(default=None, pattern=CURRENCY_PATTERN)
    original_amount: PositiveMoney | None = Field(
        default=None, description="a foreign purchase: what was paid, with original_currency"
    )
    original_currency: str | None = Field(default=None, pattern=CURRENCY_PATTERN)
    account_id: int | None = Field(
        default=None, ge=1, le=MAX_ID, description="the account; left out: the default account"
    )


class TransactionPatch(RequestBody):
    """Transaction fields to change; omitted fields stay as they are.

    Null clears `category_id` (uncategorised) and the original amount and currency (send
    both), and is refused for every other field: send "" to empty a description or the notes.
    """

    date: NotNull[UserDate] = None
    amount: NotNull[PositiveMoney] = None
    type: NotNull[FlowType] = None
    category_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    description: NotNull[Annotated[str, Field(max_length=DESCRIPTION_MAX)]] = None
    notes: NotNull[Annotated[str, Field(max_length=NOTES_MAX)]] = None
    currency: NotNull[Annotated[str, Field(pattern=CURRENCY_PATTERN)]] = None
    original_amount: PositiveMoney | None = Field(
        default=None, description="null clears it, together with original_currency"
    )
    original_currency: str | None = Field(default=None, pattern=CURRENCY_PATTERN)
    account_id: NotNull[Annotated[int, Field(ge=1, le=MAX_ID)]] = None


class TransactionOut(ResponseBody):
    """A transaction."""

    id: int
    account_id: int
    date: dt.date
    amount: Decimal
    type: FlowType
    category_id: int | None
    description: str
    notes: str
    currency: str
    original_amount: Decimal | None
    original_currency: str | None
    source: Literal["manual", "recurring", "import"]
    source_kind: str | None
    source_id: int | None
    created_at: datetime
    updated_at: datetime


class TransactionPage(ResponseBody):
    """A page of transactions and the filter's total count."""

    items: list[TransactionOut]
    total: int
    limit: int
    offset: int


class TotalsOut(ResponseBody):
    """Totals of a filter."""

    income: Decimal
    expense: Decimal
    net: Decimal
    count: int


class BulkCreateIn(RequestBody):
    """Up to 1000 new transactions, stored all or none."""

    items: list[TransactionIn] = Field(min_length=1, max_length=1000)


class BulkUpdateItem(TransactionPatch):
    """One change of a bulk update."""

    id: Id


class BulkUpdateIn(RequestBody):
    """Up to 1000 changes, applied all or none."""

    items: list[BulkUpdateItem] = Field(min_length=1, max_length=1000)


class BulkDeleteIn(RequestBody):
    """Up to 1000 ids to delete, all or none."""

    ids: list[Id] = Field(min_length=1, max_length=1000)


class IdsOut(ResponseBody):
    """Ids of stored rows."""

    ids: list[int]


class CountOut(ResponseBody):
    """How many rows a call touched."""

    count: int


class DuplicateIn(RequestBody):
    """Where the copy goes."""

    date: UserDate | None = None
