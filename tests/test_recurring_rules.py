"""Recurrence, installments and loans: literal tables and properties."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import InvalidInputError
from domain.rules.dates import local_today
from domain.rules.installments import (
    check_count,
    installment_schedule,
    largest_count,
    plan_progress,
    split_installments,
)
from domain.rules.loans import LoanTerms, Period, Prepayment, amortize, spitzer_payment
from domain.rules.recurrence import DateRange, Recurrence, check_recurrence, expand_occurrences

D = Decimal
YEAR_2027 = DateRange(date(2027, 1, 1), date(2028, 1, 1))


def _dates(rule: Recurrence, window: DateRange) -> list[str]:
    return [d.isoformat() for d in expand_occurrences(rule, window)]


@pytest.mark.parametrize(
    ("rule", "window", "expected"),
    [
        # 31 January monthly: the end of every shorter month, never skipped
        (
            Recurrence("monthly", date(2027, 1, 31)),
            DateRange(date(2027, 1, 1), date(2027, 5, 1)),
            ["2027-01-31", "2027-02-28", "2027-03-31", "2027-04-30"],
        ),
        # a leap year gives 29 February
        (
            Recurrence("monthly", date(2028, 1, 31)),
            DateRange(date(2028, 2, 1), date(2028, 3, 1)),
            ["2028-02-29"],
        ),
        # day 30 asked explicitly, start mid-month
        (
            Recurrence("monthly", date(2027, 1, 15), day_of_month=30),
            DateRange(date(2027, 1, 1), date(2027, 4, 1)),
            ["2027-01-30", "2027-02-28", "2027-03-30"],
        ),
        (
            Recurrence("weekly", date(2027, 3, 1)),
            DateRange(date(2027, 3, 1), date(2027, 3, 22)),
            ["2027-03-01", "2027-03-08", "2027-03-15"],
        ),
        (
            Recurrence("biweekly", date(2027, 3, 1)),
            DateRange(date(2027, 3, 10), date(2027, 4, 1)),
            ["2027-03-15", "2027-03-29"],
        ),
        (
            Recurrence("quarterly", date(2027, 1, 31)),
            YEAR_2027,
            ["2027-01-31", "2027-04-30", "2027-07-31", "2027-10-31"],
        ),
        (Recurrence("yearly", date(2024, 2, 29)), YEAR_2027, ["2027-02-28"]),
        # the end date is the last day an occurrence may fall on
        (
            Recurrence("monthly", date(2027, 1, 10), end=date(2027, 3, 10)),
            YEAR_2027,
            ["2027-01-10", "2027-02-10", "2027-03-10"],
        ),
        # a pause [Feb 1, Apr 1) skips February and March only
        (
            Recurrence(
                "monthly",
                date(2027, 1, 1),
                pauses=(DateRange(date(2027, 2, 1), date(2027, 4, 1)),),
            ),
            DateRange(date(2027, 1, 1), date(2027, 6, 1)),
            ["2027-01-01", "2027-04-01", "2027-05-01"],
        ),
        # an open pause holds until resumed
        (
            Recurrence("monthly", date(2027, 1, 5), pauses=(DateRange(date(2027, 3, 1)),)),
            DateRange(date(2027, 1, 1), date(2027, 6, 1)),
            ["2027-01-05", "2027-02-05"],
        ),
    ],
)
def test_expansion_table(rule: Recurrence, window: DateRange, expected: list[str]) -> None:
    assert _dates(rule, window) == expected


@pytest.mark.parametrize(
    ("instant", "expected"),
    [
        # 23:30 UTC on the night Israel moves to summer time is already the next day there
        (datetime(2027, 3, 25, 23, 30, tzinfo=ZoneInfo("UTC")), date(2027, 3, 26)),
        (datetime(2027, 3, 26, 0, 30, tzinfo=ZoneInfo("UTC")), date(2027, 3, 26)),
        # the autumn change: 21:30 UTC is 00:30 local in summer time, the next day
        (datetime(2027, 10, 30, 21, 30, tzinfo=ZoneInfo("UTC")), date(2027, 10, 31)),
        (datetime(2027, 10, 30, 20, 30, tzinfo=ZoneInfo("UTC")), date(2027, 10, 30)),
    ],
)
def test_today_in_jerusalem_across_dst(instant: datetime, expected: date) -> None:
    assert local_today(instant, "Asia/Jerusalem") == expected


def test_monthly_on_day_29_through_dst_weeks_is_a_plain_calendar_date() -> None:
    rule = Recurrence("monthly", date(2027, 1, 29))
    days = expand_occurrences(rule, DateRange(date(2027, 3, 1), date(2027, 11, 1)))
    assert [d.day for d in days] == [29] * 8


@pytest.mark.parametrize(
    ("rule", "field"),
    [
        (Recurrence("monthly", date(2027, 1, 1), day_of_month=0), "day_of_month"),
        (Recurrence("monthly", date(2027, 1, 1), day_of_month=32), "day_of_month"),
        (Recurrence("monthly", date(2027, 2, 1), end=date(2027, 1, 1)), "end_date"),
        (Recurrence("daily", date(2027, 1, 1)), "frequency"),  # type: ignore[arg-type]
    ],
)
def test_bad_rules_name_the_field(rule: Recurrence, field: str) -> None:
    with pytest.raises(InvalidInputError) as err:
        check_recurrence(rule)
    assert err.value.field == field


@pytest.mark.parametrize(
    ("total", "count", "expected"),
    [
        ("1000.00", 3, ["333.34", "333.33", "333.33"]),
        ("100.00", 4, ["25.00", "25.00", "25.00", "25.00"]),
        ("0.05", 3, ["0.02", "0.02", "0.01"]),
        ("1000.02", 3, ["333.34", "333.34", "333.34"]),
        ("1000.01", 3, ["333.34", "333.34", "333.33"]),
        ("999.99", 1, ["999.99"]),
    ],
)
def test_split_table(total: str, count: int, expected: list[str]) -> None:
    assert [str(p) for p in split_installments(D(total), count)] == expected


@pytest.mark.parametrize("count", [0, 361])
def test_split_refuses_counts_outside_1_to_360(count: int) -> None:
    with pytest.raises(InvalidInputError) as err:
        split_installments(D("100.00"), count)
    assert err.value.field == "payments_count"


@pytest.mark.parametrize(
    ("total", "count", "largest"),
    [
        ("0.02", 3, 2),
        ("1.00", 360, 100),
        ("1.00", 101, 100),
        ("3.59", 360, 359),
        ("0.01", 2, 1),
    ],
)
def test_a_split_with_parts_of_zero_is_refused_naming_the_largest_count(
    total: str, count: int, largest: int
) -> None:
    with pytest.raises(InvalidInputError) as err:
        check_count(D(total), count)
    assert err.value.field == "payments_count"
    assert f"the most that works is {largest}" in err.value.message
    check_count(D(total), largest)
    assert min(split_installments(D(total), largest)) == D("0.01")


@given(
    st.decimals(min_value=D("0.01"), max_value=D("9999999.99"), places=2),
    st.integers(min_value=1, max_value=360),
)
def test_installment_parts_sum_to_the_total_and_differ_by_at_most_a_cent(
    total: Decimal, count: int
) -> None:
    count = min(count, largest_count(total))
    parts = split_installments(total, count)
    assert min(parts) >= D("0.01")
    assert sum(parts) == total
    assert max(parts) - min(parts) <= D("0.01")
    assert parts == sorted(parts, reverse=True)  # the remainder sits at the front


def test_installment_schedule_and_progress() -> None:
    plan = installment_schedule(D("1200.00"), 12, date(2027, 1, 31), 31)
    assert [p.date.isoformat() for p in plan[:3]] == ["2027-01-31", "2027-02-28", "2027-03-31"]
    progress = plan_progress(plan, {1, 2})
    assert (progress.paid_count, progress.paid_amount) == (2, D("200.00"))
    assert (progress.remaining_count, progress.remaining_amount) == (10, D("1000.00"))
    assert progress.next_date == date(2027, 3, 31)


def test_spitzer_literal_schedule() -> None:
    periods = amortize(LoanTerms(D("100000.00"), D("5.0"), 12, date(2027, 1, 31)))
    assert periods[0].payment == D("8560.75")
    assert (periods[0].interest, periods[0].principal) == (D("416.67"), D("8144.08"))
    assert periods[-1].payment == D("8560.73")
    assert periods[-1].balance == D("0.00")
    assert [p.date.isoformat() for p in periods[:2]] == ["2027-01-31", "2027-02-28"]


def test_zero_rate_and_equal_principal() -> None:
    free = amortize(LoanTerms(D("1000.00"), D("0"), 3, date(2027, 1, 1)))
    assert [p.payment for p in free] == [D("333.33"), D("333.33"), D("333.34")]
    assert all(p.interest == 0 for p in free)
    flat = amortize(LoanTerms(D("1200.00"), D("12"), 3, date(2027, 1, 1), method="equal_principal"))
    assert [p.principal for p in flat] == [D("400.00")] * 3
    assert [p.interest for p in flat] == [D("12.00"), D("8.00"), D("4.00")]


@pytest.mark.parametrize(
    ("terms", "field"),
    [
        (LoanTerms(D("1000"), D("-1"), 12, date(2027, 1, 1)), "annual_rate"),
        (LoanTerms(D("1000"), D("5"), 0, date(2027, 1, 1)), "term_months"),
        (LoanTerms(D("0"), D("5"), 12, date(2027, 1, 1)), "principal"),
        (LoanTerms(D("1000"), D("5"), 12, date(2027, 1, 1), day_of_month=32), "day_of_month"),
    ],
)
def test_bad_loan_terms_name_the_field(terms: LoanTerms, field: str) -> None:
    with pytest.raises(InvalidInputError) as err:
        amortize(terms)
    assert err.value.field == field


loans = st.builds(
    LoanTerms,
    principal=st.decimals(min_value=D("100.00"), max_value=D("5000000.00"), places=2),
    annual_rate=st.decimals(min_value=D("0"), max_value=D("25"), places=2),
    term_months=st.integers(min_value=1, max_value=360),
    first_payment=st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)),
    method=st.sampled_from(["spitzer", "equal_principal"]),
)


@given(loans)
def test_principal_parts_sum_to_the_principal_and_the_balance_ends_at_zero(
    terms: LoanTerms,
) -> None:
    periods = amortize(terms)
    assert sum(p.principal for p in periods) == terms.principal
    assert periods[-1].balance == D("0.00")
    assert all(p.payment == p.principal + p.interest for p in periods)
    assert len(periods) <= terms.term_months


@given(loans.filter(lambda t: t.method == "spitzer" and t.term_months > 1))
def test_spitzer_payments_are_equal_but_for_the_last(terms: LoanTerms) -> None:
    payments = {p.payment for p in amortize(terms)[:-1]}
    assert len(payments) == 1


@given(
    st.decimals(min_value=D("1000.00"), max_value=D("1000000.00"), places=2),
    st.decimals(min_value=D("0.10"), max_value=D("20"), places=2),
    st.integers(min_value=2, max_value=360),
)
def test_spitzer_payment_agrees_with_an_independent_formula(
    principal: Decimal, rate: Decimal, months: int
) -> None:
    # the annuity formula in its other form: P * r * (1+r)^n / ((1+r)^n - 1), in floats
    r = float(rate) / 1200
    growth = (1 + r) ** months
    independent = D(repr(float(principal) * r * growth / (growth - 1))).quantize(
        D("0.01"), rounding=ROUND_HALF_UP
    )
    assert abs(spitzer_payment(principal, rate, months) - independent) <= D("0.01")


@given(
    loans,
    st.decimals(min_value=D("1.00"), max_value=D("100000.00"), places=2),
    st.integers(min_value=0, max_value=400),
    st.sampled_from(["shorten_term", "lower_payment"]),
)
def test_prepayments_keep_the_schedule_exact(
    terms: LoanTerms, amount: Decimal, offset: int, mode: str
) -> None:
    extra = Prepayment(terms.first_payment + timedelta(days=offset), amount, mode)  # type: ignore[arg-type]
    periods = amortize(terms, (extra,))
    repaid = sum((p.principal + p.prepayment for p in periods), D("0.00"))
    if repaid != terms.principal:
        # the prepayment paid the loan off before a period: the schedule stops there
        assert amount >= terms.principal - repaid
    if periods:
        assert periods[-1].balance == D("0.00") or repaid != terms.principal


@given(
    st.sampled_from(["monthly", "weekly", "biweekly", "quarterly", "yearly"]),
    st.dates(min_value=date(2015, 1, 1), max_value=date(2030, 1, 1)),
    st.one_of(st.none(), st.integers(min_value=1, max_value=31)),
    st.integers(min_value=0, max_value=4000),
    st.integers(min_value=1, max_value=800),
)
def test_a_window_anywhere_gives_the_same_dates_as_walking_from_the_start(
    frequency: str, start: date, day: int | None, offset: int, length: int
) -> None:
    rule = Recurrence(
        frequency,  # type: ignore[arg-type]
        start,
        day_of_month=day if frequency in ("monthly", "quarterly", "yearly") else None,
    )
    window = DateRange(start + timedelta(days=offset), start + timedelta(days=offset + length))
    everything = expand_occurrences(rule, DateRange(start, window.end))
    assert expand_occurrences(rule, window) == [d for d in everything if d in window]


LOAN_100K = LoanTerms(D("100000.00"), D("5"), 12, date(2027, 1, 31))
# (date, payment, principal, interest, balance, prepayment): 20,000 prepaid on payment day 3
PREPAID_ON_DAY_3 = {
    "shorten_term": [
        ("2027-03-31", "8560.75", "8212.09", "348.66", "55465.81", "20000.00"),
        ("2027-04-30", "8560.75", "8329.64", "231.11", "47136.17", "0.00"),
        ("2027-05-31", "8560.75", "8364.35", "196.40", "38771.82", "0.00"),
        ("2027-06-30", "8560.75", "8399.20", "161.55", "30372.62", "0.00"),
        ("2027-07-31", "8560.75", "8434.20", "126.55", "21938.42", "0.00"),
        ("2027-08-31", "8560.75", "8469.34", "91.41", "13469.08", "0.00"),
        ("2027-09-30", "8560.75", "8504.63", "56.12", "4964.45", "0.00"),
        ("2027-10-31", "4985.14", "4964.45", "20.69", "0.00", "0.00"),
    ],
    "lower_payment": [
        ("2027-03-31", "8560.75", "8212.09", "348.66", "55465.81", "20000.00"),
        ("2027-04-30", "6291.97", "6060.86", "231.11", "49404.95", "0.00"),
        ("2027-05-31", "6291.97", "6086.12", "205.85", "43318.83", "0.00"),
        ("2027-06-30", "6291.97", "6111.47", "180.50", "37207.36", "0.00"),
        ("2027-07-31", "6291.97", "6136.94", "155.03", "31070.42", "0.00"),
        ("2027-08-31", "6291.97", "6162.51", "129.46", "24907.91", "0.00"),
        ("2027-09-30", "6291.97", "6188.19", "103.78", "18719.72", "0.00"),
        ("2027-10-31", "6291.97", "6213.97", "78.00", "12505.75", "0.00"),
        ("2027-11-30", "6291.97", "6239.86", "52.11", "6265.89", "0.00"),
        ("2027-12-31", "6292.00", "6265.89", "26.11", "0.00", "0.00"),
    ],
}


def _rows(periods: list[Period]) -> list[tuple[str, ...]]:
    return [
        (
            p.date.isoformat(),
            str(p.payment),
            str(p.principal),
            str(p.interest),
            str(p.balance),
            str(p.prepayment),
        )
        for p in periods
    ]


@pytest.mark.parametrize("mode", ["shorten_term", "lower_payment"])
def test_a_prepayment_on_a_payment_day_applies_after_that_days_payment(mode: str) -> None:
    extra = Prepayment(date(2027, 3, 31), D("20000.00"), mode)  # type: ignore[arg-type]
    periods = amortize(LOAN_100K, (extra,))
    # payments 1 and 2 are untouched; payment 3's interest is on the 83,677.90 that bore it
    assert _rows(periods[:2]) == _rows(amortize(LOAN_100K)[:2])
    assert _rows(periods[2:]) == PREPAID_ON_DAY_3[mode]
    assert sum((p.principal + p.prepayment for p in periods), D("0.00")) == D("100000.00")


def test_a_prepayment_the_day_before_a_payment_day_applies_before_it() -> None:
    extra = Prepayment(date(2027, 3, 30), D("20000.00"), "shorten_term")
    third = amortize(LOAN_100K, (extra,))[2]
    assert (third.interest, third.prepayment) == (D("265.32"), D("20000.00"))  # on 63,677.90


def test_a_payoff_between_payment_days_closes_the_schedule_on_its_own_row() -> None:
    payoff = Prepayment(date(2027, 3, 10), D("83677.90"), "shorten_term")
    periods = amortize(LOAN_100K, (payoff,))
    assert _rows(periods[2:]) == [("2027-03-10", "0.00", "0.00", "0.00", "0.00", "83677.90")]
    assert len(periods) == 3


def test_a_payoff_on_a_payment_day_ends_the_loan_after_that_payment() -> None:
    payoff = Prepayment(date(2027, 3, 31), D("75465.81"), "lower_payment")
    periods = amortize(LOAN_100K, (payoff,))
    assert _rows(periods[2:]) == [
        ("2027-03-31", "8560.75", "8212.09", "348.66", "0.00", "75465.81")
    ]
