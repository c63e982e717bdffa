"""The converter: the rate of the day or the latest before it, half-up to the agora, never 1:1."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import InvalidInputError
from domain.rules.currency import (
    MissingRateError,
    Rate,
    build_rate_table,
    check_rate,
    convert,
    sum_in_base,
)

TABLE = build_rate_table(
    "ILS",
    [
        Rate(date(2026, 1, 1), "USD", Decimal("3.7215")),
        Rate(date(2026, 1, 5), "USD", Decimal("3.6900")),
        Rate(date(2026, 1, 2), "EUR", Decimal("4.012345")),
        Rate(date(2026, 1, 1), "JPY", Decimal("0.024567")),
    ],
)


@pytest.mark.parametrize(
    ("amount", "currency", "day", "base_amount", "rate", "rate_day"),
    [
        # the rate of the day itself
        ("3000.00", "USD", date(2026, 1, 1), "11164.50", "3.7215", date(2026, 1, 1)),
        # a day without a rate takes the latest before it (a weekend, a holiday)
        ("100.00", "USD", date(2026, 1, 4), "372.15", "3.7215", date(2026, 1, 1)),
        # a newer rate replaces it from its own day on
        ("100.00", "USD", date(2026, 1, 5), "369.00", "3.6900", date(2026, 1, 5)),
        ("100.00", "USD", date(2027, 6, 1), "369.00", "3.6900", date(2026, 1, 5)),
        # half up at the agora: 10.00 * 4.012345 = 40.12345 -> 40.12; 0.01 * 3.7215 -> 0.04
        ("10.00", "EUR", date(2026, 1, 2), "40.12", "4.012345", date(2026, 1, 2)),
        ("0.01", "USD", date(2026, 1, 1), "0.04", "3.7215", date(2026, 1, 1)),
        # a rate quoted per unit of a small currency: 20.00 * 0.024567 = 0.49134
        ("20.00", "JPY", date(2026, 1, 1), "0.49", "0.024567", date(2026, 1, 1)),
        # the base converts to itself at 1, needing no rate
        ("55.55", "ILS", date(1999, 1, 1), "55.55", "1", None),
    ],
)
def test_convert_table(
    amount: str,
    currency: str,
    day: date,
    base_amount: str,
    rate: str,
    rate_day: date | None,
) -> None:
    result = convert(Decimal(amount), currency, day, TABLE)
    assert (result.base_amount, result.rate, result.rate_day) == (
        Decimal(base_amount),
        Decimal(rate),
        rate_day,
    )


def test_half_agora_rounds_up() -> None:
    table = build_rate_table("ILS", [Rate(date(2026, 1, 1), "USD", Decimal("0.5"))])
    assert convert(Decimal("0.01"), "USD", date(2026, 1, 1), table).base_amount == Decimal("0.01")
    assert convert(Decimal("0.05"), "USD", date(2026, 1, 1), table).base_amount == Decimal("0.03")


@pytest.mark.parametrize(
    ("currency", "day"),
    [("USD", date(2025, 12, 31)), ("GBP", date(2026, 1, 1)), ("EUR", date(2026, 1, 1))],
)
def test_a_missing_rate_names_the_currency_and_the_date(currency: str, day: date) -> None:
    with pytest.raises(MissingRateError) as caught:
        convert(Decimal("1.00"), currency, day, TABLE)
    assert currency in caught.value.message
    assert day.isoformat() in caught.value.message
    assert caught.value.status_code == 422


def test_a_sum_of_dollars_and_shekels_is_a_sum_of_shekels() -> None:
    items = [
        (Decimal("100.00"), "USD", date(2026, 1, 1)),
        (Decimal("50.00"), "ILS", date(2026, 1, 1)),
    ]
    assert sum_in_base(items, TABLE) == Decimal("422.15")
    with pytest.raises(MissingRateError):
        sum_in_base([*items, (Decimal("1.00"), "GBP", date(2026, 1, 1))], TABLE)


@pytest.mark.parametrize(
    ("currency", "rate", "field"),
    [
        ("usd", "3.7", "currency"),
        ("ILS", "1", "currency"),
        ("USD", "0", "rate"),
        ("USD", "-1", "rate"),
        ("USD", "1.0000001", "rate"),
        ("USD", "100000000", "rate"),
        ("USD", "NaN", "rate"),
    ],
)
def test_check_rate_refuses(currency: str, rate: str, field: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        check_rate(currency, Decimal(rate), "ILS")
    assert caught.value.field == field


def test_same_day_twice_the_last_wins() -> None:
    table = build_rate_table(
        "ILS",
        [Rate(date(2026, 1, 1), "USD", Decimal("3")), Rate(date(2026, 1, 1), "USD", Decimal("4"))],
    )
    assert table.rate_on("USD", date(2026, 1, 1)).rate == Decimal("4")


amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("1000000"), places=2)
rates = st.decimals(min_value=Decimal("0.000001"), max_value=Decimal("1000"), places=6)
days = st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 1, 1))


@given(amount=amounts, rate=rates, day=days, later=st.integers(0, 400))
def test_conversion_is_within_half_an_agora_of_exact(
    amount: Decimal, rate: Decimal, day: date, later: int
) -> None:
    table = build_rate_table("ILS", [Rate(day, "USD", rate)])
    result = convert(amount, "USD", day + timedelta(days=later), table)
    assert abs(result.base_amount - amount * rate) <= Decimal("0.005")
    assert result.base_amount == result.base_amount.quantize(Decimal("0.01"))
    assert result.rate_day == day


@given(rate_days=st.lists(days, min_size=1, max_size=10), day=days)
def test_the_rate_used_is_the_latest_on_or_before_the_day(rate_days: list[date], day: date) -> None:
    table = build_rate_table(
        "ILS", [Rate(d, "USD", Decimal(i + 1)) for i, d in enumerate(rate_days)]
    )
    earlier = [d for d in rate_days if d <= day]
    if not earlier:
        with pytest.raises(MissingRateError):
            table.rate_on("USD", day)
    else:
        assert table.rate_on("USD", day).day == max(earlier)
