"""Engine and session factory: one pool per process, one session per unit of work."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from domain.errors import DomainError

STATEMENT_TIMEOUT_MS = 30_000


def create_db_engine(url: str, *, echo: bool = False) -> Engine:
    """Create the process's engine with the pool and timeouts the product runs with."""
    return create_engine(
        url,
        echo=echo,
        pool_size=10,
        max_overflow=20,
        pool_recycle=3600,
        pool_pre_ping=True,
        connect_args={"options": f"-c statement_timeout={STATEMENT_TIMEOUT_MS}"},
    )


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that never expire objects on commit (adapters read them afterwards)."""
    return sessionmaker(bind=engine, expire_on_commit=False)


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


@contextmanager
def unit_of_work(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on failure.

    A domain error raised with `keep_changes` (a failed login to count, a reused
    token to revoke) is committed before it propagates.
    """
    session = factory()
    try:
        yield session
        session.commit()
    except DomainError as exc:
        if exc.keep_changes:
            session.commit()
        else:
            session.rollback()
        raise
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
