"""Two years of a plausible Israeli household's history, generated from a seed.

The household keeps its salary, rent, bills and loan on its bank account, saves a fixed
sum each month, and puts everyday purchases on two credit cards charged to the bank:
Isracard (closing at the end of the month, charged on the 2nd) and Max (closing on the
7th, charged on the 10th), as Israeli cards commonly do.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal

from domain.rules.categories import FlowType

AGORA = Decimal("0.01")
BANK, SAVINGS, ISRACARD, MAX = "bank", "savings", "isracard", "max"


@dataclass(frozen=True)
class DemoAccount:
    """One of the demo household's accounts; the cards are charged to the bank."""

    key: str
    name: str
    kind: str
    institution: str
    close_day: int | None = None
    charge_day: int | None = None
    credit_limit: Decimal | None = None


DEMO_ACCOUNTS = (
    DemoAccount(BANK, "Main account", "bank", "Bank Leumi"),
    DemoAccount(SAVINGS, "Savings", "savings", "Bank Leumi"),
    DemoAccount(ISRACARD, "Isracard", "credit_card", "Isracard", 31, 2, Decimal("15000.00")),
    DemoAccount(MAX, "Max", "credit_card", "Max", 7, 10, Decimal("10000.00")),
)
# Where each category's spending goes: everyday purchases on a card, the rest on the bank.
CARD_OF = {
    "Groceries": ISRACARD,
    "Health": ISRACARD,
    "Clothing": ISRACARD,
    "Phone & internet": ISRACARD,
    "Transport": MAX,
    "Dining out": MAX,
    "Leisure": MAX,
}
SAVINGS_DAY = 11  # the day after the salary
SAVINGS_AMOUNT = Decimal("500.00")


@dataclass(frozen=True)
class DemoRow:
    """One generated transaction, by category name."""

    date: date
    amount: Decimal
    type: FlowType
    category: str
    description: str
    account: str = BANK


def _amount(rng: random.Random, low: int, high: int) -> Decimal:
    """A random amount between two whole-shekel bounds, in agorot."""
    return Decimal(rng.randint(low * 100, high * 100)) * AGORA


def _months(start: date, end: date) -> Iterator[date]:
    month = start.replace(day=1)
    while month < end:
        yield month
        month = (month + timedelta(days=32)).replace(day=1)


def _monthly(rng: random.Random, month: date) -> Iterator[DemoRow]:
    yield DemoRow(
        month.replace(day=10),
        _amount(rng, 12_300, 12_900),
        "income",
        "Salary",
        "Salary - Hi-Tech Ltd",
    )
    yield DemoRow(month.replace(day=1), Decimal("5200.00"), "expense", "Rent", "Rent")
    yield DemoRow(month.replace(day=2), Decimal("1850.00"), "expense", "Childcare", "Gan Yeladim")
    yield DemoRow(
        month.replace(day=5),
        _amount(rng, 129, 139),
        "expense",
        "Phone & internet",
        "Cellcom + fibre",
    )
    yield DemoRow(
        month.replace(day=15), Decimal("289.90"), "expense", "Insurance", "Health insurance"
    )
    yield DemoRow(month.replace(day=18), Decimal("54.90"), "expense", "Leisure", "Netflix")
    if month.month % 2 == 0:
        yield DemoRow(
            month.replace(day=20),
            _amount(rng, 280, 620),
            "expense",
            "Utilities",
            "Electric company",
        )
        yield DemoRow(
            month.replace(day=22),
            _amount(rng, 640, 720),
            "expense",
            "Arnona",
            "Municipality - arnona",
        )
        yield DemoRow(
            month.replace(day=24), _amount(rng, 110, 190), "expense", "Utilities", "Water"
        )
    if rng.random() < 0.3:
        yield DemoRow(
            month.replace(day=rng.randint(3, 25)),
            _amount(rng, 1_500, 6_000),
            "income",
            "Freelance",
            "Freelance project",
        )


def _weekly(rng: random.Random, day: date) -> Iterator[DemoRow]:
    yield DemoRow(
        day,
        _amount(rng, 250, 700),
        "expense",
        "Groceries",
        rng.choice(["Shufersal", "Rami Levy", "Victory"]),
    )
    for _ in range(rng.randint(1, 4)):
        when = day + timedelta(days=rng.randint(0, 6))
        yield DemoRow(
            when,
            _amount(rng, 6, 60),
            "expense",
            "Transport",
            rng.choice(["Rav-Kav", "Gett taxi", "Paz fuel"]),
        )
    if rng.random() < 0.5:
        yield DemoRow(
            day + timedelta(days=rng.randint(0, 6)),
            _amount(rng, 60, 420),
            "expense",
            "Dining out",
            rng.choice(["Cafe Landwer", "Aroma", "Pizza Hut", "Sushi bar"]),
        )
    if rng.random() < 0.2:
        yield DemoRow(
            day + timedelta(days=rng.randint(0, 6)),
            _amount(rng, 40, 350),
            "expense",
            "Health",
            rng.choice(["Super-Pharm", "Maccabi copay", "Dentist"]),
        )
    if rng.random() < 0.15:
        yield DemoRow(
            day + timedelta(days=rng.randint(0, 6)),
            _amount(rng, 80, 900),
            "expense",
            "Clothing",
            rng.choice(["Castro", "Fox", "Zara"]),
        )
    if rng.random() < 0.2:
        yield DemoRow(
            day + timedelta(days=rng.randint(0, 6)),
            _amount(rng, 50, 600),
            "expense",
            "Leisure",
            rng.choice(["Cinema City", "Yes Planet", "Museum", "Concert"]),
        )


def generate_history(start: date, end: date, *, seed: int = 2026) -> list[DemoRow]:
    """Every generated row dated in [start, end), sorted by date."""
    rng = random.Random(seed)  # noqa: S311 - demo data, not security
    rows = [row for month in _months(start, end) for row in _monthly(rng, month)]
    day = start
    while day < end:
        rows.extend(_weekly(rng, day))
        day += timedelta(days=7)
    return sorted(
        (replace(r, account=CARD_OF.get(r.category, BANK)) for r in rows if start <= r.date < end),
        key=lambda r: (r.date, r.category),
    )


def savings_transfers(start: date, end: date) -> list[tuple[date, Decimal]]:
    """The monthly transfer from the bank to savings, dated in [start, end)."""
    days = (month.replace(day=SAVINGS_DAY) for month in _months(start, end))
    return [(day, SAVINGS_AMOUNT) for day in days if start <= day < end]
