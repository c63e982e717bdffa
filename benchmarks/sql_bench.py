"""The list endpoint's page query and count query alone, to show where the time goes."""

from __future__ import annotations

import statistics
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import psycopg
from sqlalchemy import Select

from benchmarks.page import SORT, PageSpec, count_statement, page_statement, psycopg_sql
from domain.db.engine import libpq_url
from domain.db.ledger import count_query, page_query
from domain.rules.ledger import LedgerFilter

EXECUTIONS = 20
WARM_UPS = 6  # past psycopg's prepare threshold, as in a long-running server


@dataclass(frozen=True)
class QueryPair:
    """The two statements the list endpoint runs for one filter's first page."""

    page: Select[Any]
    count: Select[Any]


@dataclass(frozen=True)
class PairTiming:
    """Median seconds per execution of the page query and of the count query."""

    page: float
    count: float


def page_variants(spec: PageSpec) -> dict[str, QueryPair]:
    """The bench page and the unfiltered ledger's first page, as the list endpoint runs them."""
    whole = LedgerFilter()
    return {
        "year of expenses": QueryPair(page_statement(spec), count_statement(spec)),
        "whole ledger": QueryPair(
            page_query(spec.household_id, whole, SORT, spec.limit, 0),
            count_query(spec.household_id, whole),
        ),
    }


def _run(conn: psycopg.Connection[Any], sql: str, params: Mapping[str, Any], times: int) -> float:
    """Mean seconds of `times` sequential executions."""
    started = time.perf_counter()
    for _ in range(times):
        conn.execute(sql, params).fetchall()
    return (time.perf_counter() - started) / times


def _compiled(pairs: Mapping[str, QueryPair]) -> dict[tuple[str, str], tuple[str, dict[str, Any]]]:
    """Every statement's SQL and parameters, keyed by (variant, "page" or "count")."""
    compiled = {}
    for label, pair in pairs.items():
        compiled[label, "page"] = psycopg_sql(pair.page)
        compiled[label, "count"] = psycopg_sql(pair.count)
    return compiled


def time_queries(url: str, pairs: Mapping[str, QueryPair], *, rounds: int) -> dict[str, PairTiming]:
    """Median seconds per execution of each page query and count query, interleaved."""
    compiled = _compiled(pairs)
    samples: dict[tuple[str, str], list[float]] = {key: [] for key in compiled}
    with psycopg.connect(libpq_url(url), autocommit=True) as conn:
        for sql, params in compiled.values():
            _run(conn, sql, params, WARM_UPS)
        for _ in range(rounds):
            for key, (sql, params) in compiled.items():
                samples[key].append(_run(conn, sql, params, EXECUTIONS))
    median = {key: statistics.median(values) for key, values in samples.items()}
    return {label: PairTiming(median[label, "page"], median[label, "count"]) for label in pairs}
