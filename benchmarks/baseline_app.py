"""The baseline: the list endpoint's page and count queries through plain psycopg, unvalidated.

Served like the API (`python -m benchmarks.serve benchmarks.baseline_app:create_app`); it
reads DATABASE_URL and the page spec from the environment. It runs the very SQL the endpoint
runs for its data (compiled from the domain's `page_query`, whose rows carry the filter's
count, and `count_query` only when the page is empty, as `fetch_page` does), but no
authentication, no SQLAlchemy, no pydantic: what is left is the floor the list endpoint is
compared with.
"""

from __future__ import annotations

import json
import os
import queue
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg.rows import DictRow, dict_row
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from benchmarks.page import PAGE_ENV, PageSpec, compiled_count_sql, compiled_page_sql
from domain.db.engine import libpq_url


class ConnectionPool:
    """A few psycopg connections for the threadpool, opened on demand and reused."""

    def __init__(self, conninfo: str) -> None:
        self._conninfo = conninfo
        self._idle: queue.LifoQueue[psycopg.Connection[DictRow]] = queue.LifoQueue()

    @contextmanager
    def connection(self) -> Iterator[psycopg.Connection[DictRow]]:
        """Borrow a connection for one request."""
        try:
            conn = self._idle.get_nowait()
        except queue.Empty:
            conn = psycopg.connect(self._conninfo, autocommit=True, row_factory=dict_row)
        try:
            yield conn
        finally:
            self._idle.put(conn)


def _page_endpoint(pool: ConnectionPool, spec: PageSpec) -> Any:
    """The one route: run the page query and the count query, dump the rows as they come."""
    page_sql, page_params = compiled_page_sql(spec)
    count_sql, count_params = compiled_count_sql(spec)

    def page(request: Request) -> Response:
        with pool.connection() as conn:
            rows = conn.execute(page_sql, page_params).fetchall()
            if rows:
                total = int(rows[0]["total"])
            else:
                found = conn.execute(count_sql, count_params).fetchone() or {"count": 0}
                total = int(next(iter(found.values())))
        body = {"items": rows, "total": total, "limit": spec.limit, "offset": 0}
        return Response(json.dumps(body, default=str), media_type="application/json")

    return page


def health(request: Request) -> Response:
    """Readiness probe."""
    return Response('{"status":"healthy"}', media_type="application/json")


def create_app() -> Starlette:
    """Build the baseline app from DATABASE_URL and the page spec in the environment."""
    pool = ConnectionPool(libpq_url(os.environ["DATABASE_URL"]))
    spec = PageSpec.from_env(os.environ[PAGE_ENV])
    routes = [Route("/page", _page_endpoint(pool, spec)), Route("/health", health)]
    return Starlette(routes=routes)
