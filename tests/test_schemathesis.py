"""schemathesis over the whole OpenAPI schema, in process, with a fixed seed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, seed
from hypothesis import settings as hypothesis_settings
from pydantic import SecretStr
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy.orm import Session, sessionmaker

from api.app import create_app
from domain.config import Settings
from domain.db.engine import create_db_engine
from domain.db.models import User
from tests.conftest import bearer, make_user

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


# The schema is generated at collection time, before any database exists: the app is
# built on a placeholder URL and pointed at the test transaction by `live_app`.
APP = create_app(
    Settings(
        database_url="postgresql+psycopg://collection-only@127.0.0.1:1/none",
        secret_key=SecretStr("collection-only-secret-of-32-bytes-at-least"),
    )
)
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@pytest.fixture
def live_app(
    settings: Settings, database_url: str, session_factory: sessionmaker[Session]
) -> Iterator[None]:
    """Point the app at the test settings, database and rolled-back transaction.

    The app gets an engine of its own (for /health): each call runs the app's lifespan,
    which disposes the app's engine, and disposing the suite's shared engine under its
    checked-out test connection leaked one connection per call (too many clients).
    """
    APP.state.settings = settings
    APP.state.engine = own = create_db_engine(database_url)
    APP.state.session_factory = APP.state.read_session_factory = session_factory
    yield
    own.dispose()


@pytest.fixture
def owner(session: Session, settings: Settings) -> User:
    """The user whose token the generated calls carry."""
    user = make_user(session, settings)
    session.commit()
    return user


@schema.parametrize()
@seed(20261125)
@hypothesis_settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_api_conforms_to_its_schema(
    case: Any, live_app: None, session: Session, settings: Settings, owner: User
) -> None:
    session.refresh(owner)  # a generated password change bumps the token version
    case.call_and_validate(headers=bearer(settings, owner), checks=CHECKS)
