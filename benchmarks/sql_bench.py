"""The page query alone, with and without its window count, to show where the time goes."""

from __future__ import annotations

import statistics
import time
from collections.abc import Mapping
from typing import Any

import psycopg
from sqlalchemy import Select

from benchmarks.environment import libpq_url
from benchmarks.page import SORT, PageSpec, page_statement, psycopg_sql
from domain.db.ledger import LIST_COLUMNS, page_query
from domain.rules.ledger import LedgerFilter

EXECUTIONS = 20
WARM_UPS = 6  # past psycopg's prepare threshold, as in a long-running server


def page_variants(spec: PageSpec) -> dict[str, Select[Any]]:
    """The bench page and the unfiltered ledger's first page, as the list endpoint runs them."""
    return {
        "year of expenses": page_statement(spec),
        "whole ledger": page_query(spec.user_id, LedgerFilter(), SORT, spec.limit, 0),
    }


def without_count(statement: Select[Any]) -> Select[Any]:
    """The same page without its count(*) OVER () column."""
    return statement.with_only_columns(*LIST_COLUMNS)


def _run(conn: psycopg.Connection[Any], sql: str, params: Mapping[str, Any], times: int) -> float:
    started = time.perf_counter()
    for _ in range(times):
        conn.execute(sql, params).fetchall()
    return (time.perf_counter() - started) / times


def time_queries(
    url: str, statements: Mapping[str, Select[Any]], *, rounds: int
) -> dict[str, tuple[float, float]]:
    """Median seconds per execution of each statement with and without its count, interleaved."""
    compiled = {}
    for label, statement in statements.items():
        compiled[label] = psycopg_sql(statement)
        compiled[f"{label}/no count"] = psycopg_sql(without_count(statement))
    samples: dict[str, list[float]] = {label: [] for label in compiled}
    with psycopg.connect(libpq_url(url), autocommit=True) as conn:
        for sql, params in compiled.values():
            _run(conn, sql, params, WARM_UPS)
        for _ in range(rounds):
            for label, (sql, params) in compiled.items():
                samples[label].append(_run(conn, sql, params, EXECUTIONS))
    medians = {label: statistics.median(values) for label, values in samples.items()}
    return {label: (medians[label], medians[f"{label}/no count"]) for label in statements}
