"""Card cycles as literal tables: which statement a purchase lies on, and when it is paid."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.rules.cards import (
    CardCycle,
    CardLine,
    bank_debits,
    build_statements,
    charge_date,
    previous_close,
    statement_charged_near,
    statement_close,
)
from domain.rules.installments import installment_dates, split_installments


@pytest.mark.parametrize(
    ("close_day", "purchase", "closes"),
    [
        # On the close day: this statement. The day after: the next one.
        (20, date(2027, 1, 20), date(2027, 1, 20)),
        (20, date(2027, 1, 21), date(2027, 2, 20)),
        (20, date(2027, 1, 1), date(2027, 1, 20)),
        # A close day of 31 clamps to February's last day, and to 30 in April.
        (31, date(2027, 2, 28), date(2027, 2, 28)),
        (31, date(2027, 3, 1), date(2027, 3, 31)),
        (31, date(2028, 2, 29), date(2028, 2, 29)),
        (31, date(2027, 4, 30), date(2027, 4, 30)),
        (30, date(2027, 2, 28), date(2027, 2, 28)),
        # December's purchases after the close land in January.
        (15, date(2027, 12, 16), date(2028, 1, 15)),
    ],
)
def test_a_purchase_lies_on_the_statement_whose_period_holds_it(
    close_day: int, purchase: date, closes: date
) -> None:
    cycle = CardCycle(close_day=close_day, charge_day=10)
    assert statement_close(cycle, purchase) == closes
    assert previous_close(cycle, closes) < purchase <= closes


@pytest.mark.parametrize(
    ("close_day", "charge_day", "closes", "charge"),
    [
        (31, 10, date(2027, 1, 31), date(2027, 2, 10)),  # the charge day in the next month
        (20, 2, date(2027, 1, 20), date(2027, 2, 2)),
        (1, 10, date(2027, 1, 1), date(2027, 1, 10)),  # after the close, same month
        (10, 10, date(2027, 1, 10), date(2027, 2, 10)),  # never on the close day itself
        (31, 30, date(2027, 1, 31), date(2027, 2, 28)),  # clamped in February
        (15, 2, date(2027, 12, 15), date(2028, 1, 2)),
    ],
)
def test_the_bank_pays_on_the_first_charge_day_after_the_close(
    close_day: int, charge_day: int, closes: date, charge: date
) -> None:
    assert charge_date(CardCycle(close_day, charge_day), closes) == charge


@pytest.mark.parametrize(
    ("close_day", "charge_day", "paid", "closes"),
    [
        (1, 10, date(2026, 7, 10), date(2026, 7, 1)),  # on the charge day
        (1, 10, date(2026, 7, 7), date(2026, 7, 1)),  # three days early
        (1, 10, date(2026, 7, 13), date(2026, 7, 1)),  # three days late
        (1, 10, date(2026, 7, 14), None),  # four days late: a payment by hand
        (1, 10, date(2026, 7, 20), None),
        (31, 2, date(2027, 3, 1), date(2027, 2, 28)),  # February's close, charged March 2
        (20, 2, date(2027, 1, 3), date(2026, 12, 20)),  # across the year
    ],
)
def test_a_payment_near_a_charge_day_is_that_statements_charge(
    close_day: int, charge_day: int, paid: date, closes: date | None
) -> None:
    assert statement_charged_near(CardCycle(close_day, charge_day), paid) == closes


def _buy(day: date, amount: str, flow: str = "expense") -> CardLine:
    return CardLine(day, Decimal(amount), flow)  # type: ignore[arg-type]


def test_statement_totals_are_purchases_minus_refunds_with_credit_carried() -> None:
    cycle = CardCycle(close_day=20, charge_day=2)
    lines = [
        _buy(date(2027, 1, 5), "300.00"),
        _buy(date(2027, 1, 20), "120.50"),
        _buy(date(2027, 1, 9), "50.00", "income"),  # a refund in the same cycle
        _buy(date(2027, 1, 21), "80.00"),
        _buy(date(2027, 2, 3), "200.00", "income"),  # a refund larger than the cycle's buys
        _buy(date(2027, 3, 1), "500.00"),
    ]
    table = [
        (s.closes, s.charge, s.purchases, s.refunds, s.carried_in, s.total, s.carried)
        for s in build_statements(cycle, lines)
    ]
    assert table == [
        (date(2027, 1, 20), date(2027, 2, 2), Decimal("420.50"), Decimal("50.00"),
         Decimal("0"), Decimal("370.50"), Decimal("0")),
        (date(2027, 2, 20), date(2027, 3, 2), Decimal("80.00"), Decimal("200.00"),
         Decimal("0"), Decimal("0"), Decimal("120.00")),
        (date(2027, 3, 20), date(2027, 4, 2), Decimal("500.00"), Decimal("0"),
         Decimal("120.00"), Decimal("380.00"), Decimal("0")),
    ]  # fmt: skip
    assert bank_debits(cycle, lines) == [
        (date(2027, 2, 2), Decimal("370.50")),
        (date(2027, 4, 2), Decimal("380.00")),
    ]


def test_a_plans_parts_fall_on_twelve_statements_and_sum_to_its_total() -> None:
    cycle = CardCycle(close_day=31, charge_day=10)
    total = Decimal("4990.00")
    parts = split_installments(total, 12)
    days = installment_dates(date(2027, 1, 31), 12, 31)
    statements = build_statements(
        cycle, [_buy(d, str(p)) for d, p in zip(days, parts, strict=True)]
    )
    assert len(statements) == 12
    assert [len(s.lines) for s in statements] == [1] * 12
    assert sum(s.total for s in statements) == total
    assert statements[1].closes == date(2027, 2, 28)
    assert statements[1].charge == date(2027, 3, 10)


def test_a_bad_day_or_amount_is_refused() -> None:
    with pytest.raises(ValueError, match="close_day"):
        CardCycle(close_day=0, charge_day=2)
    with pytest.raises(ValueError, match="positive"):
        build_statements(CardCycle(10, 15), [_buy(date(2027, 1, 1), "0.00")])


days = st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31))
amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999.99"), places=2)
cycles = st.builds(CardCycle, st.integers(1, 31), st.integers(1, 31))
lines = st.lists(st.builds(CardLine, days, amounts, st.sampled_from(["expense", "income"])))


@given(cycles, lines)
def test_statements_partition_the_lines_and_keep_every_agora(
    cycle: CardCycle, found: list[CardLine]
) -> None:
    statements = build_statements(cycle, found)
    placed = [line for s in statements for line in s.lines]
    assert sorted(placed, key=repr) == sorted(found, key=repr)  # each line on exactly one
    for s in statements:
        assert all(s.opens_after < line.date <= s.closes for line in s.lines)
        assert s.opens_after < s.closes < s.charge <= s.closes + timedelta(days=62)
    bought = sum((x.amount for x in found if x.type == "expense"), Decimal(0))
    returned = sum((x.amount for x in found if x.type == "income"), Decimal(0))
    left = statements[-1].carried if statements else Decimal(0)
    assert sum(s.total for s in statements) - left == bought - returned
