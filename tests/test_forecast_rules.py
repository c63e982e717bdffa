"""The forecast engine against hand-computed ledgers (literal tables)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pandas as pd
import pytest

from domain.rules.forecast import (
    DATE,
    P10,
    P50,
    P90,
    PROB_BELOW_ZERO,
    CategoryHistory,
    Event,
    ForecastInputs,
    build_forecast,
    horizon_end,
)
from domain.rules.forecast_views import aggregate, explain_month, safe_to_spend, summarize
from domain.rules.occurrences import FixedSpec, InstallmentSpec, SourceInfo
from domain.rules.recurrence import Recurrence
from domain.rules.scenarios import apply_operations

D = Decimal
TODAY = date(2027, 1, 15)


def _column(frame: pd.DataFrame, column: str) -> dict[date, Decimal]:
    """A column of the daily frame by date."""
    return dict(zip(frame[DATE], frame[column], strict=True))


def _fixed(source_id: int, name: str, amount: str, flow: str, day: int) -> FixedSpec:
    info = SourceInfo("fixed", source_id, 1, name, flow, None, "ILS", None)  # type: ignore[arg-type]
    return FixedSpec(info, D(amount), Recurrence("monthly", date(2027, 1, 1), day_of_month=day))


# A household: 3,000.00 in the bank on 15 January; rent 2,500.00 on the 1st;
# salary 10,000.00 on the 20th... but this month the salary comes on the 20th and a
# car repair of 1,200.00 is already entered for the 18th.
INPUTS = ForecastInputs(
    today=TODAY,
    end=date(2027, 3, 1),
    opening=D("3000.00"),
    transactions=(Event(date(2027, 1, 18), D("-1200.00"), "Car repair", "transaction"),),
    specs=(
        _fixed(1, "Rent", "2500.00", "expense", 1),
        _fixed(2, "Salary", "10000.00", "income", 20),
    ),
    booked_keys=frozenset({("fixed", 1, date(2027, 1, 1))}),
    warning=D("1000.00"),
)
SPECS_BOOKED_THROUGH_TODAY = tuple(
    FixedSpec(
        SourceInfo(s.info.kind, s.info.source_id, 1, s.info.name, s.info.type, None, "ILS", TODAY),
        s.amount,
        s.rule,
    )
    for s in INPUTS.specs
    if isinstance(s, FixedSpec)
)


@pytest.mark.parametrize(
    ("day", "balance"),
    [
        (date(2027, 1, 15), "3000.00"),
        (date(2027, 1, 17), "3000.00"),
        (date(2027, 1, 18), "1800.00"),  # the car repair
        (date(2027, 1, 20), "11800.00"),  # salary
        (date(2027, 1, 31), "11800.00"),
        (date(2027, 2, 1), "9300.00"),  # February's rent
        (date(2027, 2, 20), "19300.00"),
        (date(2027, 2, 28), "19300.00"),
    ],
)
def test_daily_balance_on_chosen_dates(day: date, balance: str) -> None:
    inputs = ForecastInputs(**{**INPUTS.__dict__, "specs": SPECS_BOOKED_THROUGH_TODAY})
    daily = build_forecast(inputs).daily
    assert _column(daily, P50)[day] == D(balance)
    assert _column(daily, P10)[day] == _column(daily, P90)[day] == D(balance)  # no band


def test_lowest_point_first_dips_and_safe_to_spend() -> None:
    inputs = ForecastInputs(**{**INPUTS.__dict__, "specs": SPECS_BOOKED_THROUGH_TODAY})
    forecast = build_forecast(inputs)
    summary = summarize(forecast)
    assert (summary.lowest, summary.lowest_date) == (D("1800.00"), date(2027, 1, 18))
    assert summary.first_below_zero is None
    assert summary.first_below_warning is None
    assert summary.end_balance == D("19300.00")
    safe = safe_to_spend(forecast)
    # 3,000 now, 1,200 committed before the salary on the 20th, 1,000 kept as the warning level
    assert (safe.amount, safe.committed, safe.next_income) == (
        D("800.00"),
        D("1200.00"),
        date(2027, 1, 20),
    )
    assert [e.label for e in safe.commitments] == ["Car repair"]


def test_overdue_occurrences_are_expected_today_and_booked_ones_are_not() -> None:
    daily = _column(build_forecast(INPUTS).daily, P50)
    # rent of 1 January is booked (in the opening balance); the salary item started on
    # 1 January was never booked, so its January 20 occurrence is simply upcoming
    assert daily[TODAY] == D("3000.00")
    assert daily[date(2027, 1, 20)] == D("11800.00")


def test_dip_below_zero_with_its_date() -> None:
    inputs = ForecastInputs(
        today=TODAY,
        end=date(2027, 2, 1),
        opening=D("500.00"),
        transactions=(
            Event(date(2027, 1, 16), D("-800.00"), "Insurance", "transaction"),
            Event(date(2027, 1, 25), D("+900.00"), "Refund", "transaction"),
        ),
        warning=D("200.00"),
    )
    summary = summarize(build_forecast(inputs))
    assert summary.first_below_zero == date(2027, 1, 16)
    assert summary.first_below_warning == date(2027, 1, 16)
    assert (summary.lowest, summary.lowest_date) == (D("-300.00"), date(2027, 1, 16))
    assert summary.end_balance == D("600.00")
    assert summary.max_prob_below_zero == 1.0


def test_variable_spending_spreads_the_median_month_exactly() -> None:
    groceries = CategoryHistory(5, "Groceries", tuple(D(x) for x in ["3100.00"] * 12))
    inputs = ForecastInputs(
        today=date(2027, 1, 31), end=date(2027, 3, 1), opening=D("5000.00"), history=(groceries,)
    )
    forecast = build_forecast(inputs)
    daily = _column(forecast.daily, P50)
    # February has 28 days: 3,100.00 / 28 = 110.71 and 12 agorot left for the first days
    assert daily[date(2027, 2, 1)] == D("5000.00") - D("110.72")
    assert daily[date(2027, 2, 28)] == D("1900.00")
    months = aggregate(forecast, "monthly")
    assert list(months["expense"]) == [D("0.00"), D("3100.00")]
    drivers = explain_month(forecast, date(2027, 2, 1))
    assert [(d.label, d.amount) for d in drivers] == [
        ("Everyday spending: Groceries", D("-3100.00"))
    ]


def test_band_widens_with_uncertain_history_and_gives_probabilities() -> None:
    lumpy = CategoryHistory(7, "Leisure", tuple(D(x) for x in ["0", "0", "0", "6000"] * 3))
    inputs = ForecastInputs(
        today=TODAY, end=horizon_end(TODAY, 3), opening=D("4000.00"), history=(lumpy,), seed=1
    )
    daily = build_forecast(inputs).daily
    last = daily.iloc[-1]
    assert last[P10] < last[P50] <= last[P90]
    assert 0 < daily[PROB_BELOW_ZERO].max() < 1
    off = build_forecast(ForecastInputs(**{**inputs.__dict__, "include_history": False})).daily
    assert (off[P10] == off[P90]).all()
    assert off[P50].iloc[-1] == D("4000.00")


def test_monthly_aggregate_has_lowest_of_each_month() -> None:
    inputs = ForecastInputs(**{**INPUTS.__dict__, "specs": SPECS_BOOKED_THROUGH_TODAY})
    months = aggregate(build_forecast(inputs), "monthly")
    assert list(months["period"]) == ["2027-01", "2027-02"]
    assert list(months["lowest"]) == [D("1800.00"), D("9300.00")]
    assert list(months["lowest_date"]) == [date(2027, 1, 18), date(2027, 2, 1)]
    assert list(months["closing"]) == [D("11800.00"), D("19300.00")]
    assert months["opening"].iloc[1] == months["closing"].iloc[0]


def test_scenario_installments_and_paused_salary() -> None:
    inputs = ForecastInputs(**{**INPUTS.__dict__, "specs": SPECS_BOOKED_THROUGH_TODAY})
    operations = [
        {
            "op": "new_installment",
            "total_amount": "2400.00",
            "payments_count": 24,
            "first_payment_date": "2027-01-25",
        },
        {"op": "pause_fixed", "fixed_id": 2, "from_date": "2027-02-01"},
    ]
    changed = _column(
        build_forecast(apply_operations(inputs, operations, household_id=1)).daily, P50
    )
    assert changed[date(2027, 1, 25)] == D("11700.00")
    assert changed[date(2027, 2, 28)] == D("9100.00")  # no February salary


def test_scenario_loan_spec_is_added() -> None:
    plan = InstallmentSpec(
        SourceInfo("installment", 9, 1, "Sofa", "expense", None, "ILS", None),
        D("900.00"),
        3,
        date(2027, 1, 20),
        20,
    )
    inputs = ForecastInputs(today=TODAY, end=date(2027, 4, 1), opening=D("1000.00"), specs=(plan,))
    daily = _column(build_forecast(inputs).daily, P50)
    assert daily[date(2027, 3, 31)] == D("100.00")
