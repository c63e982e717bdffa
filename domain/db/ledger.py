"""Read-model queries over the ledger: filtered pages and totals, aggregated in SQL.

Every value of a filter is a named bind parameter, so the SQL of a page depends only on its
shape (which filters are set, and the sort): `fetch_page_rows` compiles each shape once per
process and then only fills in the values, as a hand-written query would.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    BigInteger,
    BindParameter,
    ColumnElement,
    Connection,
    Select,
    and_,
    any_,
    bindparam,
    case,
    func,
    or_,
    select,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql.psycopg import PGDialect_psycopg
from sqlalchemy.orm import Session

from domain.db.currency import in_base, require_rates
from domain.db.engine import driver_rows
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
LIST_NAMES = tuple(column.name for column in LIST_COLUMNS)
"""The names of a page row's columns, in order; the filter's count follows them."""


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _text_pattern(spec: LedgerFilter) -> str | None:
    return f"%{_escape_like(spec.text)}%" if spec.text else None


def _bind(name: str, value: Any, column: ColumnElement[Any]) -> BindParameter[Any]:
    """A named bind of the column's own type (so its cast is the column's, not the value's)."""
    return bindparam(name, value, type_=column.type)


def filter_conditions(household_id: int, spec: LedgerFilter) -> list[ColumnElement[bool]]:
    """The WHERE clause of a filter, always scoped to the household (named binds)."""
    conditions: list[ColumnElement[bool]] = [
        T.household_id == _bind("household_id", household_id, T.household_id)
    ]
    if spec.start is not None:
        conditions.append(T.date >= _bind("start", spec.start, T.date))
    if spec.end is not None:
        conditions.append(T.date < _bind("end", spec.end, T.date))
    if spec.category_ids:
        ids = bindparam("category_ids", list(spec.category_ids), type_=ARRAY(T.category_id.type))
        chosen = T.category_id == any_(ids)
        conditions.append(or_(chosen, T.category_id.is_(None)) if spec.uncategorised else chosen)
    elif spec.uncategorised:
        conditions.append(T.category_id.is_(None))
    if spec.type is not None:
        conditions.append(T.type == _bind("type", spec.type, T.type))
    if spec.account_id is not None:
        conditions.append(T.account_id == _bind("account_id", spec.account_id, T.account_id))
    if spec.min_amount is not None:
        conditions.append(T.amount >= _bind("min_amount", spec.min_amount, T.amount))
    if spec.max_amount is not None:
        conditions.append(T.amount <= _bind("max_amount", spec.max_amount, T.amount))
    if spec.text:
        pattern = _bind("text", _text_pattern(spec), T.description)
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
        .limit(bindparam("limit", limit, type_=BigInteger))
        .offset(bindparam("offset", offset, type_=BigInteger))  # up to the API's bigint bound
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


@dataclass(frozen=True)
class _Shape:
    """What decides a page's SQL: the filters set, and the sort."""

    start: bool
    end: bool
    categories: bool
    uncategorised: bool
    type: bool
    account: bool
    min_amount: bool
    max_amount: bool
    text: bool
    sort: SortKey

    @classmethod
    def of(cls, spec: LedgerFilter, sort: SortKey) -> _Shape:
        return cls(
            start=spec.start is not None,
            end=spec.end is not None,
            categories=bool(spec.category_ids),
            uncategorised=spec.uncategorised,
            type=spec.type is not None,
            account=spec.account_id is not None,
            min_amount=spec.min_amount is not None,
            max_amount=spec.max_amount is not None,
            text=bool(spec.text),
            sort=sort,
        )


# Compiles only, never connects; SQLAlchemy leaves the dialect's constructor untyped.
_DIALECT = PGDialect_psycopg()  # type: ignore[no-untyped-call]


@lru_cache(maxsize=512)
def _compiled(shape: _Shape) -> tuple[str, str]:
    """The page's and the count's SQL for a shape, with psycopg's named placeholders."""
    spec = _representative(shape)
    page = page_query(0, spec, shape.sort, 1, 0).compile(dialect=_DIALECT)
    count = count_query(0, spec).compile(dialect=_DIALECT)
    return str(page), str(count)


def _values(household_id: int, spec: LedgerFilter, limit: int, offset: int) -> dict[str, Any]:
    """Every named bind a page may use; psycopg takes those its SQL names."""
    return {
        "household_id": household_id,
        "start": spec.start,
        "end": spec.end,
        "category_ids": list(spec.category_ids),
        "type": spec.type,
        "account_id": spec.account_id,
        "min_amount": spec.min_amount,
        "max_amount": spec.max_amount,
        "text": _text_pattern(spec),
        "limit": limit,
        "offset": offset,
    }


def fetch_page_rows(
    connection: Connection,
    household_id: int,
    spec: LedgerFilter,
    *,
    sort: SortKey,
    limit: int,
    offset: int,
) -> tuple[list[tuple[Any, ...]], int]:
    """`fetch_page` as plain tuples (LIST_NAMES, then the count), through SQL compiled once.

    The same statements as `page_query` and `count_query`, run on the driver's cursor
    with no statement built per call and no result processing: the values come as
    psycopg reads them (Decimal, date, datetime, str, int).
    """
    page_sql, count_sql = _compiled(_Shape.of(spec, sort))
    values = _values(household_id, spec, limit, offset)
    rows = driver_rows(connection, page_sql, values)
    if rows:
        return rows, int(rows[0][-1])
    return rows, int(driver_rows(connection, count_sql, values)[0][0])


def _representative(shape: _Shape) -> LedgerFilter:
    """A filter of the shape (its values never reach the SQL: every value is a bind)."""
    return LedgerFilter(
        start=date.min if shape.start else None,
        end=date.min if shape.end else None,
        category_ids=(0,) if shape.categories else (),
        type="expense" if shape.type else None,
        min_amount=ZERO if shape.min_amount else None,
        max_amount=ZERO if shape.max_amount else None,
        text="x" if shape.text else None,
        uncategorised=shape.uncategorised,
        account_id=0 if shape.account else None,
    )


def fetch_totals(session: Session, household_id: int, spec: LedgerFilter, *, base: str) -> Totals:
    """Income, expenses and count of the filter in the base currency, summed in NUMERIC."""
    conditions = filter_conditions(household_id, spec)
    require_rates(session, base, *conditions)
    amount = in_base(base)
    income = func.coalesce(func.sum(case((T.type == "income", amount))), ZERO)
    expense = func.coalesce(func.sum(case((T.type == "expense", amount))), ZERO)
    row = session.execute(select(income, expense, func.count()).where(*conditions)).one()
    return Totals(income=row[0], expense=row[1], count=int(row[2]))
