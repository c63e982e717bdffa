"""Ledger rules: what a transaction is, how a list is filtered and sorted, and totals."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Literal

from domain.errors import InvalidInputError
from domain.rules.categories import FLOW_TYPES, FlowType
from domain.rules.money import CENT, MAX_INTEGER_DIGITS, ZERO

DESCRIPTION_MAX = 500
NOTES_MAX = 2000
CURRENCY_RE = re.compile(r"^[A-Z]{3}$")
Source = Literal["manual", "recurring", "import"]
SORT_KEYS = ("date", "amount", "description", "created_at")
SortKey = Literal[
    "date", "-date", "amount", "-amount", "description", "-description", "created_at", "-created_at"
]


@dataclass(frozen=True)
class TransactionDraft:
    """A transaction as entered, before it is stored."""

    date: date
    amount: Decimal
    type: FlowType
    category_id: int | None = None
    description: str = ""
    notes: str = ""
    currency: str | None = None
    # A foreign purchase converted at the source: what was paid, shown beside the charge.
    original_amount: Decimal | None = None
    original_currency: str | None = None
    account_id: int | None = None  # None: the household's default account


def check_amount(amount: Decimal, *, field_name: str = "amount") -> Decimal:
    """A positive amount with at most two places and 13 integer digits."""
    if not isinstance(amount, Decimal) or not amount.is_finite():
        raise InvalidInputError(field_name, "must be a decimal amount")
    if amount <= ZERO:
        raise InvalidInputError(field_name, "must be greater than zero")
    if amount != amount.quantize(CENT):
        raise InvalidInputError(field_name, "at most 2 decimal places")
    if amount >= Decimal(10) ** MAX_INTEGER_DIGITS:
        raise InvalidInputError(field_name, f"at most {MAX_INTEGER_DIGITS} integer digits")
    return amount.quantize(CENT)


def check_draft(draft: TransactionDraft) -> TransactionDraft:
    """Refuse a draft that breaks a rule, naming the field."""
    check_amount(draft.amount)
    if draft.type not in FLOW_TYPES:
        raise InvalidInputError("type", "must be 'income' or 'expense'")
    if len(draft.description) > DESCRIPTION_MAX:
        raise InvalidInputError("description", f"at most {DESCRIPTION_MAX} characters")
    if len(draft.notes) > NOTES_MAX:
        raise InvalidInputError("notes", f"at most {NOTES_MAX} characters")
    if draft.currency is not None and not CURRENCY_RE.match(draft.currency):
        raise InvalidInputError("currency", "must be a 3-letter ISO code such as ILS")
    _check_original(draft)
    return draft


def _check_original(draft: TransactionDraft) -> None:
    """The original amount and currency come together, or not at all."""
    if (draft.original_amount is None) != (draft.original_currency is None):
        missing = "original_currency" if draft.original_currency is None else "original_amount"
        raise InvalidInputError(missing, "give the original amount and currency together")
    if draft.original_amount is not None:
        check_amount(draft.original_amount, field_name="original_amount")
    if draft.original_currency is not None and not CURRENCY_RE.match(draft.original_currency):
        raise InvalidInputError("original_currency", "must be a 3-letter ISO code such as USD")


@dataclass(frozen=True)
class LedgerFilter:
    """Which transactions a list or a total covers; dates are half-open [start, end)."""

    start: date | None = None
    end: date | None = None
    category_ids: tuple[int, ...] = ()
    type: FlowType | None = None
    min_amount: Decimal | None = None
    max_amount: Decimal | None = None
    text: str | None = None
    uncategorised: bool = False
    account_id: int | None = None


@dataclass(frozen=True)
class Totals:
    """Income, expenses and net of a set of transactions."""

    income: Decimal = ZERO
    expense: Decimal = ZERO
    count: int = 0
    net: Decimal = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "net", self.income - self.expense)


def total_rows(rows: Iterable[tuple[FlowType, Decimal]]) -> Totals:
    """Exact totals of (type, amount) pairs."""
    income, expense, count = ZERO, ZERO, 0
    for flow, amount in rows:
        count += 1
        if flow == "income":
            income += amount
        else:
            expense += amount
    return Totals(income=income, expense=expense, count=count)
