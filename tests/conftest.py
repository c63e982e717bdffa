"""Fixtures: a migrated throwaway database, rolled-back sessions, an API client, users."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import psycopg
import pytest
from fastapi.testclient import TestClient
from psycopg import sql
from sqlalchemy import Connection, Engine, delete, make_url, select
from sqlalchemy.orm import Session, sessionmaker

from api.app import create_app
from cashflow.embedded import embedded_database
from domain.config import PROJECT_ROOT, Settings, get_settings
from domain.db.engine import create_db_engine, libpq_url
from domain.db.migrate import upgrade_database
from domain.db.models import Household, Membership, User
from domain.services import auth, households, users

TEST_SECRET = "test-secret-key-that-is-long-enough-for-hs256-signing"
PASSWORD = "correct horse battery"


@contextmanager
def _external_database(configured: str) -> Iterator[str]:
    """A fresh database beside the one DATABASE_URL names, dropped afterwards."""
    base = make_url(configured)
    name = f"cashflow_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = base.set(database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(libpq_url(admin), autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(libpq_url(admin), autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


@contextmanager
def _embedded_test_database() -> Iterator[str]:
    """A fresh database on the embedded server kept under .data/pg-test."""
    name = f"cashflow_test_{uuid.uuid4().hex[:6]}"
    with embedded_database(PROJECT_ROOT / ".data" / "pg-test", name=name) as url:
        try:
            yield url
        finally:
            admin = make_url(url).set(database="postgres").render_as_string(hide_password=False)
            with psycopg.connect(libpq_url(admin), autocommit=True) as conn:
                conn.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
                )


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    """A migrated database for this run: beside DATABASE_URL's, or on the embedded server."""
    configured = os.environ.get("DATABASE_URL")
    manager = _external_database(configured) if configured else _embedded_test_database()
    with manager as url:
        upgrade_database(url)
        saved = {
            key: os.environ.get(key)
            for key in (
                "DATABASE_URL",
                "SECRET_KEY",
                "BCRYPT_ROUNDS",
                "DEFAULT_LANGUAGE",
                "REGISTRATION",
            )
        }
        # Tests read English words unless they make a Hebrew user themselves; they sign
        # people up freely (test_signup covers the other modes).
        os.environ.update(
            DATABASE_URL=url,
            SECRET_KEY=TEST_SECRET,
            BCRYPT_ROUNDS="4",
            DEFAULT_LANGUAGE="en",
            REGISTRATION="open",
        )
        get_settings.cache_clear()
        try:
            yield url
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
            get_settings.cache_clear()


@pytest.fixture(scope="session")
def settings(database_url: str) -> Settings:
    """Settings pointing at the test database, with cheap bcrypt."""
    return get_settings()


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    """The test run's engine."""
    engine = create_db_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    """A connection inside a transaction that is rolled back after the test."""
    with engine.connect() as conn:
        outer = conn.begin()
        try:
            yield conn
        finally:
            outer.rollback()


@pytest.fixture
def session_factory(connection: Connection) -> sessionmaker[Session]:
    """Sessions whose commits only release savepoints of the rolled-back transaction."""
    return sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )


@pytest.fixture
def session(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session for domain tests; everything it writes is rolled back."""
    with session_factory() as session:
        yield session


@pytest.fixture
def client(settings: Settings, session_factory: sessionmaker[Session]) -> Iterator[TestClient]:
    """The API over HTTP (ASGI), its units of work inside the test's transaction."""
    app = create_app(settings)
    app.state.session_factory = app.state.read_session_factory = session_factory
    with TestClient(app) as client:
        yield client
    app.state.engine.dispose()


def make_user(session: Session, settings: Settings, username: str | None = None) -> User:
    """A user with the standard test password."""
    name = username or f"user_{uuid.uuid4().hex[:8]}"
    user = users.create_user(session, settings, username=name, password=PASSWORD)
    session.flush()
    return user


def bearer(settings: Settings, user: User) -> dict[str, str]:
    """Authorization headers with a fresh access token for the user."""
    pair = auth.issue_pair(settings, user, datetime.now(UTC))
    return {"Authorization": f"Bearer {pair.access.token}"}


def forget_people(engine: Engine, ids: list[int]) -> None:
    """Delete committed people and every household one of them owns (with its money)."""
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    with factory() as session, session.begin():
        owned = select(Membership.household_id).where(
            Membership.user_id.in_(ids), Membership.role == "owner"
        )
        session.execute(delete(Household).where(Household.id.in_(owned)))
        session.execute(delete(User).where(User.id.in_(ids)))


@pytest.fixture
def committed_people(engine: Engine, settings: Settings) -> Iterator[Callable[[], User]]:
    """Make people committed for real (for processes outside the test's transaction).

    Each gets a personal household; at the end they and their households are deleted.
    """
    made: list[int] = []
    factory = sessionmaker(bind=engine, expire_on_commit=False)

    def make() -> User:
        with factory() as session, session.begin():
            person = make_user(session, settings)
        made.append(person.id)
        return person

    yield make
    forget_people(engine, made)


@pytest.fixture
def committed_user(committed_people: Callable[[], User]) -> User:
    """A user committed for real (for processes outside the test's transaction), then deleted."""
    return committed_people()


@pytest.fixture
def user(session: Session, settings: Settings) -> User:
    """A user visible to the API client (its commits release savepoints of the test)."""
    created = make_user(session, settings)
    session.commit()
    return created


def home_of(session: Session, user: User) -> Household:
    """The household a user's requests act in by default (their personal one, at first)."""
    return households.open_scope(session, user).household


@pytest.fixture
def household(session: Session, user: User) -> Household:
    """`user`'s personal household: the owner of the money the tests record."""
    return home_of(session, user)


@pytest.fixture
def headers(settings: Settings, user: User) -> dict[str, str]:
    """Bearer headers for `user`."""
    return bearer(settings, user)
