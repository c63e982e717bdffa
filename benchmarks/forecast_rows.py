"""A heavy household's twenty years of ledger rows, for the forecast benchmark (pure).

Salaries, rent and the monthly bills were typed in or imported until the scheduler took
them over (SCHEDULER_SINCE); groceries every Friday and irregular spending run to today;
a few planned transactions are dated ahead.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping
from datetime import date, timedelta
from decimal import Decimal
from operator import itemgetter

from domain.rules.recurrence import add_months, clamp_day

TODAY = date(2026, 11, 25)  # the forecast's fixed "today": figures repeat from run to run
YESTERDAY = TODAY - timedelta(days=1)
YEARS = 20
FIRST_DAY = date(TODAY.year - YEARS, TODAY.month, TODAY.day)
SCHEDULER_SINCE = date(2026, 8, 1)  # recurring rows from here on are the scheduler's
FUTURE_ROWS = 30
INCOME_SHARE = 0.04
UNCATEGORISED_SHARE = 0.03
IMPORT_SHARE = 0.6
FRIDAY = 4
CURRENCY = "ILS"
Row = tuple[object, ...]
What = tuple[int | None, str, str]

# Description, category, type, day of month, lowest and highest amount.
MONTHLY: tuple[tuple[str, str, str, int, int, int], ...] = (
    ("Salary ACME Ltd", "Salary", "income", 9, 12000, 26000),
    ("Salary Globex", "Salary", "income", 1, 8000, 18000),
    ("Bituach Leumi child allowance", "Benefits", "income", 20, 150, 450),
    ("Rent", "Rent", "expense", 1, 4000, 6500),
    ("Arnona municipal tax", "Arnona", "expense", 15, 400, 900),
    ("Israel Electric Corp", "Utilities", "expense", 22, 200, 900),
    ("Partner mobile", "Phone & internet", "expense", 5, 60, 200),
    ("Harel insurance", "Insurance", "expense", 2, 150, 600),
    ("Kindergarten", "Childcare", "expense", 1, 1500, 3500),
)
# Category -> (weight, lowest amount, highest amount, descriptions) of the irregular rows.
IRREGULAR: Mapping[str, tuple[int, int, int, tuple[str, ...]]] = {
    "Groceries": (22, 8, 150, ("Rami Levy", "Victory", "שופרסל", "Makolet")),
    "Dining out": (14, 12, 120, ("Cafe Aroma coffee", "Wolt order", "Japanika")),
    "Transport": (10, 6, 40, ("Rav-Kav top-up", "Gett taxi", "Israel Railways")),
    "Car": (6, 30, 300, ("Paz fuel", "Delek fuel", "Parking", "Car wash")),
    "Health": (4, 20, 250, ("Super-Pharm", "Maccabi co-payment")),
    "Leisure": (6, 20, 150, ("Cinema City", "Spotify", "Steimatzky")),
    "Clothing": (4, 40, 300, ("Castro", "Fox", "Zara")),
    "Gifts & donations": (2, 50, 300, ("Wedding gift", "Donation")),
    "Other expenses": (3, 10, 150, ("ATM withdrawal", "Bit transfer", "AliExpress")),
}
INCOME: Mapping[str, tuple[int, int, int, tuple[str, ...]]] = {
    "Refunds": (3, 20, 600, ("Refund AliExpress", "Tax refund")),
    "Other income": (2, 50, 1500, ("Bit transfer in", "Sold on Yad2")),
    "Freelance": (1, 500, 5000, ("Invoice to client",)),
}


def _amount(rng: random.Random, low: int, high: int) -> Decimal:
    return Decimal(rng.randint(low * 100, high * 100)).scaleb(-2)


def _row(household_id: int, day: date, amount: Decimal, flow: str, *, what: What) -> Row:
    """A COPY row of the ledger (no notes); `what` is category, description and source."""
    category_id, description, source = what
    return (household_id, day, amount, flow, category_id, description, "", CURRENCY, source)


def _source(rng: random.Random) -> str:
    return "import" if rng.random() < IMPORT_SHARE else "manual"


def _monthly(rng: random.Random, household_id: int, categories: Mapping[str, int]) -> Iterator[Row]:
    """The salaries and monthly bills of every month before the scheduler took them over."""
    for months in range(YEARS * 12 + 1):
        year, month = add_months(FIRST_DAY.year, FIRST_DAY.month, months)
        for description, category, flow, day, low, high in MONTHLY:
            when = clamp_day(year, month, day)
            if FIRST_DAY <= when < SCHEDULER_SINCE:
                amount = _amount(rng, low, high)
                what = (categories[category], description, _source(rng))
                yield _row(household_id, when, amount, flow, what=what)


def _fridays(rng: random.Random, household_id: int, category_id: int) -> Iterator[Row]:
    """The weekly supermarket run, every Friday up to today."""
    day = FIRST_DAY + timedelta(days=(FRIDAY - FIRST_DAY.weekday()) % 7)
    while day <= TODAY:
        amount = _amount(rng, 250, 1100)
        yield _row(
            household_id, day, amount, "expense", what=(category_id, "Shufersal Deal", "import")
        )
        day += timedelta(days=7)


def _irregular(
    rng: random.Random, household_id: int, day: date, categories: Mapping[str, int]
) -> Row:
    """One irregular row: mostly small spending, sometimes a refund or an invoice."""
    flow = "income" if rng.random() < INCOME_SHARE else "expense"
    profiles = INCOME if flow == "income" else IRREGULAR
    name = rng.choices(list(profiles), weights=[p[0] for p in profiles.values()])[0]
    _, low, high, descriptions = profiles[name]
    category_id = None if rng.random() < UNCATEGORISED_SHARE else categories[name]
    amount, description = _amount(rng, low, high), rng.choice(descriptions)
    return _row(household_id, day, amount, flow, what=(category_id, description, _source(rng)))


def _planned(rng: random.Random, household_id: int, categories: Mapping[str, int]) -> Iterator[Row]:
    """Transactions the household typed in ahead of their dates, over the next eight months."""
    for number in range(FUTURE_ROWS):
        day = TODAY + timedelta(days=rng.randint(1, 240))
        flow, category = ("income", "Refunds") if number % 5 == 0 else ("expense", "Leisure")
        description = "Expected tax refund" if flow == "income" else "Summer camp deposit"
        amount = _amount(rng, 200, 3000)
        yield _row(
            household_id, day, amount, flow, what=(categories[category], description, "manual")
        )


def generate_ledger(household_id: int, categories: Mapping[str, int], *, count: int) -> list[Row]:
    """Exactly `count` COPY rows of the household's ledger, oldest first."""
    rng = random.Random(20261125)  # noqa: S311 - reproducible test data, not cryptography
    rows = [
        *_monthly(rng, household_id, categories),
        *_fridays(rng, household_id, categories["Groceries"]),
    ]
    rows += _planned(rng, household_id, categories)
    span = (TODAY - FIRST_DAY).days + 1
    for _ in range(count - len(rows)):
        day = FIRST_DAY + timedelta(days=rng.randrange(span))
        rows.append(_irregular(rng, household_id, day, categories))
    rows.sort(key=itemgetter(1))
    return rows
