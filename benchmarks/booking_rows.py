"""Synthetic recurring sources of many households, due to catch up one month (pure).

Every source started about a year before the month under test and was booked through the
day before it, so one pass books exactly that month: the fixed items' mix of monthly,
weekly, fortnightly and quarterly dates, one payment of each installment plan and of the
loan.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

from domain.rules.recurrence import add_months, clamp_day

WATERMARK = date(2026, 9, 30)  # every source booked through this day
AS_OF = date(2026, 10, 31)  # the pass catches up to this day: one month
CURRENCY = "ILS"
CATEGORIES: tuple[tuple[str, Literal["income", "expense"]], ...] = (
    ("Salary", "income"),
    ("Housing", "expense"),
    ("Bills", "expense"),
    ("Family", "expense"),
    ("Leisure", "expense"),
    ("Loan payments", "expense"),
)
# Name, category, frequency, lowest and highest amount: one household's 20 fixed items.
FIXED_ITEMS: tuple[tuple[str, str, str, int, int], ...] = (
    ("Salary", "Salary", "monthly", 9000, 18000),
    ("Child allowance", "Salary", "monthly", 150, 400),
    ("Rent", "Housing", "monthly", 4500, 6500),
    ("Arnona", "Housing", "monthly", 400, 900),
    ("House committee", "Housing", "monthly", 100, 300),
    ("Electricity", "Bills", "monthly", 200, 700),
    ("Water", "Bills", "monthly", 80, 250),
    ("Mobile", "Bills", "monthly", 30, 120),
    ("Internet", "Bills", "monthly", 80, 150),
    ("Health insurance", "Bills", "monthly", 90, 400),
    ("Car insurance", "Bills", "monthly", 150, 400),
    ("Kindergarten", "Family", "monthly", 1500, 3500),
    ("Pocket money", "Family", "monthly", 50, 200),
    ("Netflix", "Leisure", "monthly", 40, 70),
    ("Gym", "Leisure", "monthly", 150, 300),
    ("Groceries delivery", "Family", "weekly", 300, 900),
    ("Cleaning", "Housing", "weekly", 200, 400),
    ("Babysitter", "Family", "biweekly", 150, 400),
    ("Car service", "Bills", "quarterly", 300, 1200),
    ("Savings plan", "Family", "monthly", 200, 1000),
)
PLANS_PER_HOUSEHOLD = 5
PLAN_NAMES = ("Sofa", "Laptop", "Washing machine", "Flights", "Dentist", "Phone", "Bicycle")
LOAN_TERMS = (36, 60, 120, 240, 360)
LOAN_TERM_WEIGHTS = (2, 3, 2, 2, 1)
EQUAL_PRINCIPAL_SHARE = 0.2
LONG_MONTH_SHARE = 0.1  # items on day 29-31, which clamp in short months

FIXED_COPY = (
    "COPY fixed_items (household_id, name, type, category_id, currency, booked_through, amount, "
    "frequency, day_of_month, start_date) FROM STDIN"
)
PLAN_COPY = (
    "COPY installment_plans (household_id, name, type, category_id, currency, booked_through, "
    "total_amount, payments_count, first_payment_date, day_of_month) FROM STDIN"
)
LOAN_COPY = (
    "COPY loans (household_id, name, type, category_id, currency, booked_through, principal, "
    "annual_rate, term_months, first_payment_date, day_of_month, method) FROM STDIN"
)
Row = tuple[object, ...]


@dataclass(frozen=True)
class SourceRows:
    """COPY rows of the three source tables, one list per table."""

    fixed: list[Row]
    plans: list[Row]
    loans: list[Row]


def _amount(rng: random.Random, low: int, high: int) -> Decimal:
    return Decimal(rng.randint(low * 100, high * 100)).scaleb(-2)


def _day_of_month(rng: random.Random) -> int:
    return rng.randint(29, 31) if rng.random() < LONG_MONTH_SHARE else rng.randint(1, 28)


def _months_before(months: int, day: int) -> date:
    """The given day (clamped) of the month `months` before the month under test."""
    year, month = add_months(AS_OF.year, AS_OF.month, -months)
    return clamp_day(year, month, day)


def _fixed(rng: random.Random, household_id: int, categories: Mapping[str, int]) -> Iterator[Row]:
    """One household's fixed items, started in the month a year before the one under test."""
    for name, category, frequency, low, high in FIXED_ITEMS:
        flow = "income" if category == "Salary" else "expense"
        if frequency in {"weekly", "biweekly"}:
            day_of_month, start = None, _months_before(12, rng.randint(1, 28))
        else:  # the start month varies, so a third of the quarterly items fall due
            day_of_month, start = _day_of_month(rng), _months_before(rng.randint(12, 14), 1)
        yield (
            household_id, name, flow, categories[category], CURRENCY, WATERMARK,
            _amount(rng, low, high), frequency, day_of_month, start,
        )  # fmt: skip


def _plans(rng: random.Random, household_id: int, category_id: int) -> Iterator[Row]:
    """Installment plans whose payment of the month under test is one of their last few."""
    for number in range(PLANS_PER_HOUSEHOLD):
        months_in = rng.randint(1, 11)
        day = _day_of_month(rng)
        count = rng.randint(max(12, months_in + 1), 36)
        name = f"{PLAN_NAMES[(household_id + number) % len(PLAN_NAMES)]} #{number + 1}"
        yield (
            household_id, name, "expense", category_id, CURRENCY, WATERMARK,
            _amount(rng, 600, 12000), count, _months_before(months_in, day), day,
        )  # fmt: skip


def _loan(rng: random.Random, household_id: int, category_id: int) -> Row:
    """A car loan or a mortgage, still running in the month under test."""
    term = rng.choices(LOAN_TERMS, weights=LOAN_TERM_WEIGHTS)[0]
    months_in = rng.randint(1, min(term - 1, 48))
    day = _day_of_month(rng)
    method = "equal_principal" if rng.random() < EQUAL_PRINCIPAL_SHARE else "spitzer"
    principal = _amount(rng, 20_000, 1_200_000 if term >= 120 else 150_000)
    rate = Decimal(rng.randint(200, 700)).scaleb(-2)
    return (
        household_id, "Loan", "expense", category_id, CURRENCY, WATERMARK, principal, rate, term,
        _months_before(months_in, day), day, method,
    )  # fmt: skip


def generate_sources(categories: Mapping[int, Mapping[str, int]]) -> SourceRows:
    """Every household's 20 fixed items, 5 installment plans and 1 loan, as COPY rows."""
    rng = random.Random(20261031)  # noqa: S311 - reproducible test data, not cryptography
    rows = SourceRows([], [], [])
    for household_id, by_name in sorted(categories.items()):
        rows.fixed.extend(_fixed(rng, household_id, by_name))
        rows.plans.extend(_plans(rng, household_id, by_name["Family"]))
        rows.loans.append(_loan(rng, household_id, by_name["Loan payments"]))
    return rows
