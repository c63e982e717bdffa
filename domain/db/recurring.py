"""Loading recurring sources as pure specs, a chunk of users at a time, and booking them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any, cast

from sqlalchemy import BigInteger, and_, any_, literal, or_, select, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from domain.db.actors import unaudited
from domain.db.models import (
    FixedItem,
    FixedPause,
    InstallmentPlan,
    Loan,
    LoanPrepayment,
    RecurringBooking,
)
from domain.rules.loans import LoanTerms, Method, Prepayment, PrepaymentMode
from domain.rules.occurrences import (
    FixedSpec,
    InstallmentSpec,
    LoanSpec,
    Occurrence,
    SourceInfo,
    SourceKind,
    SourceSpec,
    first_due,
    occurrences,
)
from domain.rules.recurrence import DateRange, Frequency, Recurrence

SOURCE_TABLES: dict[SourceKind, Any] = {
    "fixed": FixedItem,
    "installment": InstallmentPlan,
    "loan": Loan,
}


def _info(kind: SourceKind, row: Any) -> SourceInfo:
    return SourceInfo(
        kind,
        row.id,
        row.household_id,
        row.name,
        row.type,
        row.category_id,
        row.currency,
        row.booked_through,
        row.account_id,
    )


def fixed_spec(item: Any, pauses: Sequence[DateRange]) -> FixedSpec:
    """A fixed item (a row or an ORM object) as a pure spec."""
    rule = Recurrence(
        cast("Frequency", item.frequency),
        item.start_date,
        item.end_date,
        item.day_of_month,
        tuple(pauses),
    )
    return FixedSpec(_info("fixed", item), item.amount, rule)


def installment_spec(plan: Any) -> InstallmentSpec:
    """An installment plan as a pure spec."""
    return InstallmentSpec(
        _info("installment", plan),
        plan.total_amount,
        plan.payments_count,
        plan.first_payment_date,
        plan.day_of_month,
    )


def loan_terms(loan: Any) -> LoanTerms:
    """A loan's terms."""
    return LoanTerms(
        loan.principal,
        loan.annual_rate,
        loan.term_months,
        loan.first_payment_date,
        loan.day_of_month,
        cast("Method", loan.method),
    )


def loan_spec(loan: Any, prepayments: Sequence[Prepayment]) -> LoanSpec:
    """A loan and its prepayments as a pure spec."""
    return LoanSpec(_info("loan", loan), loan_terms(loan), tuple(prepayments))


def prepayment_of(row: Any) -> Prepayment:
    """A stored prepayment as a pure one."""
    return Prepayment(row.date, row.amount, cast("PrepaymentMode", row.mode))


def any_of(ids: Sequence[int]) -> Any:
    """`= ANY(array)` with one array parameter, not one parameter per id."""
    return any_(literal(list(ids), type_=ARRAY(BigInteger)))


def _rows_of(
    session: Session, model: Any, household_ids: list[int], account_id: int | None
) -> Sequence[Any]:
    query = (
        select(model.__table__)
        .where(model.household_id == any_of(household_ids))
        .order_by(model.household_id, model.id)  # the same order read one or many at a time
    )
    if account_id is not None:
        query = query.where(model.account_id == account_id)
    return session.execute(query).all()


def load_specs(
    session: Session, household_ids: Sequence[int], *, account_id: int | None = None
) -> list[SourceSpec]:
    """Every recurring source of the given households (of one account when given)."""
    ids = list(household_ids)
    fixed = _rows_of(session, FixedItem, ids, account_id)
    pauses: dict[int, list[DateRange]] = defaultdict(list)
    if fixed:
        fixed_ids = [row.id for row in fixed]
        for row in session.execute(
            select(FixedPause.fixed_id, FixedPause.start_date, FixedPause.end_date)
            .where(FixedPause.fixed_id == any_of(fixed_ids))
            .order_by(FixedPause.fixed_id, FixedPause.start_date, FixedPause.end_date)
        ):
            pauses[row.fixed_id].append(DateRange(row.start_date, row.end_date))
    plans = _rows_of(session, InstallmentPlan, ids, account_id)
    loans = _rows_of(session, Loan, ids, account_id)
    prepayments: dict[int, list[Prepayment]] = defaultdict(list)
    if loans:
        for row in session.execute(
            select(LoanPrepayment.__table__)
            .where(LoanPrepayment.loan_id == any_of([row.id for row in loans]))
            .order_by(LoanPrepayment.loan_id, LoanPrepayment.date, LoanPrepayment.id)
        ):
            prepayments[row.loan_id].append(prepayment_of(row))
    specs: list[SourceSpec] = [fixed_spec(row, pauses[row.id]) for row in fixed]
    specs += [installment_spec(row) for row in plans]
    specs += [loan_spec(row, prepayments[row.id]) for row in loans]
    return specs


