"""What the alerts of many households read, loaded set-based once for a chunk of them.

One household's evaluation asks the database some twenty small questions besides its
forecast: who administers it, whether it has data, what moved since the last time (the
fingerprint), its average income, unusual expenses, last payments, budgets and cards.
The nightly pass asks each question once for a chunk of households (one statement per
table) and hands each household its answers; `alerts.evaluate` asks them itself when it
gets none. `tests/test_nightly_workers.py` holds the two ways equal.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import Session

from domain.db.currency import in_base, require_rates
from domain.db.models import (
    Account,
    BalanceRecord,
    Budget,
    Category,
    CategoryBudgetSettings,
    FixedItem,
    Household,
    InstallmentPlan,
    Loan,
    Membership,
    Transaction,
    Transfer,
    User,
)
from domain.db.recurring import any_of, load_specs
from domain.errors import DomainError
from domain.rules.alert_rules import BookingFailure, Ending, Unusual
from domain.rules.currency import MissingRateError
from domain.rules.forecast import ForecastInputs
from domain.rules.installments import installment_dates
from domain.rules.loans import amortize
from domain.rules.money import ZERO
from domain.rules.occurrences import InstallmentSpec, LoanSpec, SourceSpec
from domain.services.forecasting import gather_chunk
from domain.services.rates import base_currency

RECENT_DAYS = 14
UNUSUAL_FACTOR = Decimal(2)
MIN_SAMPLES = 8
# Every table whose rows move the forecast or the alerts: the fingerprint counts them.
FINGERPRINT_MODELS: tuple[Any, ...] = (
    Transaction,
    FixedItem,
    InstallmentPlan,
    Loan,
    BalanceRecord,
    Budget,
    CategoryBudgetSettings,
    Account,
    Transfer,
)
DATA_MODELS: tuple[Any, ...] = (Transaction, BalanceRecord, FixedItem, InstallmentPlan, Loan)


@dataclass(frozen=True)
class ChunkFacts:
    """The answers for a chunk of households; a household missing from a map has none.

    `incomes` lacks the households whose income needs a rate that is missing: their
    evaluation asks again and fails alone, as it would have on its own.
    """

    admins: frozenset[int] = frozenset()
    with_data: frozenset[int] = frozenset()
    marks: Mapping[int, tuple[str, ...]] = field(default_factory=dict)
    incomes: Mapping[int, Decimal] = field(default_factory=dict)
    unusual: Mapping[int, list[Unusual]] = field(default_factory=dict)
    endings: Mapping[int, list[Ending]] = field(default_factory=dict)
    budgeted: frozenset[int] = frozenset()
    limited: frozenset[int] = frozenset()  # households with a credit card that has a limit
    failed: Mapping[int, list[BookingFailure]] = field(default_factory=dict)
    inputs: Mapping[int, ForecastInputs] = field(default_factory=dict)  # read together


def mark_part(count: int, latest: Any) -> str:
    """One table's part of a fingerprint: how many rows and when the latest changed."""
    return f"{count}/{latest.timestamp() if latest else 0}"


def _marks(session: Session, ids: list[int]) -> dict[int, tuple[str, ...]]:
    parts: dict[int, list[str]] = {i: [] for i in ids}
    for model in FINGERPRINT_MODELS:
        found = {
            row[0]: mark_part(row[1], row[2])
            for row in session.execute(
                select(model.household_id, func.count(), func.max(model.updated_at))
                .where(model.household_id == any_of(ids))
                .group_by(model.household_id)
            )
        }
        for i in ids:
            parts[i].append(found.get(i, mark_part(0, None)))
    return {i: tuple(p) for i, p in parts.items()}


def _admins(session: Session, ids: list[int]) -> frozenset[int]:
    rows = session.scalars(
        select(Membership.household_id)
        .join(User, User.id == Membership.user_id)
        .where(Membership.household_id == any_of(ids), User.is_admin, User.is_active)
        .distinct()
    )
    return frozenset(rows)


def _with_data(session: Session, ids: list[int]) -> frozenset[int]:
    owns = or_(*(exists().where(model.household_id == Household.id) for model in DATA_MODELS))
    return frozenset(session.scalars(select(Household.id).where(Household.id == any_of(ids), owns)))


def _holders(session: Session, ids: list[int], model: Any, *conditions: Any) -> frozenset[int]:
    query = select(model.household_id).where(model.household_id == any_of(ids), *conditions)
    return frozenset(session.scalars(query.distinct()))


