"""The heavy household's recurring sources and balance readings, as COPY rows (pure).

200 fixed items of every frequency (some ended, some ending within the horizon, 20 paused,
two not started yet, two added this month with a start in the past and not booked yet),
50 installment plans (finished, running, starting later), 5 loans (three prepayments, one
of them ahead), a balance reading each New Year and one twelve days ago. Every started
source is booked through yesterday, as the nightly pass leaves it.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping, Sequence
from datetime import date, timedelta
from decimal import Decimal

from benchmarks.forecast_rows import CURRENCY, FIRST_DAY, TODAY, YESTERDAY, Row
from domain.rules.recurrence import add_months, clamp_day

FIXED_ITEMS = 200
PLANS = 50
FINISHED_PLANS = 20
RUNNING_PLANS = 25
PAUSE_EVERY = 10  # every tenth fixed item has been paused: 20 of them
SPECIAL_ITEMS = 4  # the first two start later, the next two are not booked yet
ENDED_SHARE = 0.15
ENDING_SHARE = 0.08
LONG_MONTH_SHARE = 0.1  # days 29-31, which clamp in short months
# Category -> (weight, lowest and highest amount a month, names).
FIXED_KINDS: Mapping[str, tuple[int, int, int, tuple[str, ...]]] = {
    "Salary": (2, 2000, 9000, ("Salary", "Pension", "Rental income")),
    "Benefits": (1, 100, 800, ("Child allowance", "Disability allowance")),
    "Freelance": (1, 300, 2500, ("Retainer client",)),
    "Rent": (2, 50, 1000, ("Rent share", "Storage unit", "Parking spot")),
    "Utilities": (4, 30, 400, ("Electricity", "Water", "Gas", "Heating")),
    "Arnona": (1, 100, 600, ("Arnona",)),
    "Insurance": (4, 30, 300, ("Health insurance", "Car insurance", "Home insurance")),
    "Phone & internet": (5, 15, 150, ("Mobile", "Internet", "TV", "Cloud storage")),
    "Childcare": (4, 50, 700, ("Kindergarten", "Babysitter", "After-school", "Pocket money")),
    "Education": (4, 50, 500, ("Tuition", "Music lessons", "Swimming lessons", "Tutor")),
}
INCOME_KINDS = frozenset({"Salary", "Benefits", "Freelance"})
# Frequency -> (weight, share of a month's amount per occurrence).
FREQUENCIES: Mapping[str, tuple[int, Decimal]] = {
    "monthly": (55, Decimal(1)),
    "weekly": (15, Decimal("0.23")),
    "biweekly": (10, Decimal("0.46")),
    "quarterly": (12, Decimal(3)),
    "yearly": (8, Decimal(12)),
}
PLAN_NAMES = ("Sofa", "Laptop", "Washing machine", "Flights", "Dentist", "Fridge", "Course")
PLAN_CATEGORY = "Other expenses"
# Name, category, principal, annual rate, term, months since the first payment, method.
LOANS: tuple[tuple[str, str, int, str, int, int, str], ...] = (
    ("Mortgage Bank Leumi", "Mortgage", 1_150_000, "4.85", 360, 96, "spitzer"),
    ("Mortgage prime track", "Mortgage", 450_000, "5.25", 300, 36, "equal_principal"),
    ("Car loan", "Loan payments", 120_000, "6.90", 60, 20, "spitzer"),
    ("Personal loan", "Loan payments", 40_000, "8.50", 36, 5, "spitzer"),
    ("Student loan", "Loan payments", 80_000, "2.00", 120, 70, "equal_principal"),
)
LOAN_DAYS = (10, 1, 15, 31, 5)
# Loan index, months after its first payment, amount, mode: two in the past, one ahead.
PREPAYMENTS: tuple[tuple[int, int, int, str], ...] = (
    (0, 60, 100_000, "shorten_term"),
    (0, 100, 50_000, "lower_payment"),
    (2, 12, 20_000, "shorten_term"),
)

FIXED_COPY = (
    "COPY fixed_items (household_id, name, type, category_id, currency, booked_through, amount, "
    "frequency, day_of_month, start_date, end_date) FROM STDIN"
)
PAUSE_COPY = "COPY fixed_pauses (fixed_id, start_date, end_date) FROM STDIN"
PLAN_COPY = (
    "COPY installment_plans (household_id, name, type, category_id, currency, booked_through, "
    "total_amount, payments_count, first_payment_date, day_of_month) FROM STDIN"
)
LOAN_COPY = (
    "COPY loans (household_id, name, type, category_id, currency, booked_through, principal, "
    "annual_rate, term_months, first_payment_date, day_of_month, method) FROM STDIN"
)
PREPAYMENT_COPY = "COPY loan_prepayments (loan_id, date, amount, mode) FROM STDIN"
BALANCE_COPY = "COPY balance_records (household_id, as_of, amount, currency, note) FROM STDIN"


def _amount(rng: random.Random, low: int, high: int) -> Decimal:
    return Decimal(rng.randint(low * 100, high * 100)).scaleb(-2)


def _day_of_month(rng: random.Random) -> int:
    return rng.randint(29, 31) if rng.random() < LONG_MONTH_SHARE else rng.randint(1, 28)


def _span(rng: random.Random, index: int) -> tuple[date, date | None, date | None]:
    """Start, end and watermark of the index-th fixed item."""
    if index < SPECIAL_ITEMS // 2:
        return TODAY + timedelta(days=rng.randint(10, 200)), None, None
    if index < SPECIAL_ITEMS:
        return TODAY - timedelta(days=21 + index), None, None
    start = FIRST_DAY + timedelta(days=rng.randrange((YESTERDAY - FIRST_DAY).days))
    roll = rng.random()
    if roll < ENDED_SHARE:
        return start, start + timedelta(days=rng.randrange((YESTERDAY - start).days + 1)), YESTERDAY
    if roll < ENDED_SHARE + ENDING_SHARE:
        return start, TODAY + timedelta(days=rng.randint(30, 1000)), YESTERDAY
    return start, None, YESTERDAY


def _fixed_item(
    rng: random.Random, household_id: int, index: int, categories: Mapping[str, int]
) -> Row:
    """One fixed item: a category's kind of payment on a frequency."""
    kind = rng.choices(list(FIXED_KINDS), weights=[k[0] for k in FIXED_KINDS.values()])[0]
    _, low, high, names = FIXED_KINDS[kind]
    frequency = rng.choices(list(FREQUENCIES), weights=[f[0] for f in FREQUENCIES.values()])[0]
    amount = (_amount(rng, low, high) * FREQUENCIES[frequency][1]).quantize(Decimal("0.01"))
    day_of_month = None if frequency in {"weekly", "biweekly"} else _day_of_month(rng)
    start, end, booked = _span(rng, index)
    flow = "income" if kind in INCOME_KINDS else "expense"
    name = f"{rng.choice(names)} #{index + 1}"
    return (
        household_id, name, flow, categories[kind], CURRENCY, booked, amount, frequency,
        day_of_month, start, end,
    )  # fmt: skip


