"""Currency conversion: one converter from any currency to the owner's base currency.

A rate is "how many base units one unit of the currency buys" on a day. An amount converts
at the rate of its own date, or the latest one before it; a missing rate is an error that
names the currency and the date, never a silent 1:1. Conversions round half up to the
agora in exactly one place, `_to_agora`.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from babel.numbers import format_currency

from domain.errors import DomainError, InvalidInputError
from domain.rules.ledger import CURRENCY_RE
from domain.rules.money import CENT, ZERO

RATE_PLACES = 6
RATE_QUANTUM = Decimal(1).scaleb(-RATE_PLACES)
MAX_RATE = Decimal(10) ** 8
ONE = Decimal(1)


class MissingRateError(DomainError):
    """No rate converts this currency on this date: the sum would mix currencies."""

    status_code = 422

    def __init__(self, currency: str, day: date, base: str) -> None:
        super().__init__(
            f"no {currency} to {base} exchange rate on or before {day.isoformat()}; "
            f"add one under Rates"
        )
        self.currency = currency
        self.day = day
        self.base = base


@dataclass(frozen=True)
class Rate:
    """One published or typed rate: one unit of `currency` is worth `rate` base units."""

    day: date
    currency: str
    rate: Decimal


@dataclass(frozen=True)
class Conversion:
    """An amount converted to the base currency, and the rate that did it (1 for the base)."""

    amount: Decimal
    currency: str
    day: date
    base: str
    base_amount: Decimal
    rate: Decimal
    rate_day: date | None

    @property
    def converted(self) -> bool:
        """Whether the amount was in a foreign currency."""
        return self.rate_day is not None


@dataclass(frozen=True)
class RateTable:
    """The owner's rates to `base`, by currency, each list sorted by day."""

    base: str
    days: dict[str, list[date]] = field(default_factory=dict)
    rates: dict[str, list[Decimal]] = field(default_factory=dict)

    def rate_on(self, currency: str, day: date) -> Rate:
        """The rate of `day`, or the latest one before it."""
        days = self.days.get(currency, [])
        index = bisect.bisect_right(days, day) - 1
        if index < 0:
            raise MissingRateError(currency, day, self.base)
        return Rate(days[index], currency, self.rates[currency][index])

    def latest(self, currency: str) -> Rate | None:
        """The newest rate held for a currency, if any."""
        days = self.days.get(currency)
        return Rate(days[-1], currency, self.rates[currency][-1]) if days else None


def build_rate_table(base: str, rates: Iterable[Rate]) -> RateTable:
    """Index rates by currency and day; the last of two rates for one day wins."""
    merged: dict[str, dict[date, Decimal]] = {}
    for rate in rates:
        if rate.currency != base:
            merged.setdefault(rate.currency, {})[rate.day] = rate.rate
    days = {cur: sorted(by_day) for cur, by_day in merged.items()}
    values = {cur: [merged[cur][d] for d in days[cur]] for cur in days}
    return RateTable(base, days, values)


def _to_agora(value: Decimal) -> Decimal:
    """The one rounding point of every conversion: half up to the agora."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def convert(amount: Decimal, currency: str, day: date, table: RateTable) -> Conversion:
    """Convert an amount dated `day` to the base currency at the rate on or before that day."""
    if currency == table.base:
        return Conversion(amount, currency, day, table.base, amount, ONE, None)
    rate = table.rate_on(currency, day)
    base_amount = _to_agora(amount * rate.rate)
    return Conversion(amount, currency, day, table.base, base_amount, rate.rate, rate.day)


def sum_in_base(items: Iterable[tuple[Decimal, str, date]], table: RateTable) -> Decimal:
    """The sum of (amount, currency, date) items in the base currency, each converted first."""
    return sum((convert(a, c, d, table).base_amount for a, c, d in items), ZERO)


def check_rate(currency: str, rate: Decimal, base: str) -> None:
    """Refuse a rate that cannot be stored: a bad code, the base itself, or out of range."""
    if not CURRENCY_RE.match(currency):
        raise InvalidInputError("currency", "must be a 3-letter ISO code such as USD")
    if currency == base:
        raise InvalidInputError("currency", f"{base} is the base currency; its rate is always 1")
    if not rate.is_finite() or rate <= ZERO or rate >= MAX_RATE:
        raise InvalidInputError("rate", "must be a positive number below 100,000,000")
    if rate != rate.quantize(RATE_QUANTUM):
        raise InvalidInputError("rate", f"at most {RATE_PLACES} decimal places")


def explain_conversion(conversion: Conversion) -> str:
    """How a figure was converted, for the forecast: "USD 3,000.00 at 3.7215 = ₪11,164.50"."""
    base = format_currency(conversion.base_amount, conversion.base, locale="en")
    rate = f"{conversion.rate.normalize():f}"
    return f"{conversion.currency} {conversion.amount:,.2f} at {rate} = {base}"
