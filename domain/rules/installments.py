"""Installment plans: an exact split of a total into monthly payments."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_DOWN, Decimal

from domain.errors import InvalidInputError
from domain.rules.money import CENT
from domain.rules.recurrence import add_months, clamp_day

MAX_PAYMENTS = 360


@dataclass(frozen=True)
class Payment:
    """One scheduled payment: its number (from 1), due date and amount."""

    number: int
    date: date
    amount: Decimal


def largest_count(total: Decimal) -> int:
    """The most payments a total splits into with no part of 0.00 (one agora each at least)."""
    return max(0, min(MAX_PAYMENTS, int(total / CENT)))


def check_count(total: Decimal, count: int) -> None:
    """Refuse a count outside 1 to 360, or one that would leave parts of 0.00."""
    if not 1 <= count <= MAX_PAYMENTS:
        raise InvalidInputError("payments_count", f"must be 1 to {MAX_PAYMENTS}")
    if count > largest_count(total):
        raise InvalidInputError(
            "payments_count",
            f"{count} payments of {total} would include parts of 0.00; "
            f"the most that works is {largest_count(total)}",
        )


def split_installments(total: Decimal, count: int) -> list[Decimal]:
    """Split a total into `count` parts that sum to it exactly and differ by at most 0.01.

    Every part is the total divided by the count, rounded down to the agora; the
    remainder goes to the front, one agora to each of the first payments, so the
    first payment carries it when it is a single agora (1000.00 in 3: 333.34,
    333.33, 333.33). A plan stored before `check_count` existed may split into parts of
    0.00: reads show it as it is, the booking pass refuses it (`check_spec`).
    """
    if not 1 <= count <= MAX_PAYMENTS:
        raise InvalidInputError("payments_count", f"must be 1 to {MAX_PAYMENTS}")
    base = (total / count).quantize(CENT, rounding=ROUND_DOWN)
    extra = int((total - base * count) / CENT)
    return [base + CENT if n < extra else base for n in range(count)]


def installment_dates(first: date, count: int, day_of_month: int | None) -> list[date]:
    """The due dates: the first payment's date, then monthly on the day of month."""
    day = day_of_month or first.day
    dates = [first]
    year, month = first.year, first.month
    while len(dates) < count:
        year, month = add_months(year, month, 1)
        dates.append(clamp_day(year, month, day))
    return dates


def installment_schedule(
    total: Decimal, count: int, first: date, day_of_month: int | None = None
) -> list[Payment]:
    """The whole plan: numbered payments with dates and exact amounts."""
    amounts = split_installments(total, count)
    dates = installment_dates(first, count, day_of_month)
    return [Payment(n, d, a) for n, (d, a) in enumerate(zip(dates, amounts, strict=True), start=1)]


@dataclass(frozen=True)
class Progress:
    """How far a plan is paid."""

    paid_count: int
    paid_amount: Decimal
    remaining_count: int
    remaining_amount: Decimal
    next_date: date | None


def plan_progress(schedule: list[Payment], paid_numbers: set[int]) -> Progress:
    """Paid and remaining counts and amounts, and the next unpaid date."""
    paid = [p for p in schedule if p.number in paid_numbers]
    unpaid = [p for p in schedule if p.number not in paid_numbers]
    return Progress(
        paid_count=len(paid),
        paid_amount=sum((p.amount for p in paid), Decimal("0.00")),
        remaining_count=len(unpaid),
        remaining_amount=sum((p.amount for p in unpaid), Decimal("0.00")),
        next_date=unpaid[0].date if unpaid else None,
    )
