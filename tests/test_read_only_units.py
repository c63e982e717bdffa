"""Read-only units of work: the ledger's hot reads run without BEGIN/COMMIT and cannot write."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from psycopg.pq import TransactionStatus
from sqlalchemy import Engine, func, insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from api.app import API_PREFIX, API_ROUTERS, create_app
from api.deps import READ_ONLY
from domain.config import Settings
from domain.db.engine import ReadOnlyUnitError, make_read_session_factory
from domain.db.models import Category, Household, Transaction
from tests.builders import category_named, make_transaction

API = "/api/v1"
READ_ONLY_PATHS = {
    ("GET", "/api/v1/transactions"),
    ("GET", "/api/v1/transactions/totals"),
    ("GET", "/api/v1/transactions/{transaction_id}"),
    ("GET", "/api/v1/categories"),
    ("GET", "/api/v1/categories/{category_id}"),
    # Plain reads, like the ledger's. The accounts' answers are not: a balance is several queries
    # that must see one snapshot (a transfer's two legs, or neither).
    ("GET", "/api/v1/transfers"),
    ("GET", "/api/v1/transfers/{transfer_id}"),
}


@pytest.fixture
def reader(engine: Engine) -> Iterator[Session]:
    """A session from the product's read-only factory on the real engine."""
    with make_read_session_factory(engine)() as session:
        yield session


def test_a_read_session_reads_in_autocommit(reader: Session) -> None:
    assert reader.scalar(select(1)) == 1
    driver = reader.connection().connection.driver_connection
    assert driver is not None
    assert driver.autocommit is True
    # Each statement is its own transaction: none is left open to commit or roll back.
    assert reader.scalar(select(func.count()).select_from(Category)) is not None
    assert driver.info.transaction_status == TransactionStatus.IDLE


def test_a_read_session_refuses_every_write(reader: Session) -> None:
    with pytest.raises(ReadOnlyUnitError):
        reader.execute(insert(Category).values(household_id=-1, name="x", type="expense"))
    with pytest.raises(ReadOnlyUnitError):
        reader.execute(update(Category).where(Category.id == -1).values(name="y"))
    reader.add(Category(household_id=-1, name="z", type="expense"))
    with pytest.raises(ReadOnlyUnitError):
        reader.flush()


def test_only_get_routes_are_read_only() -> None:
    """The routes declared read-only are exactly these reads: a new one is a decision."""
    routes = [
        route for router in API_ROUTERS for route in router.routes if isinstance(route, APIRoute)
    ]
    marked = {
        (method, f"{API_PREFIX}{route.path_format}")
        for route in routes
        if getattr(route.endpoint, READ_ONLY, False)
        for method in route.methods or ()
    }
    assert marked == READ_ONLY_PATHS


def _refuse(*args: Any, **kwargs: Any) -> Session:
    raise AssertionError("the read/write unit of work was used")


def test_read_only_endpoints_never_open_a_read_write_unit(
    settings: Settings,
    session_factory: sessionmaker[Session],
    session: Session,
    household: Household,
    headers: dict[str, str],
) -> None:
    """Authentication included, a read-only route runs entirely on the read factory."""
    spent = make_transaction(session, household, amount="45.60", description="Bakery")
    session.commit()
    groceries = category_named(session, household, "Groceries")
    app = create_app(settings)
    app.state.read_session_factory = session_factory
    app.state.session_factory = _refuse
    with TestClient(app, raise_server_exceptions=False) as client:
        page = client.get(f"{API}/transactions", headers=headers)
        assert page.status_code == 200
        assert [item["amount"] for item in page.json()["items"]] == ["45.60"]
        totals = client.get(f"{API}/transactions/totals", headers=headers).json()
        assert totals["expense"] == "45.60"
        one = client.get(f"{API}/transactions/{spent.id}", headers=headers).json()
        assert one["description"] == "Bakery"
        assert client.get(f"{API}/categories", headers=headers).status_code == 200
        got = client.get(f"{API}/categories/{groceries.id}", headers=headers)
        assert got.json()["name"] == "Groceries"
        # A route that writes does ask for the read/write unit, and gets nothing here.
        wrote = client.post(
            f"{API}/transactions",
            headers=headers,
            json={"date": "2026-03-01", "amount": "1.00", "type": "expense"},
        )
        assert wrote.status_code == 500
    app.state.engine.dispose()
    written = select(Transaction.id).where(
        Transaction.household_id == household.id, Transaction.amount == 1
    )
    assert session.scalar(written) is None