def fixed_items(household_id: int, categories: Mapping[str, int]) -> list[Row]:
    """The household's 200 fixed items."""
    rng = random.Random(200)  # noqa: S311 - reproducible test data, not cryptography
    return [_fixed_item(rng, household_id, index, categories) for index in range(FIXED_ITEMS)]


def pauses(fixed_ids: Sequence[int]) -> list[Row]:
    """Pauses of every tenth item: past, open, ahead, running now; some items paused twice."""
    rows: list[Row] = []
    for number, fixed_id in enumerate(fixed_ids[SPECIAL_ITEMS::PAUSE_EVERY]):
        start, end = (
            (TODAY - timedelta(days=400), TODAY - timedelta(days=300)),
            (TODAY - timedelta(days=60), None),
            (TODAY + timedelta(days=150), TODAY + timedelta(days=240)),
            (TODAY - timedelta(days=20), TODAY + timedelta(days=40)),
        )[number % 4]
        rows.append((fixed_id, start, end))
        if number % 3 == 0:
            rows.append((fixed_id, TODAY - timedelta(days=900), TODAY - timedelta(days=850)))
    return rows


def _plan(rng: random.Random, household_id: int, category_id: int, number: int) -> Row:
    """A plan that finished, is running, or starts later, by its number."""
    count = rng.randint(3, 36)
    if number < FINISHED_PLANS:
        months_in = rng.randint(count + 1, count + 96)
    elif number < FINISHED_PLANS + RUNNING_PLANS:
        months_in = rng.randint(0, count - 1)
    else:
        months_in = -rng.randint(1, 6)
    day = _day_of_month(rng)
    first = clamp_day(*add_months(TODAY.year, TODAY.month, -months_in), day)
    booked = YESTERDAY if first <= YESTERDAY else None
    name = f"{PLAN_NAMES[number % len(PLAN_NAMES)]} #{number + 1}"
    total = _amount(rng, 300, 6000)
    return (household_id, name, "expense", category_id, CURRENCY, booked, total, count, first, day)


def plans(household_id: int, categories: Mapping[str, int]) -> list[Row]:
    """The household's 50 installment plans."""
    rng = random.Random(50)  # noqa: S311 - reproducible test data, not cryptography
    category_id = categories[PLAN_CATEGORY]
    return [_plan(rng, household_id, category_id, number) for number in range(PLANS)]


def _first_payment(index: int) -> date:
    months_in, day = LOANS[index][5], LOAN_DAYS[index]
    return clamp_day(*add_months(TODAY.year, TODAY.month, -months_in), day)


def _loan(household_id: int, index: int, categories: Mapping[str, int]) -> Row:
    name, category, principal, rate, term, _, method = LOANS[index]
    return (
        household_id, name, "expense", categories[category], CURRENCY, YESTERDAY,
        Decimal(principal), Decimal(rate), term, _first_payment(index), LOAN_DAYS[index], method,
    )  # fmt: skip


def loans(household_id: int, categories: Mapping[str, int]) -> list[Row]:
    """Two mortgages, a car loan, a personal loan and a student loan, all running."""
    return [_loan(household_id, index, categories) for index in range(len(LOANS))]


def prepayments(loan_ids: Sequence[int]) -> Iterator[Row]:
    """The loans' prepayments, given the loans' ids in LOANS order."""
    for index, months, amount, mode in PREPAYMENTS:
        first = _first_payment(index)
        when = clamp_day(*add_months(first.year, first.month, months), first.day)
        yield (loan_ids[index], when, Decimal(amount), mode)


def balance_records(household_id: int) -> list[Row]:
    """A reading each New Year, and the latest one twelve days ago."""
    rng = random.Random(21)  # noqa: S311 - reproducible test data, not cryptography
    rows: list[Row] = [
        (household_id, date(year, 1, 1), _amount(rng, 5000, 80000), CURRENCY, "bank app")
        for year in range(FIRST_DAY.year + 1, TODAY.year + 1)
    ]
    latest = TODAY - timedelta(days=12)
    return [*rows, (household_id, latest, _amount(rng, 30000, 60000), CURRENCY, "bank app")]
