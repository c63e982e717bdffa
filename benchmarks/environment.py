"""The benchmark's database and the environment its processes share."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass

import psycopg
from psycopg import sql
from sqlalchemy import make_url

from cashflow.embedded import embedded_database, ensure_database
from domain.config import PROJECT_ROOT, Settings, get_settings
from domain.db.engine import libpq_url

EMBEDDED_PGDATA = PROJECT_ROOT / ".data" / "pg-bench"
EMBEDDED_NAME = "cashflow_bench"
# The booking pass's 10,000 users live apart, so that they never slow the ledger's figures.
EMBEDDED_BOOKING_NAME = "cashflow_bench_booking"
# A throwaway key for a throwaway database; tokens live long enough for the whole run.
BENCH_ENV = {
    "SECRET_KEY": "benchmark-secret-key-long-enough-for-hs256-signing",
    "BCRYPT_ROUNDS": "4",
    "ACCESS_TOKEN_EXPIRE_MINUTES": "600",
}


@contextmanager
def _throwaway_database(configured: str) -> Iterator[str]:
    """A fresh database beside the one DATABASE_URL names, dropped afterwards."""
    base = make_url(configured)
    name = f"cashflow_bench_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = libpq_url(base.set(database="postgres").render_as_string(hide_password=False))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
            conn.execute(drop.format(sql.Identifier(name)))


@dataclass(frozen=True)
class BenchDatabases:
    """The URLs of the ledger's database and of the booking pass's, on one server."""

    ledger: str
    booking: str


@contextmanager
def bench_databases() -> Iterator[BenchDatabases]:
    """Databases beside DATABASE_URL's, or the embedded ones kept (with their data) between runs."""
    configured = os.environ.get("DATABASE_URL")
    if configured:
        with ExitStack() as stack:
            ledger = stack.enter_context(_throwaway_database(configured))
            booking = stack.enter_context(_throwaway_database(configured))
            yield BenchDatabases(ledger, booking)
        return
    with embedded_database(EMBEDDED_PGDATA, name=EMBEDDED_NAME) as url:
        ensure_database(url, EMBEDDED_BOOKING_NAME)
        sibling = make_url(url).set(database=EMBEDDED_BOOKING_NAME)
        yield BenchDatabases(url, sibling.render_as_string(hide_password=False))


def configure(url: str) -> Settings:
    """Point this process at the bench database and return fresh settings."""
    os.environ.update(DATABASE_URL=url, **BENCH_ENV)
    get_settings.cache_clear()
    return get_settings()


def server_env(url: str, **extra: str) -> dict[str, str]:
    """The environment of a server process under test."""
    return {**os.environ, "DATABASE_URL": url, **BENCH_ENV, **extra}


@contextmanager
def side_database(ledger_url: str, purpose: str) -> Iterator[str]:
    """A database of its own beside the ledger's, named for its purpose.

    On the embedded server it is kept between runs (`cashflow_bench_<purpose>`); beside an
    external database (`<database>_<purpose>`) it is dropped after.
    """
    ledger = make_url(ledger_url)
    kept = ledger.database == EMBEDDED_NAME
    name = f"{EMBEDDED_NAME}_{purpose}" if kept else f"{ledger.database}_{purpose}"
    with psycopg.connect(libpq_url(ledger_url), autocommit=True) as conn:
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if found is None:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield ledger.set(database=name).render_as_string(hide_password=False)
    finally:
        if not kept:
            with psycopg.connect(libpq_url(ledger_url), autocommit=True) as conn:
                drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
                conn.execute(drop.format(sql.Identifier(name)))
