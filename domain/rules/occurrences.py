"""What each recurring source is due to move, and when.

The one expansion the scheduler books with and the forecast looks ahead with.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Literal

from domain.rules.categories import FlowType
from domain.rules.installments import check_count, installment_schedule
from domain.rules.loans import LoanTerms, Prepayment, amortize, check_terms
from domain.rules.money import ZERO
from domain.rules.recurrence import DateRange, Recurrence, check_recurrence, expand_occurrences

SourceKind = Literal["fixed", "installment", "loan"]


@dataclass(frozen=True)
class SourceInfo:
    """What every source shares: who, what kind, which category, how far it is booked."""

    kind: SourceKind
    source_id: int
    household_id: int
    name: str
    type: FlowType
    category_id: int | None
    currency: str
    booked_through: date | None
    account_id: int | None = None  # None: the household's default account


@dataclass(frozen=True)
class FixedSpec:
    """A fixed item: a constant amount on a recurrence."""

    info: SourceInfo
    amount: Decimal
    rule: Recurrence


@dataclass(frozen=True)
class InstallmentSpec:
    """An installment plan."""

    info: SourceInfo
    total: Decimal
    count: int
    first: date
    day_of_month: int


@dataclass(frozen=True)
class LoanSpec:
    """A loan and its prepayments."""

    info: SourceInfo
    terms: LoanTerms
    prepayments: tuple[Prepayment, ...] = ()


SourceSpec = FixedSpec | InstallmentSpec | LoanSpec


@dataclass(frozen=True)
class Occurrence:
    """One due movement of money from a source."""

    kind: SourceKind
    source_id: int
    household_id: int
    due_date: date
    amount: Decimal
    type: FlowType
    category_id: int | None
    currency: str
    description: str
    account_id: int | None = None


def _make(info: SourceInfo, due: date, amount: Decimal, description: str) -> Occurrence:
    return Occurrence(
        info.kind,
        info.source_id,
        info.household_id,
        due,
        amount,
        info.type,
        info.category_id,
        info.currency,
        description,
        info.account_id,
    )


def occurrences(spec: SourceSpec, window: DateRange) -> list[Occurrence]:
    """Every occurrence of a source inside the window, in date order."""
    info = spec.info
    if isinstance(spec, FixedSpec):
        return [
            _make(info, d, spec.amount, info.name) for d in expand_occurrences(spec.rule, window)
        ]
    if isinstance(spec, InstallmentSpec):
        plan = installment_schedule(spec.total, spec.count, spec.first, spec.day_of_month)
        return [
            _make(info, p.date, p.amount, f"{info.name} ({p.number}/{spec.count})")
            for p in plan
            if p.date in window
        ]
    # a payoff's closing row moves no scheduled payment: the prepayment is its own transaction
    periods = [p for p in amortize(spec.terms, spec.prepayments) if p.payment > ZERO]
    return [
        _make(info, p.date, p.payment, f"{info.name} ({p.number}/{len(periods)})")
        for p in periods
        if p.date in window
    ]


def first_due(spec: SourceSpec) -> date:
    """The earliest day the source could be due."""
    if isinstance(spec, FixedSpec):
        return spec.rule.start
    if isinstance(spec, InstallmentSpec):
        return spec.first
    return spec.terms.first_payment


def check_spec(spec: SourceSpec) -> SourceSpec:
    """Refuse a source whose stored data breaks the rules its creation checks (bad data)."""
    if isinstance(spec, FixedSpec):
        check_recurrence(spec.rule)
    elif isinstance(spec, InstallmentSpec):
        check_count(spec.total, spec.count)
    else:
        check_terms(spec.terms)  # a payment too large for the ledger is the database's to refuse
    return spec


MAX_BOOKINGS_PER_SOURCE = 400
"""The most occurrences one booking pass books for one source; the rest follow in the next
passes, each on its own date, so no single source can flood a pass."""


@dataclass(frozen=True)
class DueBatch:
    """What one pass books for a source, and how far that takes its watermark."""

    occurrences: list[Occurrence]
    through: date
    held_back: bool  # more were due than one pass books


def due_in_pass(spec: SourceSpec, today: date, *, limit: int = MAX_BOOKINGS_PER_SOURCE) -> DueBatch:
    """The occurrences after the source's watermark up to today, at most `limit` of them.

    When more are due, the watermark stops at the last one booked, so the next pass
    starts right after it.
    """
    begin = (
        spec.info.booked_through + timedelta(days=1)
        if spec.info.booked_through
        else first_due(spec)
    )
    if begin > today:
        return DueBatch([], today, held_back=False)
    due = occurrences(spec, DateRange(begin, today + timedelta(days=1)))
    if len(due) <= limit:
        return DueBatch(due, today, held_back=False)
    return DueBatch(due[:limit], due[limit - 1].due_date, held_back=True)


def due_to_book(spec: SourceSpec, today: date) -> list[Occurrence]:
    """Occurrences after the source's watermark, up to and including today (one pass's worth)."""
    return due_in_pass(spec, today).occurrences