def _incomes(
    session: Session, homes: Sequence[Household], today: Mapping[int, date]
) -> dict[int, Decimal]:
    """Average monthly income over the last year, per group of the same day and base currency."""
    groups: dict[tuple[date, str], list[int]] = defaultdict(list)
    for home in homes:
        groups[(today[home.id], base_currency(home))].append(home.id)
    incomes: dict[int, Decimal] = {}
    for (day, base), ids in groups.items():
        where = (
            Transaction.household_id == any_of(ids),
            Transaction.type == "income",
            Transaction.date > day - timedelta(days=365),
            Transaction.date <= day,
        )
        try:
            require_rates(session, base, *where)
        except MissingRateError:
            continue  # each of them asks on its own: only the one missing a rate fails
        totals = dict(
            session.execute(
                select(Transaction.household_id, func.sum(in_base(base)))
                .where(*where)
                .group_by(Transaction.household_id)
            ).all()
        )
        for i in ids:
            incomes[i] = (Decimal(totals.get(i) or 0) / 12).quantize(Decimal("0.01"))
    return incomes


def unusual_expenses(
    session: Session, ids: list[int], day: date, into: dict[int, list[Unusual]]
) -> None:
    """Recent expenses above twice their category's 90th percentile of the past year."""
    typical = (
        select(
            Transaction.household_id,
            Transaction.category_id,
            func.percentile_cont(0.9).within_group(Transaction.amount).label("p90"),
            func.count().label("n"),
        )
        .where(
            Transaction.household_id == any_of(ids),
            Transaction.type == "expense",
            Transaction.date > day - timedelta(days=365),
            Transaction.date <= day - timedelta(days=RECENT_DAYS),
            Transaction.category_id.is_not(None),
        )
        .group_by(Transaction.household_id, Transaction.category_id)
        .subquery()
    )
    rows = session.execute(
        select(
            Transaction.household_id,
            Transaction.id,
            Transaction.description,
            Transaction.amount,
            Transaction.date,
            typical.c.p90,
            Category.name,
        )
        .join(
            typical,
            (typical.c.household_id == Transaction.household_id)
            & (typical.c.category_id == Transaction.category_id),
        )
        .join(Category, Category.id == Transaction.category_id)
        .where(
            Transaction.household_id == any_of(ids),
            Transaction.type == "expense",
            Transaction.date > day - timedelta(days=RECENT_DAYS),
            Transaction.date <= day,
            typical.c.n >= MIN_SAMPLES,
            Transaction.amount > typical.c.p90 * UNUSUAL_FACTOR,
        )
    )
    for home, tx_id, description, amount, on, p90, name in rows:
        p90_amount = Decimal(str(p90)).quantize(ZERO)
        into[home].append(Unusual(tx_id, description, name, amount, p90_amount, on))


def ending_of(spec: SourceSpec) -> Ending | None:
    """A plan's or a loan's last payment date; None for a fixed item or a broken loan."""
    info = spec.info
    if isinstance(spec, InstallmentSpec):
        last = installment_dates(spec.first, spec.count, spec.day_of_month)[-1]
        return Ending("installment", info.source_id, info.name, last)
    if isinstance(spec, LoanSpec):
        try:
            periods = amortize(spec.terms, spec.prepayments)
        except DomainError:
            return None
        return Ending("loan", info.source_id, info.name, periods[-1].date) if periods else None
    return None


def _endings(session: Session, ids: list[int]) -> dict[int, list[Ending]]:
    found: dict[int, list[Ending]] = {i: [] for i in ids}
    for spec in load_specs(session, ids):
        ending = ending_of(spec)
        if ending is not None:
            found[spec.info.household_id].append(ending)
    return found


def _by_day(homes: Iterable[Household], today: Mapping[int, date]) -> dict[date, list[int]]:
    groups: dict[date, list[int]] = defaultdict(list)
    for home in homes:
        groups[today[home.id]].append(home.id)
    return groups


def load_facts(
    session: Session,
    homes: Sequence[Household],
    today: Mapping[int, date],
    *,
    failed: Mapping[int, list[BookingFailure]],
) -> ChunkFacts:
    """Every household's answers, a statement or two per question for the whole chunk.

    `failed` is what the pass that just ran could not book (the latest booking pass).
    """
    ids = [home.id for home in homes]
    with_data = _with_data(session, ids)
    unusual: dict[int, list[Unusual]] = {i: [] for i in ids}
    for day, members in _by_day(homes, today).items():
        unusual_expenses(session, members, day, unusual)
    return ChunkFacts(
        admins=_admins(session, ids),
        with_data=with_data,
        marks=_marks(session, ids),
        incomes=_incomes(session, homes, today),
        unusual=unusual,
        endings=_endings(session, ids),
        budgeted=_holders(session, ids, Budget),
        limited=_holders(
            session, ids, Account, Account.kind == "credit_card", Account.credit_limit.is_not(None)
        ),
        failed={i: list(failed.get(i, [])) for i in ids},
        inputs=gather_chunk(session, [h for h in homes if h.id in with_data], today),
    )