def unbooked(session: Session, due: Sequence[Occurrence]) -> list[Occurrence]:
    """The occurrences without a booking key (booked ones, even deleted since, drop out)."""
    if not due:
        return []
    # The keys booked for these sources since the earliest due date: one condition per
    # kind, never one parameter per occurrence (thousands of them overflow the protocol).
    by_kind: dict[str, set[int]] = {}
    for o in due:
        by_kind.setdefault(o.kind, set()).add(o.source_id)
    taken = {
        tuple(row)
        for row in session.execute(
            select(
                RecurringBooking.source_kind, RecurringBooking.source_id, RecurringBooking.due_date
            ).where(
                or_(
                    *(
                        and_(
                            RecurringBooking.source_kind == kind,
                            RecurringBooking.source_id.in_(sorted(ids)),
                        )
                        for kind, ids in by_kind.items()
                    )
                ),
                RecurringBooking.due_date >= min(o.due_date for o in due),
            )
        ).all()
    }
    return [o for o in due if (o.kind, o.source_id, o.due_date) not in taken]


def unbooked_occurrences(
    session: Session, specs: Sequence[SourceSpec], window_end: date | None
) -> list[Occurrence]:
    """Every occurrence after each source's watermark, before `window_end`, not booked yet.

    Unlike a booking pass, no limit per source: `window_end` bounds the expansion (None
    only for sources that end: plans and loans).
    """
    found = []
    for spec in specs:
        watermark = spec.info.booked_through
        begin = watermark + timedelta(days=1) if watermark else first_due(spec)
        found += occurrences(spec, DateRange(begin, window_end))
    return sorted(unbooked(session, found), key=lambda o: (o.due_date, o.kind, o.source_id))


BOOK_SQL = text(
    """
WITH due AS (
    SELECT * FROM unnest(
        CAST(:household_ids AS bigint[]), CAST(:kinds AS text[]), CAST(:source_ids AS bigint[]),
        CAST(:dates AS date[]), CAST(:amounts AS numeric[]), CAST(:types AS text[]),
        CAST(:category_ids AS bigint[]), CAST(:currencies AS text[]),
        CAST(:descriptions AS text[]), CAST(:tx_dates AS date[]), CAST(:account_ids AS bigint[])
    ) AS d(household_id, source_kind, source_id, due_date, amount, type, category_id, currency,
           description, tx_date, account_id)
), keyed AS MATERIALIZED (
    SELECT due.*, nextval(pg_get_serial_sequence('transactions', 'id')) AS tx_id FROM due
), claimed AS (
    INSERT INTO recurring_bookings
        (household_id, source_kind, source_id, due_date, transaction_id, job_run_id)
    SELECT household_id, source_kind, source_id, due_date, tx_id, :job_run_id FROM keyed
    ON CONFLICT (source_kind, source_id, due_date) DO NOTHING
    RETURNING transaction_id
)
INSERT INTO transactions
    (id, household_id, date, amount, type, category_id, description, notes, currency, source,
     source_kind, source_id, account_id)
SELECT k.tx_id, k.household_id, k.tx_date, k.amount, k.type, k.category_id, k.description, '',
       k.currency, 'recurring', k.source_kind, k.source_id, k.account_id
FROM keyed k JOIN claimed c ON c.transaction_id = k.tx_id
RETURNING household_id
"""
)


def book_occurrences(
    session: Session,
    due: Sequence[Occurrence],
    *,
    job_run_id: int | None = None,
    paid_on: date | None = None,
) -> list[int]:
    """Book occurrences exactly once, in one statement; return the household id of each booked row.

    The booking key and the transaction are written together; an occurrence whose key
    exists already (booked before, even if its transaction was deleted) books nothing.
    The transaction is dated on its due date, or on `paid_on` when given.
    """
    if not due:
        return []
    params = {
        "household_ids": [o.household_id for o in due],
        "kinds": [o.kind for o in due],
        "source_ids": [o.source_id for o in due],
        "dates": [o.due_date for o in due],
        "amounts": [o.amount for o in due],
        "types": [o.type for o in due],
        "category_ids": [o.category_id for o in due],
        "currencies": [o.currency for o in due],
        "descriptions": [o.description for o in due],
        "tx_dates": [paid_on or o.due_date for o in due],
        "account_ids": [o.account_id for o in due],
        "job_run_id": job_run_id,
    }
    return list(session.execute(BOOK_SQL, params).scalars())


def advance_watermarks(session: Session, through: dict[tuple[SourceKind, int], date]) -> None:
    """Record how far each source has been processed (never moving a watermark back).

    Bookkeeping, not a change anybody made: the audit trigger is switched off for it.
    """
    by_kind: dict[SourceKind, list[tuple[int, date]]] = defaultdict(list)
    for (kind, source_id), day in through.items():
        by_kind[kind].append((source_id, day))
    with unaudited(session):
        _advance(session, by_kind)


def _advance(session: Session, by_kind: dict[SourceKind, list[tuple[int, date]]]) -> None:
    for kind, pairs in by_kind.items():
        table = SOURCE_TABLES[kind].__tablename__
        session.execute(
            text(
                f"UPDATE {table} AS s SET booked_through = u.through "  # noqa: S608 - fixed names
                "FROM unnest(CAST(:ids AS bigint[]), CAST(:throughs AS date[])) AS u(id, through) "
                "WHERE s.id = u.id AND (s.booked_through IS NULL OR s.booked_through < u.through)"
            ),
            {"ids": [p[0] for p in pairs], "throughs": [p[1] for p in pairs]},
        )
