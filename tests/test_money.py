"""The money rule book: what is an amount and what is not."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from domain.rules.money import (
    MONEY_PATTERN,
    POSITIVE_MONEY_PATTERN,
    ZERO,
    Money,
    MoneyError,
    PositiveMoney,
    parse_money,
    parse_positive_money,
)


class Body(BaseModel):
    amount: Money


class PositiveBody(BaseModel):
    amount: PositiveMoney


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1234.50", Decimal("1234.50")),
        ("0", ZERO),
        ("-5", Decimal("-5.00")),
        ("7.1", Decimal("7.10")),
        ("9999999999999.99", Decimal("9999999999999.99")),
    ],
)
def test_accepted_amounts(raw: object, expected: Decimal) -> None:
    assert parse_money(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "1.005",  # three places
        "abc",
        "1e20",
        "NaN",
        "Infinity",
        "10000000000000",  # 14 integer digits
        0.1 + 0.2,  # a float with a binary tail
        1.5,  # any float
        True,
        None,
        "",
        42,  # a JSON number: amounts are strings, as the schema says
        " 7.1 ",  # spaces around
        "007",  # leading zeros
    ],
)
def test_refused_amounts(raw: object) -> None:
    with pytest.raises(MoneyError):
        parse_money(raw)


def test_body_names_the_field_and_positive_refuses_zero() -> None:
    with pytest.raises(ValidationError) as err:
        Body.model_validate({"amount": 1.5})
    assert err.value.errors()[0]["loc"] == ("amount",)
    for bad in ("0", "-5", "0.00"):
        with pytest.raises(ValidationError):
            PositiveBody.model_validate({"amount": bad})
    assert PositiveBody.model_validate({"amount": "0.01"}).amount == Decimal("0.01")


def test_schema_publishes_a_string_pattern() -> None:
    schema = Body.model_json_schema()["properties"]["amount"]
    assert schema["type"] == "string"
    assert "pattern" in schema


@given(st.decimals(min_value=-(10**12), max_value=10**12, places=2, allow_nan=False))
def test_round_trip_of_any_two_place_amount(amount: Decimal) -> None:
    assert parse_money(str(amount)) == amount
    assert parse_money(format(amount, "f")) == amount


@given(st.from_regex(r"\A-?[0-9]{0,15}(\.[0-9]{0,3})?\Z") | st.text(alphabet="-0123456789. e"))
def test_published_patterns_accept_exactly_what_the_server_accepts(text: str) -> None:
    for pattern, parse in (
        (MONEY_PATTERN, parse_money),
        (POSITIVE_MONEY_PATTERN, parse_positive_money),
    ):
        try:
            parse(text)
            accepted = True
        except MoneyError:
            accepted = False
        assert accepted == bool(re.match(pattern, text)), (pattern, text)
