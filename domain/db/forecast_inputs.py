"""Read-model queries the forecast needs: future transactions, booked keys, history."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from sqlalchemy import Date, cast, exists, func, or_, select, union_all
from sqlalchemy.orm import Session

from domain.db.currency import in_base, require_rates
from domain.db.models import (
    BalanceRecord,
    Category,
    FixedItem,
    InstallmentPlan,
    Loan,
    RecurringBooking,
    Transaction,
)
from domain.rules.currency import RateTable, convert, explain_conversion
from domain.rules.forecast import HISTORY_MONTHS, CategoryHistory, Event
from domain.rules.money import ZERO
from domain.rules.occurrences import SourceSpec
from domain.rules.recurrence import add_months


def future_transactions(
    session: Session, household_id: int, today: date, end: date, rates: RateTable
) -> list[Event]:
    """Transactions dated after today and before the horizon's end, as signed events.

    One in another currency converts at the latest rate on or before its date, and its
    description says so.
    """
    rows = session.execute(
        select(
            Transaction.date,
            Transaction.amount,
            Transaction.currency,
            Transaction.type,
            Transaction.description,
            Transaction.category_id,
        ).where(
            Transaction.household_id == household_id,
            Transaction.date > today,
            Transaction.date < end,
        )
    )
    events = []
    for r in rows:
        conversion = convert(r.amount, r.currency, r.date, rates)
        description = r.description or "Transaction"
        if conversion.converted:
            description = f"{description} ({explain_conversion(conversion)})"
        amount = conversion.base_amount
        events.append(
            Event(
                r.date,
                amount if r.type == "income" else -amount,
                description,
                "transaction",
                r.category_id,
            )
        )
    return events


def booked_keys(
    session: Session, household_id: int, since: date
) -> frozenset[tuple[str, int, date]]:
    """Booking keys of the household from a day on (payments recorded ahead of the scheduler)."""
    rows = session.execute(
        select(
            RecurringBooking.source_kind, RecurringBooking.source_id, RecurringBooking.due_date
        ).where(RecurringBooking.household_id == household_id, RecurringBooking.due_date >= since)
    )
    return frozenset((r.source_kind, r.source_id, r.due_date) for r in rows)


def spending_history(
    session: Session, household_id: int, today: date, specs: list[SourceSpec], *, base: str
) -> list[CategoryHistory]:
    """Each category's variable spending per month over the 12 whole months before this one.

    Variable means not covered by a recurring item: not booked by the scheduler, not
    tied to a source, and not in a category that a recurring expense uses.
    """
    first = date(*add_months(today.year, today.month, -HISTORY_MONTHS), 1)
    this_month = today.replace(day=1)
    recurring = {s.info.category_id for s in specs if s.info.type == "expense"}
    month = cast(func.date_trunc("month", Transaction.date), Date)
    where = (
        Transaction.household_id == household_id,
        Transaction.type == "expense",
        Transaction.source != "recurring",
        Transaction.source_kind.is_(None),
        Transaction.date >= first,
        Transaction.date < this_month,
        or_(
            Transaction.category_id.is_(None),
            ~Transaction.category_id.in_([c for c in recurring if c is not None] or [-1]),
        ),
    )
    require_rates(session, base, *where)
    rows = session.execute(
        select(Transaction.category_id, month.label("month"), func.sum(in_base(base)))
        .where(*where)
        .group_by(Transaction.category_id, month)
    ).all()
    names = {
        row.id: row.name
        for row in session.execute(
            select(Category.id, Category.name).where(Category.household_id == household_id)
        )
    }
    by_category: dict[int | None, dict[date, Decimal]] = defaultdict(dict)
    for category_id, start, total in rows:
        by_category[category_id][start] = total
    months = [date(*add_months(first.year, first.month, k), 1) for k in range(HISTORY_MONTHS)]
    return [
        CategoryHistory(
            category_id,
            names.get(category_id, "Uncategorised") if category_id else "Uncategorised",
            tuple(totals.get(m, ZERO) for m in months),
        )
        for category_id, totals in sorted(by_category.items(), key=lambda kv: kv[0] or 0)
    ]


def has_any_data(session: Session, household_id: int) -> bool:
    """Whether the household has a transaction, a balance reading or a recurring source."""
    owned = union_all(
        *(
            select(table.id).where(table.household_id == household_id).limit(1)
            for table in (Transaction, BalanceRecord, FixedItem, InstallmentPlan, Loan)
        )
    )
    return bool(session.scalar(select(exists(owned))))
