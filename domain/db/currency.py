"""Money summed in SQL, in the base currency: each foreign amount converted before it is added.

`in_base` is the set-based twin of `domain.rules.currency.convert`: the rate of the row's
own date or the latest before it, from the owner's rates to `base`, and PostgreSQL's
`round(x, 2)`, which for the positive amounts stored here is half up to the agora, the
converter's rounding (tests/test_currency_sums.py holds the two equal). A row without a
rate converts to NULL, so every sum calls `require_rates` first: a missing rate is an
error naming the currency and the date, never a silent 1:1 and never a silently
skipped row.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.orm import Session, aliased

from domain.db.models import ExchangeRate, Transaction
from domain.rules.currency import MissingRateError

AGORA_PLACES = 2


def rate_of(owner: Any, currency: Any, day: Any, base: str) -> ColumnElement[Decimal]:
    """The owner's rate of `currency` to `base` on `day` or the latest before it (or NULL)."""
    rate = aliased(ExchangeRate)
    return (
        select(rate.rate)
        .where(
            rate.household_id == owner,
            rate.base == base,
            rate.currency == currency,
            rate.day <= day,
        )
        .order_by(rate.day.desc())
        .limit(1)
        .scalar_subquery()
    )


def in_base(base: str, amount: Any = None) -> ColumnElement[Decimal]:
    """A transaction's amount (or `amount`, a column of it) in the base currency."""
    value = Transaction.amount if amount is None else amount
    rate = rate_of(Transaction.household_id, Transaction.currency, Transaction.date, base)
    return case(
        (Transaction.currency == base, value),
        else_=func.round(value * rate, AGORA_PLACES),
    )


def require_rates(session: Session, base: str, *conditions: ColumnElement[bool]) -> None:
    """Refuse to sum the transactions `conditions` select when one of them has no rate."""
    rate = rate_of(Transaction.household_id, Transaction.currency, Transaction.date, base)
    missing = session.execute(
        select(Transaction.currency, Transaction.date)
        .where(*conditions, Transaction.currency != base, rate.is_(None))
        .order_by(Transaction.date)
        .limit(1)
    ).first()
    if missing is not None:
        raise MissingRateError(missing.currency, missing.date, base)
