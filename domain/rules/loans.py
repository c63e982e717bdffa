"""Loan amortization: Spitzer (equal payments) and equal principal, to the agora."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from domain.errors import InvalidInputError
from domain.rules.installments import installment_dates
from domain.rules.money import CENT, MAX_INTEGER_DIGITS, ZERO

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


def format_rate(annual_rate: Decimal) -> str:
    """The one written form of a yearly rate in percent: two places, more only when needed.

    5 -> "5.00", 5.0000 -> "5.00", 4.125 -> "4.125", 3.1416 -> "3.1416".
    """
    exponent = annual_rate.normalize().as_tuple().exponent
    places = max(2, -exponent) if isinstance(exponent, int) else 2
    return f"{annual_rate:.{places}f}"


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


def check_payment_fits(terms: LoanTerms) -> LoanTerms:
    """Refuse terms whose largest payment (the first) would not fit an amount of money."""
    first = _level(terms, terms.principal, terms.term_months)
    if terms.method == "equal_principal":
        first += _round(terms.principal * monthly_rate(terms.annual_rate))
    if first >= Decimal(10) ** MAX_INTEGER_DIGITS:
        raise InvalidInputError("principal", f"the monthly payment {first} is too large")
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


@dataclass
class _State:
    """Where the loan stands while the schedule is walked."""

    balance: Decimal
    remaining: int
    level: Decimal
    last_prepaid: date | None = None


def _settle(
    terms: LoanTerms, state: _State, pending: list[Prepayment], due: date, *, on_due: bool
) -> Decimal:
    """Apply the pending prepayments dated before `due` (and on it, when `on_due`)."""
    applied_total = ZERO
    while pending and state.balance > ZERO:
        when = pending[0].date
        if when > due or (when == due and not on_due):
            break
        state.balance, state.remaining, state.level, applied = _prepay(
            terms, state.balance, state.remaining, state.level, pending.pop(0)
        )
        state.last_prepaid = when
        applied_total += applied
    return applied_total


def _pay(terms: LoanTerms, state: _State) -> tuple[Decimal, Decimal]:
    """One scheduled payment, its interest on the balance that bore the period."""
    interest = _round(state.balance * monthly_rate(terms.annual_rate))
    principal = state.level - interest if terms.method == "spitzer" else state.level
    if state.remaining == 1 or principal >= state.balance:
        principal = state.balance
    state.balance -= principal
    state.remaining -= 1
    return principal, interest


def amortize(terms: LoanTerms, prepayments: tuple[Prepayment, ...] = ()) -> list[Period]:
    """The full schedule; each interest is rounded to the agora, the last period closes at 0.00.

    The prepayment rule: a prepayment dated before a payment day applies before that day's
    payment, so that period's interest is on the lowered balance. One dated on a payment day
    applies after that day's payment: the period's interest is due on the balance that bore
    it. Either way it shows on that period's row (`prepayment`), and `balance` is what is
    owed after both. Its mode then shortens the term (the same payment, fewer periods) or
    lowers the payments left (the same number of periods). A prepayment that repays the
    whole balance between payment days gets a closing row of its own on its date (payment
    0.00, prepayment the amount, balance 0.00); the loan ends there.

    Args:
        terms: the loan.
        prepayments: extra repayments, in any order; those after the loan ended are ignored.

    Returns:
        One Period per payment, plus the closing row of a payoff between payment days.
        Principal parts and prepayments together sum to the principal.
    """
    check_terms(terms)
    dates = installment_dates(terms.first_payment, terms.term_months, terms.day_of_month)
    level = _level(terms, terms.principal, terms.term_months)
    state = _State(terms.principal, terms.term_months, level)
    pending = sorted(prepayments, key=lambda p: p.date)
    periods: list[Period] = []
    for due in dates:
        before = _settle(terms, state, pending, due, on_due=False)
        if state.balance == ZERO:
            closing = state.last_prepaid or due
            periods.append(Period(len(periods) + 1, closing, ZERO, ZERO, ZERO, ZERO, before))
            break
        principal, interest = _pay(terms, state)
        after = _settle(terms, state, pending, due, on_due=True)
        number, payment = len(periods) + 1, principal + interest
        periods.append(
            Period(number, due, payment, principal, interest, state.balance, before + after)
        )
        if state.balance == ZERO:
            break
    return periods
