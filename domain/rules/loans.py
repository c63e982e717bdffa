"""Loan amortization: Spitzer (equal payments) and equal principal, to the agora."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from domain.errors import InvalidInputError
from domain.rules.installments import installment_dates
from domain.rules.money import CENT, ZERO

Method = Literal["spitzer", "equal_principal"]
PrepaymentMode = Literal["shorten_term", "lower_payment"]
MAX_TERM = 600
MAX_RATE = Decimal("100")


@dataclass(frozen=True)
class LoanTerms:
    """What the borrower agreed to; the payment is computed from it."""

    principal: Decimal
    annual_rate: Decimal  # percent: 5.0 is 5%
    term_months: int
    first_payment: date
    day_of_month: int | None = None
    method: Method = "spitzer"


@dataclass(frozen=True)
class Prepayment:
    """An extra repayment on a date, shortening the term or lowering the payment."""

    date: date
    amount: Decimal
    mode: PrepaymentMode


@dataclass(frozen=True)
class Period:
    """One row of the schedule; `balance` is what is owed after it."""

    number: int
    date: date
    payment: Decimal
    principal: Decimal
    interest: Decimal
    balance: Decimal
    prepayment: Decimal = ZERO


def _round(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def monthly_rate(annual_rate: Decimal) -> Decimal:
    """The monthly rate as a fraction (5.0 percent a year is 0.05 / 12)."""
    return annual_rate / Decimal(1200)


def spitzer_payment(principal: Decimal, annual_rate: Decimal, months: int) -> Decimal:
    """The equal monthly payment of a French schedule, rounded half up to the agora.

    payment = P * r / (1 - (1 + r) ** -n); with r = 0 it is P / n.
    """
    if months <= 0:
        return ZERO
    rate = monthly_rate(annual_rate)
    if rate == 0:
        return _round(principal / months)
    return _round(principal * rate / (1 - (1 + rate) ** -months))


def check_terms(terms: LoanTerms) -> LoanTerms:
    """Refuse impossible terms, naming the field."""
    if terms.principal <= ZERO:
        raise InvalidInputError("principal", "must be greater than zero")
    if not ZERO <= terms.annual_rate <= MAX_RATE:
        raise InvalidInputError("annual_rate", "must be 0 to 100 percent")
    if not 1 <= terms.term_months <= MAX_TERM:
        raise InvalidInputError("term_months", f"must be 1 to {MAX_TERM}")
    if terms.day_of_month is not None and not 1 <= terms.day_of_month <= 31:
        raise InvalidInputError("day_of_month", "must be 1 to 31")
    if terms.method not in ("spitzer", "equal_principal"):
        raise InvalidInputError("method", "must be 'spitzer' or 'equal_principal'")
    return terms


def _level(terms: LoanTerms, balance: Decimal, remaining: int) -> Decimal:
    """The level figure for the rest: Spitzer's payment or the principal part."""
    if terms.method == "spitzer":
        return spitzer_payment(balance, terms.annual_rate, remaining)
    return _round(balance / remaining)


def _prepay(
    terms: LoanTerms, balance: Decimal, remaining: int, level: Decimal, extra: Prepayment
) -> tuple[Decimal, int, Decimal, Decimal]:
    """Apply a prepayment: (new balance, periods left, new level figure, amount applied)."""
    applied = min(extra.amount, balance)
    balance -= applied
    if balance == ZERO:
        return balance, 0, level, applied
    if extra.mode == "lower_payment":
        return balance, remaining, _level(terms, balance, remaining), applied
    # shorten the term: keep the level figure, count the periods it now needs
    months = remaining
    while months > 1 and _level(terms, balance, months - 1) <= level:
        months -= 1
    return balance, months, level, applied


def amortize(terms: LoanTerms, prepayments: tuple[Prepayment, ...] = ()) -> list[Period]:
    """The full schedule; each interest is rounded to the agora, the last period closes at 0.00.

    Args:
        terms: the loan.
        prepayments: extra repayments; each applies before the first period due on or after
            its date and recomputes the rest of the schedule as its mode says.

    Returns:
        One Period per payment; principal parts (with prepayments) sum to the principal.
    """
    check_terms(terms)
    dates = installment_dates(terms.first_payment, terms.term_months, terms.day_of_month)
    rate = monthly_rate(terms.annual_rate)
    balance, remaining = terms.principal, terms.term_months
    level = _level(terms, balance, remaining)
    pending = sorted(prepayments, key=lambda p: p.date)
    periods: list[Period] = []
    for due in dates:
        extra_total = ZERO
        while pending and pending[0].date <= due and balance > ZERO:
            balance, remaining, level, applied = _prepay(
                terms, balance, remaining, level, pending.pop(0)
            )
            extra_total += applied
        if balance == ZERO or remaining == 0:
            break
        interest = _round(balance * rate)
        principal = level - interest if terms.method == "spitzer" else level
        if remaining == 1 or principal >= balance:
            principal = balance
        balance -= principal
        remaining -= 1
        periods.append(
            Period(
                len(periods) + 1,
                due,
                principal + interest,
                principal,
                interest,
                balance,
                extra_total,
            )
        )
    return periods
