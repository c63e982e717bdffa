"""Engine and session factory: one pool per process, one session per unit of work."""

from __future__ import annotations

import logging
import select
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, make_url, text
from sqlalchemy.exc import DisconnectionError, OperationalError
from sqlalchemy.orm import ORMExecuteState, Session, sessionmaker

from domain.db import actors  # noqa: F401 - registers the actor listener on every session
from domain.db.auth_events import announce_auth_writes
from domain.errors import DomainError

STATEMENT_TIMEOUT_MS = 30_000
SLOW_QUERY_SECONDS = 1.0
PING_AFTER_IDLE_SECONDS = 30.0
"""A pooled connection idle this long is pinged before use; a busy one is proved otherwise."""
slow_log = logging.getLogger("cashflow.slow_query")


def _watch_slow_queries(engine: Engine) -> None:
    """Log every statement that takes longer than a second (its text, never its values)."""

    @event.listens_for(engine, "before_cursor_execute")
    def _start(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        conn.info.setdefault("query_started", []).append(time.perf_counter())

    @event.listens_for(engine, "after_cursor_execute")
    def _end(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        note_duration(statement, conn.info["query_started"].pop())


def note_duration(statement: str, started: float) -> None:
    """Log a statement that took longer than a second since `started` (never its values)."""
    seconds = time.perf_counter() - started
    if seconds > SLOW_QUERY_SECONDS:
        slow_log.warning(
            "slow query", extra={"seconds": round(seconds, 3), "statement": statement[:2000]}
        )


def libpq_url(url: str) -> str:
    """A SQLAlchemy URL as a libpq connection URI (for psycopg and the pg_* tools)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _socket_has_news(fileno: int) -> bool:
    """Whether an idle connection's socket is readable: the server closed it, or spoke first."""
    poller = select.poll()
    poller.register(fileno, select.POLLIN | select.POLLERR | select.POLLHUP)
    return bool(poller.poll(0))


def _prove_on_checkout(engine: Engine) -> None:
    """Ping a pooled connection only when it may be dead, instead of on every checkout.

    A connection back from a request was proved by that request's round trips (and by the
    pool's reset, a rollback, when it held a transaction). It can only have died since if
    the server closed it, and a closed socket reads as readable, as does a server's last
    word before it goes (a FATAL on shutdown or termination): an idle connection is
    otherwise silent. So the ping is kept for a readable socket and for a connection idle
    over PING_AFTER_IDLE_SECONDS (a path that died without a word); a failed ping makes
    the pool connect afresh, as `pool_pre_ping` did.
    """

    @event.listens_for(engine, "checkin")
    def _returned(dbapi_connection: Any, record: Any) -> None:
        record.info["returned_at"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checkout(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        if dbapi_connection.closed:
            raise DisconnectionError("the pooled connection is closed")
        idle = time.monotonic() - record.info.get("returned_at", float("-inf"))
        if idle < PING_AFTER_IDLE_SECONDS and not _socket_has_news(dbapi_connection.fileno()):
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as exc:
            raise DisconnectionError("the pooled connection is gone") from exc


def create_db_engine(url: str, *, echo: bool = False) -> Engine:
    """Create the process's engine with the pool and timeouts the product runs with."""
    engine = create_engine(
        url,
        echo=echo,
        pool_size=10,
        max_overflow=20,
        pool_recycle=3600,
        connect_args={"options": f"-c statement_timeout={STATEMENT_TIMEOUT_MS}"},
    )
    _prove_on_checkout(engine)
    _watch_slow_queries(engine)
    announce_auth_writes(engine)
    return engine


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that never expire objects on commit (adapters read them afterwards)."""
    return sessionmaker(bind=engine, expire_on_commit=False)


class ReadOnlyUnitError(RuntimeError):
    """A unit of work declared read-only tried to write."""


def _refuse_flush(session: Session, *args: Any) -> None:
    if session.new or session.dirty or session.deleted:
        raise ReadOnlyUnitError("a read-only unit of work cannot write")


def _refuse_write(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        raise ReadOnlyUnitError("a read-only unit of work cannot write")


def make_read_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions for units of work that only read, sharing the engine's pool.

    They run in autocommit: each statement is its own snapshot and there is no BEGIN and
    no COMMIT to send, so closing one does no I/O. Writing through one is refused before
    anything reaches the database (autocommit would otherwise make each write permanent
    on its own, outside any unit of work).
    """
    factory = sessionmaker(
        bind=engine.execution_options(isolation_level="AUTOCOMMIT"), expire_on_commit=False
    )
    event.listen(factory, "before_flush", _refuse_flush)
    event.listen(factory, "do_orm_execute", _refuse_write)
    return factory


@contextmanager
def read_connection(factory: sessionmaker[Session]) -> Iterator[Connection]:
    """A connection for one read that needs no Session: straight from the factory's pool.

    A Session costs more than the ledger's hottest statement takes to run; a read-only
    factory's engine hands out autocommit connections. A factory bound to a connection
    (a test's, inside its transaction) lends that connection through a session instead.
    """
    bind = factory.kw.get("bind")
    if isinstance(bind, Engine):
        with bind.connect() as conn:
            yield conn
        return
    with factory() as session:
        yield session.connection()


def driver_rows(
    connection: Connection, statement: str, values: Mapping[str, Any]
) -> list[tuple[Any, ...]]:
    """Run compiled SQL on the driver's own cursor: the rows as psycopg reads them.

    For the hottest read only: no SQLAlchemy result is built around the rows. The
    statement is timed (and logged when slow) like any other, and a connection the
    failure broke is invalidated so the pool never hands it out again.
    """
    driver: Any = connection.connection.driver_connection
    started = time.perf_counter()
    try:
        with driver.cursor() as cursor:
            rows: list[tuple[Any, ...]] = cursor.execute(statement, values).fetchall()
    except Exception:
        if driver.closed or driver.broken:
            connection.invalidate()
        raise
    note_duration(statement, started)
    return rows


def wait_for_database(engine: Engine, *, seconds: float = 10.0) -> None:
    """Retry the first connection: a server that just crashed lingers about a second."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            return
        except OperationalError:
            if time.monotonic() >= deadline:
                raise
            time.sleep(0.25)


def database_ok(engine: Engine) -> bool:
    """Tell whether the database answers a trivial query."""
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except OperationalError:
        return False
    return True


def end_unit_of_work(session: Session, error: BaseException | None) -> None:
    """Commit or roll back, then close: the end of every unit of work.

    A domain error raised with `keep_changes` (a failed login to count, a reused
    token to revoke) is committed before it propagates.
    """
    try:
        keep = isinstance(error, DomainError) and error.keep_changes
        if error is None or keep:
            session.commit()
        else:
            session.rollback()
    finally:
        session.close()


@contextmanager
def unit_of_work(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on failure."""
    session = factory()
    try:
        yield session
    except BaseException as exc:
        end_unit_of_work(session, exc)
        raise
    end_unit_of_work(session, None)
