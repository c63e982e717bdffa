"""The one rule book for money: Decimal only, two places, never a float."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Annotated

from pydantic import BeforeValidator, WithJsonSchema

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
MAX_INTEGER_DIGITS = 13
# Request amounts are canonical decimal strings: no leading zeros, no exponent, no spaces,
# so the published patterns and the server's checks accept exactly the same texts.
MONEY_PATTERN = r"^-?(0|[1-9][0-9]{0,12})(\.[0-9]{1,2})?$"
POSITIVE_MONEY_PATTERN = r"^([1-9][0-9]{0,12}(\.[0-9]{1,2})?|0\.([1-9][0-9]?|0[1-9]))$"
_MONEY_RE = re.compile(MONEY_PATTERN)
_POSITIVE_MONEY_RE = re.compile(POSITIVE_MONEY_PATTERN)


class MoneyError(ValueError):
    """A value that cannot be an amount of money."""


def D(value: str | int | Decimal) -> Decimal:  # noqa: N802 - Beancount's name for the constructor
    """Build an exact amount with two places from a string, an int or a Decimal."""
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise MoneyError(f"amounts must be decimal strings or integers, not {type(value).__name__}")
    try:
        number = Decimal(value.strip() if isinstance(value, str) else value)
    except InvalidOperation as exc:
        raise MoneyError("not a decimal number") from exc
    if not number.is_finite():
        raise MoneyError("amounts must be finite")
    exponent = number.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2 and number != number.quantize(CENT):
        raise MoneyError("at most 2 decimal places")
    if abs(number) >= Decimal(10) ** MAX_INTEGER_DIGITS:
        raise MoneyError(f"at most {MAX_INTEGER_DIGITS} integer digits")
    return number.quantize(CENT)


def parse_money(value: object) -> Decimal:
    """Validate a request value as money: a decimal string only, never a number."""
    if isinstance(value, float):
        raise MoneyError("send amounts as decimal strings, not floating-point numbers")
    if not isinstance(value, str):
        raise MoneyError("send amounts as decimal strings such as '1234.50'")
    if not _MONEY_RE.match(value):
        raise MoneyError("must be a decimal string such as '1234.50' (at most 2 places)")
    return D(value)


def parse_positive_money(value: object) -> Decimal:
    """Validate a request value as a positive amount: a decimal string above zero."""
    amount = parse_money(value)
    if not _POSITIVE_MONEY_RE.match(str(value)):
        raise MoneyError("must be greater than zero")
    return amount


def require_positive(amount: Decimal) -> Decimal:
    """Refuse zero and negative amounts."""
    if amount <= ZERO:
        raise MoneyError("must be greater than zero")
    return amount


def format_money(amount: Decimal) -> str:
    """Render an amount as the JSON string clients receive."""
    return str(amount.quantize(CENT))


def round_money(value: Decimal) -> Decimal:
    """Round an intermediate result to the agora, half up (a named rounding point)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


Money = Annotated[
    Decimal,
    BeforeValidator(parse_money),
    WithJsonSchema({"type": "string", "pattern": MONEY_PATTERN, "examples": ["1234.50"]}),
]
"""A request amount: a decimal string, at most 13 digits and 2 places."""

PositiveMoney = Annotated[
    Decimal,
    BeforeValidator(parse_positive_money),
    WithJsonSchema({"type": "string", "pattern": POSITIVE_MONEY_PATTERN, "examples": ["1234.50"]}),
]
"""A request amount that must be greater than zero."""
