"""Read-model queries over the ledger: filtered pages and totals, aggregated in SQL."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, or_, select
from sqlalchemy.orm import Session

from domain.db.currency import in_base, require_rates
from domain.db.models import Transaction
from domain.rules.ledger import LedgerFilter, SortKey, Totals
from domain.rules.money import ZERO

T = Transaction.__table__.c
LIST_COLUMNS = (
    T.id,
    T.account_id,
    T.date,
    T.amount,
    T.type,
    T.category_id,
    T.description,
    T.notes,
    T.currency,
    T.original_amount,
    T.original_currency,
    T.source,
    T.source_kind,
    T.source_id,
    T.created_at,
    T.updated_at,
)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def filter_conditions(household_id: int, spec: LedgerFilter) -> list[ColumnElement[bool]]:
    """The WHERE clause of a filter, always scoped to the household."""
    conditions: list[ColumnElement[bool]] = [T.household_id == household_id]
    if spec.start is not None:
        conditions.append(T.date >= spec.start)
    if spec.end is not None:
        conditions.append(T.date < spec.end)
    if spec.category_ids and spec.uncategorised:
        conditions.append(or_(T.category_id.in_(spec.category_ids), T.category_id.is_(None)))
    elif spec.category_ids:
        conditions.append(T.category_id.in_(spec.category_ids))
    elif spec.uncategorised:
        conditions.append(T.category_id.is_(None))
    if spec.type is not None:
        conditions.append(T.type == spec.type)
    if spec.account_id is not None:
        conditions.append(T.account_id == spec.account_id)
    if spec.min_amount is not None:
        conditions.append(T.amount >= spec.min_amount)
    if spec.max_amount is not None:
        conditions.append(T.amount <= spec.max_amount)
    if spec.text:
        pattern = f"%{_escape_like(spec.text)}%"
        conditions.append(
            or_(T.description.ilike(pattern, escape="\\"), T.notes.ilike(pattern, escape="\\"))
        )
    return conditions


def _ordering(sort: SortKey) -> list[Any]:
    column = T[sort.removeprefix("-")]
    if sort.startswith("-"):
        return [column.desc(), T.id.desc()]
    return [column.asc(), T.id.asc()]


def count_query(household_id: int, spec: LedgerFilter) -> Select[Any]:
    """How many rows the filter matches (no row is materialised)."""
    return (
        select(func.count()).select_from(Transaction).where(*filter_conditions(household_id, spec))
    )


def page_query(
    household_id: int, spec: LedgerFilter, sort: SortKey, limit: int, offset: int
) -> Select[Any]:
    """One page of rows, with the filter's count beside them in the same round trip.

    The count is an uncorrelated scalar subquery, which PostgreSQL runs once (an
    InitPlan), unlike `count(*) OVER ()`, which materialises every matching row.
    """
    return (
        select(*LIST_COLUMNS, count_query(household_id, spec).scalar_subquery().label("total"))
        .where(and_(*filter_conditions(household_id, spec)))
        .order_by(*_ordering(sort))
        .limit(limit)
        .offset(offset)
    )


def fetch_page(
    session: Session,
    household_id: int,
    spec: LedgerFilter,
    *,
    sort: SortKey,
    limit: int,
    offset: int,
) -> tuple[Sequence[Any], int]:
    """Rows of one page and the total count of the filter (one statement unless empty)."""
    rows = session.execute(page_query(household_id, spec, sort, limit, offset)).all()
    if rows:
        return rows, int(rows[0].total)
    return rows, int(session.scalar(count_query(household_id, spec)) or 0)


def fetch_totals(session: Session, household_id: int, spec: LedgerFilter, *, base: str) -> Totals:
    """Income, expenses and count of the filter in the base currency, summed in NUMERIC."""
    conditions = filter_conditions(household_id, spec)
    require_rates(session, base, *conditions)
    amount = in_base(base)
    income = func.coalesce(func.sum(case((T.type == "income", amount))), ZERO)
    expense = func.coalesce(func.sum(case((T.type == "expense", amount))), ZERO)
    row = session.execute(select(income, expense, func.count()).where(*conditions)).one()
    return Totals(income=row[0], expense=row[1], count=int(row[2]))
