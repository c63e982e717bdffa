"""The page both endpoints serve: a year of expenses, newest first, 50 rows, and its count."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import Select, create_engine

from domain.db.ledger import count_query, page_query
from domain.rules.categories import FlowType
from domain.rules.ledger import LedgerFilter, SortKey

PAGE_ENV = "BENCH_PAGE"
SORT: SortKey = "-date"


@dataclass(frozen=True)
class PageSpec:
    """The filtered page under test, as the list endpoint's query string describes it."""

    household_id: int
    date_from: date
    date_to: date  # inclusive, as in the API
    type: FlowType = "expense"
    limit: int = 50

    @classmethod
    def last_year(cls, household_id: int, last_day: date) -> PageSpec:
        """The household's expenses of the year that ends on `last_day`."""
        return cls(household_id, last_day - timedelta(days=364), last_day)

    def query_string(self) -> str:
        """The list endpoint's query string."""
        params = {
            "date_from": self.date_from.isoformat(),
            "date_to": self.date_to.isoformat(),
            "type": self.type,
            "sort": SORT,
            "limit": self.limit,
        }
        return urlencode(params)

    def to_env(self) -> str:
        """The spec as an environment value for the baseline's processes."""
        return json.dumps(asdict(self), default=str)

    @classmethod
    def from_env(cls, value: str) -> PageSpec:
        """Read a spec written by `to_env`."""
        data = json.loads(value)
        data["date_from"] = date.fromisoformat(data["date_from"])
        data["date_to"] = date.fromisoformat(data["date_to"])
        return cls(**data)


def ledger_filter(spec: PageSpec) -> LedgerFilter:
    """The domain filter the list endpoint builds from the spec's query string."""
    return LedgerFilter(
        start=spec.date_from,
        end=spec.date_to + timedelta(days=1),
        type=spec.type,
    )


def page_statement(spec: PageSpec) -> Select[Any]:
    """The list endpoint's page statement for the spec, built by the domain's own query."""
    return page_query(spec.household_id, ledger_filter(spec), SORT, spec.limit, 0)


def count_statement(spec: PageSpec) -> Select[Any]:
    """The list endpoint's count statement for the spec, built by the domain's own query."""
    return count_query(spec.household_id, ledger_filter(spec))


def psycopg_sql(statement: Select[Any]) -> tuple[str, dict[str, Any]]:
    """A statement's SQL and parameters, exactly as SQLAlchemy hands them to psycopg."""
    dialect = create_engine("postgresql+psycopg://").dialect  # no connection is opened
    compiled = statement.compile(dialect=dialect)
    return str(compiled), dict(compiled.params)


def compiled_page_sql(spec: PageSpec) -> tuple[str, dict[str, Any]]:
    """The list endpoint's page SQL and parameters for the spec."""
    return psycopg_sql(page_statement(spec))


def compiled_count_sql(spec: PageSpec) -> tuple[str, dict[str, Any]]:
    """The list endpoint's count SQL and parameters for the spec."""
    return psycopg_sql(count_statement(spec))
