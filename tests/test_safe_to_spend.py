"""Safe to spend and affordability against a hand-computed ledger whose low comes after payday."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.rules.affordability import afford, inputs_end
from domain.rules.forecast import (
    DAILY_COLUMNS,
    DATE,
    P50,
    Event,
    Forecast,
    ForecastInputs,
    build_forecast,
    horizon_end,
)
from domain.rules.forecast_views import safe_to_spend
from domain.rules.occurrences import FixedSpec, SourceInfo
from domain.rules.recurrence import Recurrence

D = Decimal
TODAY = date(2027, 1, 15)


def _fixed(source_id: int, name: str, amount: str, flow: str, day: int) -> FixedSpec:
    info = SourceInfo("fixed", source_id, 1, name, flow, None, "ILS", TODAY)  # type: ignore[arg-type]
    return FixedSpec(info, D(amount), Recurrence("monthly", date(2027, 1, 1), day_of_month=day))


# 3,000.00 in the bank on 15 January 2027, warning level 1,000.00. Salary 6,000.00 on the
# 25th, rent 5,000.00 on the 1st (both booked through today), the yearly insurance of
# 2,500.00 on 5 February and a car service of 3,000.00 on 3 May. No everyday spending.
LEDGER = ForecastInputs(
    today=TODAY,
    end=horizon_end(TODAY, 6),
    opening=D("3000.00"),
    transactions=(
        Event(date(2027, 2, 5), D("-2500.00"), "Insurance", "transaction"),
        Event(date(2027, 5, 3), D("-3000.00"), "Car service", "transaction"),
    ),
    specs=(
        _fixed(1, "Salary", "6000.00", "income", 25),
        _fixed(2, "Rent", "5000.00", "expense", 1),
    ),
    warning=D("1000.00"),
)
# The balance by hand, day by day where it moves.
BALANCE_BY_HAND = [
    (date(2027, 1, 15), "3000.00"),  # today
    (date(2027, 1, 25), "9000.00"),  # + salary (payday)
    (date(2027, 2, 1), "4000.00"),  # - rent
    (date(2027, 2, 5), "1500.00"),  # - insurance: the lowest point, after payday
    (date(2027, 2, 25), "7500.00"),  # + salary
    (date(2027, 3, 1), "2500.00"),  # - rent
    (date(2027, 3, 25), "8500.00"),
    (date(2027, 4, 1), "3500.00"),
    (date(2027, 4, 25), "9500.00"),
    (date(2027, 5, 1), "4500.00"),
    (date(2027, 5, 3), "1500.00"),  # - car service: as low again, but later
    (date(2027, 5, 25), "7500.00"),
    (date(2027, 6, 1), "2500.00"),
    (date(2027, 7, 1), "3500.00"),
]


def _path(inputs: ForecastInputs) -> dict[date, Decimal]:
    daily = build_forecast(inputs).daily
    return dict(zip(daily[DATE], daily[P50], strict=True))


@pytest.mark.parametrize(("day", "balance"), BALANCE_BY_HAND)
def test_the_ledger_is_the_one_computed_by_hand(day: date, balance: str) -> None:
    assert _path(LEDGER)[day] == D(balance)


def test_safe_to_spend_keeps_the_low_after_payday_at_the_warning_level() -> None:
    safe = safe_to_spend(build_forecast(LEDGER))
    # the balance's headroom until payday is 3,000 - 0 due - 1,000 = 2,000.00, but spending
    # that today leaves -500.00 on 5 February: only 1,500 - 1,000 = 500.00 is safe
    assert (safe.headroom, safe.amount) == (D("2000.00"), D("500.00"))
    assert (safe.binding, safe.binding_date) == ("lowest_point", date(2027, 2, 5))
    assert (safe.lowest, safe.lowest_date) == (D("1500.00"), date(2027, 2, 5))
    assert [(e.date, e.label, e.amount) for e in safe.drivers] == [
        (date(2027, 1, 25), "Salary", D("6000.00")),
        (date(2027, 2, 1), "Rent", D("-5000.00")),
        (date(2027, 2, 5), "Insurance", D("-2500.00")),
    ]
    assert safe.balance + sum(e.amount for e in safe.drivers) - safe.everyday == safe.lowest
    assert (safe.shortfall, safe.reason) == (None, None)
    assert safe.cautious == D("500.00")  # no everyday spending: P10 is the P50 path


def test_spending_exactly_safe_to_spend_today_touches_the_warning_level_and_no_more() -> None:
    safe = safe_to_spend(build_forecast(LEDGER))
    for spent, lowest in ((safe.amount, D("1000.00")), (safe.amount + D("0.01"), D("999.99"))):
        purchase = Event(TODAY, -spent, "Purchase", "scenario")
        spending = replace(LEDGER, transactions=(*LEDGER.transactions, purchase))
        assert min(_path(spending).values()) == lowest


def test_nothing_safe_to_spend_says_which_day_and_which_shortfall() -> None:
    safe = safe_to_spend(build_forecast(replace(LEDGER, warning=D("2000.00"))))
    assert (safe.amount, safe.shortfall, safe.binding_date) == (
        D("0.00"),
        D("500.00"),
        date(2027, 2, 5),
    )
    assert safe.reason is not None
    assert "2027-02-05" in safe.reason
    assert "500.00 below the warning level of 2000.00" in safe.reason


def test_never_below_zero_and_never_above_the_headroom_until_the_next_income() -> None:
    empty = ForecastInputs(today=TODAY, end=horizon_end(TODAY, 6), opening=D("0.00"))
    empty_safe = safe_to_spend(build_forecast(replace(empty, warning=D("1000.00"))))
    assert (empty_safe.amount, empty_safe.cautious, empty_safe.shortfall) == (
        D("0.00"),
        D("0.00"),
        D("1000.00"),
    )
    # rent due on payday itself counts against the headroom (3,000 - 2,800 - 100 = 100.00)
    payday = replace(
        LEDGER,
        transactions=(Event(date(2027, 1, 25), D("-2800.00"), "Tax", "transaction"),),
        specs=(_fixed(1, "Salary", "6000.00", "income", 25),),
        warning=D("100.00"),
    )
    safe = safe_to_spend(build_forecast(payday))
    assert (safe.amount, safe.binding, safe.binding_date) == (
        D("100.00"),
        "next_income",
        date(2027, 1, 25),
    )


def _frame(p50: list[str], p10: list[str], variable: list[str]) -> pd.DataFrame:
    days = [TODAY + timedelta(days=k) for k in range(len(p50))]
    zero = [D("0.00")] * len(days)
    columns = {
        "date": days,
        "p50": [D(v) for v in p50],
        "p10": [D(v) for v in p10],
        "p90": [D(v) for v in p50],
        "income": zero,
        "expense": zero,
        "variable": [D(v) for v in variable],
        "prob_below_zero": [0.0] * len(days),
        "prob_below_warning": [0.0] * len(days),
    }
    return pd.DataFrame(columns, columns=list(DAILY_COLUMNS))


def test_the_cautious_figure_is_the_same_rule_on_the_p10_path() -> None:
    inputs = ForecastInputs(
        today=TODAY, end=TODAY + timedelta(days=4), opening=D("3000.00"), warning=D("1000.00")
    )
    daily = _frame(
        p50=["3000.00", "2800.00", "2600.00", "2400.00"],
        p10=["3000.00", "2500.00", "2100.00", "1700.00"],
        variable=["0.00", "200.00", "200.00", "200.00"],
    )
    safe = safe_to_spend(Forecast(inputs, daily))
    assert (safe.amount, safe.cautious) == (D("1400.00"), D("700.00"))
    assert (safe.cautious_lowest, safe.cautious_date) == (D("1700.00"), TODAY + timedelta(days=3))
    assert safe.everyday == D("600.00")


MOVES = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=60),
        st.integers(min_value=-500_000, max_value=500_000),
    ),
    max_size=12,
)


@settings(deadline=None, max_examples=60)  # no timing in tests: the machine is shared
@given(
    opening=st.integers(min_value=-100_000, max_value=1_000_000),
    warning=st.integers(min_value=0, max_value=200_000),
    moves=MOVES,
)
def test_spending_safe_to_spend_today_never_takes_the_path_below_warning(
    opening: int, warning: int, moves: list[tuple[int, int]]
) -> None:
    inputs = ForecastInputs(
        today=TODAY,
        end=TODAY + timedelta(days=61),
        opening=D(opening).scaleb(-2).quantize(D("0.01")),
        transactions=tuple(
            Event(TODAY + timedelta(days=day), D(cents).scaleb(-2), f"m{day}", "transaction")
            for day, cents in moves
        ),
        warning=D(warning).scaleb(-2).quantize(D("0.01")),
    )
    safe = safe_to_spend(build_forecast(inputs))
    assert D("0.00") <= safe.cautious <= safe.amount <= max(safe.headroom, D("0.00"))
    spent = Event(TODAY, -safe.amount, "Spent", "scenario")
    after = _path(replace(inputs, transactions=(*inputs.transactions, spent)))
    if safe.amount > 0:
        assert min(after.values()) >= inputs.warning
    else:
        assert safe.shortfall is not None
        assert safe.shortfall >= 0


def test_affordability_checks_every_installment_plus_a_month_past_a_short_horizon() -> None:
    # the user's horizon is one month (through 15 February); 1,200.00 bought today
    horizon_through = horizon_end(TODAY, 1) - timedelta(days=1)
    inputs = replace(LEDGER, end=inputs_end(TODAY, horizon_through))
    answer = afford(inputs, D("1200.00"), TODAY, horizon_through=horizon_through)
    # 5 x 240.00 fits the month (1,500 - 2 x 240 = 1,020.00 on 15 February) but 4 of them
    # are paid by 3 May (1,500 - 960 = 540.00). 12 x 100.00: 5 are paid by 15 May, before
    # the salary: 1,500 - 500 = 1,000.00, exactly the warning level; 11 leave 954.54.
    assert (answer.installments, answer.monthly_payment) == (12, D("100.00"))
    assert (answer.lowest, answer.lowest_date) == (D("1000.00"), date(2027, 5, 15))
    # the last installment is on 15 December 2027, plus one month
    assert (answer.checked_from, answer.checked_through) == (TODAY, date(2028, 1, 15))


def test_affordability_and_safe_to_spend_agree_on_a_purchase_paid_at_once() -> None:
    horizon_through = LEDGER.end - timedelta(days=1)
    inputs = replace(LEDGER, end=inputs_end(TODAY, horizon_through))
    safe = safe_to_spend(build_forecast(LEDGER)).amount
    assert afford(inputs, safe, TODAY, horizon_through=horizon_through).installments == 1
    more = afford(inputs, safe + D("0.01"), TODAY, horizon_through=horizon_through)
    # one agora more must not be paid in full before the car service on 3 May or the
    # next 15th: 5 x 100.01 leave 999.99 on 15 May; 6 parts (83.34 + 5 x 83.33) leave
    # 1,500 - 416.68 = 1,083.32 there
    assert (more.installments, more.lowest, more.lowest_date) == (
        6,
        D("1083.32"),
        date(2027, 5, 15),
    )
    assert more.checked_through == date(2027, 7, 15) == horizon_through


def test_a_low_beyond_a_short_horizon_is_checked_even_for_one_installment() -> None:
    # a car service of 3,500.00 (not 3,000.00) leaves exactly 1,000.00 on 3 May, the
    # warning level: nothing paid before then fits, yet the one-month horizon ends in February
    car = Event(date(2027, 5, 3), D("-3500.00"), "Car service", "transaction")
    ledger = replace(LEDGER, transactions=(LEDGER.transactions[0], car))
    horizon_through = horizon_end(TODAY, 1) - timedelta(days=1)
    inputs = replace(ledger, end=inputs_end(TODAY, horizon_through))
    assert _path(inputs)[date(2027, 5, 3)] == D("1000.00")
    answer = afford(inputs, D("400.00"), TODAY, horizon_through=horizon_through)
    assert answer.installments is None
    payday = date(2027, 5, 25)
    later = replace(ledger, end=inputs_end(payday, horizon_through))
    one = afford(later, D("400.00"), payday, horizon_through=horizon_through)
    # bought on the next payday it is paid at once (1,600.00 left after June's rent) and
    # checked through 25 June, a month later; the low of 3 May stays the lowest point
    assert (one.installments, one.checked_through) == (1, date(2027, 6, 25))
    assert (one.lowest, one.lowest_date) == (D("1000.00"), date(2027, 5, 3))
