"""Synthetic ledger rows: ten years of a heavy household's money in and out (pure)."""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

INCOME_SHARE = 0.06
UNCATEGORISED_SHARE = 0.03
NOTES_SHARE = 0.10
IMPORT_SHARE = 0.20
CURRENCY = "ILS"
DAYS_PER_YEAR = 365.25
NOTES = ("split with Dana", "reimbursable", "coffee with the team", "paid by card", "גמר חודש")

# Category name -> (weight, lowest amount, highest amount, descriptions).
PROFILES: Mapping[str, tuple[int, int, int, tuple[str, ...]]] = {
    "Salary": (3, 9000, 18000, ("Salary ACME Ltd", "משכורת")),
    "Freelance": (2, 500, 6000, ("Invoice to client", "Consulting fee")),
    "Benefits": (1, 150, 900, ("Bituach Leumi child allowance",)),
    "Refunds": (2, 20, 600, ("Refund AliExpress", "Tax refund")),
    "Other income": (1, 50, 2000, ("Bit transfer in", "Sold on Yad2")),
    "Rent": (1, 4500, 6500, ("Rent",)),
    "Mortgage": (1, 3000, 5500, ("Mortgage payment Bank Leumi",)),
    "Groceries": (30, 15, 900, ("Shufersal Deal", "Rami Levy", "Victory", "שופרסל", "רמי לוי")),
    "Utilities": (3, 80, 900, ("Israel Electric Corp", "Water corporation", "Super Gas")),
    "Arnona": (1, 400, 900, ("Arnona municipal tax",)),
    "Transport": (8, 6, 120, ("Rav-Kav top-up", "Gett taxi", "Israel Railways")),
    "Car": (6, 40, 2500, ("Paz fuel", "Delek fuel", "Garage service", "Parking")),
    "Health": (4, 20, 1500, ("Super-Pharm", "Maccabi co-payment", "Dentist")),
    "Education": (2, 50, 3000, ("Tuition", "Steimatzky books")),
    "Childcare": (3, 50, 3500, ("Kindergarten", "Babysitter")),
    "Insurance": (2, 90, 700, ("Harel insurance", "Migdal health insurance")),
    "Phone & internet": (2, 30, 250, ("Partner mobile", "Bezeq internet", "HOT")),
    "Leisure": (6, 20, 600, ("Netflix", "Spotify", "Cinema City")),
    "Dining out": (14, 18, 650, ("Cafe Aroma coffee", "Cofix coffee", "Wolt order", "Japanika")),
    "Clothing": (4, 40, 1200, ("Castro", "Fox", "Zara")),
    "Gifts & donations": (2, 50, 1500, ("Wedding gift", "Donation")),
    "Loan payments": (1, 500, 2500, ("Loan repayment",)),
    "Other expenses": (5, 10, 1500, ("ATM withdrawal", "Bit transfer", "AliExpress")),
}
FALLBACK = (1, 10, 500, ("Miscellaneous",))


@dataclass(frozen=True)
class CategoryRef:
    """A category a generated row may use."""

    id: int
    name: str
    type: str


def _pick(rng: random.Random, categories: Sequence[CategoryRef]) -> CategoryRef:
    weights = [PROFILES.get(c.name, FALLBACK)[0] for c in categories]
    return rng.choices(categories, weights=weights)[0]


def _amount(rng: random.Random, low: int, high: int) -> Decimal:
    return Decimal(rng.randint(low * 100, high * 100)).scaleb(-2)


def _row(
    rng: random.Random, household_id: int, day: date, by_type: Mapping[str, Sequence[CategoryRef]]
) -> tuple[object, ...]:
    flow = "income" if rng.random() < INCOME_SHARE else "expense"
    category = _pick(rng, by_type[flow])
    _, low, high, descriptions = PROFILES.get(category.name, FALLBACK)
    category_id = None if rng.random() < UNCATEGORISED_SHARE else category.id
    notes = rng.choice(NOTES) if rng.random() < NOTES_SHARE else ""
    source = "import" if rng.random() < IMPORT_SHARE else "manual"
    description = rng.choice(descriptions)
    amount = _amount(rng, low, high)
    return (household_id, day, amount, flow, category_id, description, notes, CURRENCY, source)


def generate_rows(
    household_id: int, categories: Sequence[CategoryRef], *, count: int, last_day: date, years: int
) -> Iterator[tuple[object, ...]]:
    """`count` rows dated over `years` years up to `last_day`, oldest first, as COPY tuples."""
    rng = random.Random(20261125)  # noqa: S311 - reproducible test data, not cryptography
    by_type = {flow: [c for c in categories if c.type == flow] for flow in ("income", "expense")}
    span = round(DAYS_PER_YEAR * years)
    offsets = sorted(rng.randrange(span) for _ in range(count))
    first_day = last_day - timedelta(days=span - 1)
    for offset in offsets:
        yield _row(rng, household_id, first_day + timedelta(days=offset), by_type)
