"""Bodies of the exchange-rate routes."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Annotated

from pydantic import BeforeValidator, Field, WithJsonSchema

from api.schemas.common import RequestBody, ResponseBody, UserDate
from api.schemas.ledger import CURRENCY_PATTERN

EXCHANGE_RATE_PATTERN = r"^(0|[1-9][0-9]{0,7})(\.[0-9]{1,6})?$"
_EXCHANGE_RATE_RE = re.compile(EXCHANGE_RATE_PATTERN)


def _parse_exchange_rate(value: object) -> Decimal:
    """Base units per one unit of the currency, as a decimal string with at most 6 places."""
    if not isinstance(value, str) or not _EXCHANGE_RATE_RE.match(value):
        raise ValueError('send the rate as a decimal string such as "3.7215" (at most 6 places)')
    return Decimal(value)


ExchangeRateText = Annotated[
    Decimal,
    BeforeValidator(_parse_exchange_rate),
    WithJsonSchema({"type": "string", "pattern": EXCHANGE_RATE_PATTERN, "examples": ["3.7215"]}),
]
CurrencyCode = Annotated[str, Field(pattern=CURRENCY_PATTERN, examples=["USD"])]


class RateIn(RequestBody):
    """A rate on a day: one unit of `currency` is worth `rate` units of the base currency."""

    day: UserDate
    currency: CurrencyCode
    rate: ExchangeRateText


class RateOut(ResponseBody):
    """A stored rate, to `base` (the base currency when it was entered)."""

    id: int
    day: dt.date
    currency: str
    base: str
    rate: Decimal
    source: str


class RatesImportedOut(ResponseBody):
    """What an import stored, and the lines it skipped with their reasons."""

    stored: int
    currencies: list[str]
    first_day: dt.date
    last_day: dt.date
    skipped: list[str]
