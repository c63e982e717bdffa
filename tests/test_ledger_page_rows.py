"""The list through compiled SQL and the driver's rows equals the ORM page, filter by filter."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from api.schemas.ledger import TransactionOut
from domain.db.models import Household
from domain.rules.ledger import LedgerFilter, SortKey, TransactionDraft
from domain.services import ledger_pages, transactions
from tests.builders import category_named, make_transaction

API = "/api/v1"


@pytest.fixture
def ledger(session: Session, household: Household) -> dict[str, int]:
    """Rows that differ in every listed column; the ids of two categories."""
    groceries = category_named(session, household, "Groceries")
    make_transaction(session, household, amount="12.30", on=date(2026, 1, 15), description="Bread")
    make_transaction(
        session, household, amount="99.99", on=date(2026, 2, 1), category=None, notes="50% off_"
    )
    make_transaction(
        session, household, amount="5000.00", on=date(2026, 2, 1), type="income", category=None
    )
    abroad = TransactionDraft(
        date=date(2026, 3, 3),
        amount=Decimal("37.10"),
        type="expense",
        category_id=groceries.id,
        description="Café",
        original_amount=Decimal("10.00"),
        original_currency="USD",
    )
    transactions.record_transaction(session, household, abroad)
    session.commit()
    salary = category_named(session, household, "Salary")
    return {"groceries": groceries.id, "salary": salary.id}


CASES: list[tuple[dict[str, Any], LedgerFilter, SortKey, int, int]] = [
    # query string, the same filter for the service, sort, limit, offset
    ({}, LedgerFilter(), "-date", 50, 0),
    ({"sort": "amount", "limit": 2, "offset": 1}, LedgerFilter(), "amount", 2, 1),
    (
        {"date_from": "2026-02-01", "date_to": "2026-02-28", "sort": "description"},
        LedgerFilter(start=date(2026, 2, 1), end=date(2026, 3, 1)),
        "description",
        50,
        0,
    ),
    (
        {"type": "expense", "min_amount": "13.00", "max_amount": "99.99"},
        LedgerFilter(type="expense", min_amount=Decimal("13.00"), max_amount=Decimal("99.99")),
        "-date",
        50,
        0,
    ),
    ({"q": "50%"}, LedgerFilter(text="50%"), "-date", 50, 0),
    ({"q": "f_"}, LedgerFilter(text="f_"), "-date", 50, 0),
    ({"uncategorised": "true"}, LedgerFilter(uncategorised=True), "-created_at", 50, 0),
    ({"offset": 10}, LedgerFilter(), "-date", 50, 10),  # an empty page: the count alone
]


@pytest.mark.parametrize(("query", "spec", "sort", "limit", "offset"), CASES)
def test_the_list_equals_the_orm_page(
    client: TestClient,
    session: Session,
    household: Household,
    headers: dict[str, str],
    ledger: dict[str, int],
    query: dict[str, Any],
    spec: LedgerFilter,
    sort: SortKey,
    limit: int,
    offset: int,
) -> None:
    response = client.get(f"{API}/transactions", headers=headers, params=query)
    assert response.status_code == 200, response.text
    body = response.json()
    page = transactions.list_transactions(
        session,
        household,
        spec,
        sort=sort,
        limit=limit,
        offset=offset,
    )
    expected = [TransactionOut.model_validate(row._mapping) for row in page.rows]
    assert [TransactionOut.model_validate(item) for item in body["items"]] == expected
    assert (body["total"], body["limit"], body["offset"]) == (page.total, limit, offset)
    assert set(body["items"][0] if body["items"] else TransactionOut.model_fields) == set(
        TransactionOut.model_fields
    )


def test_categories_and_the_uncategorised_together(
    session: Session, household: Household, ledger: dict[str, int]
) -> None:
    for spec in (
        LedgerFilter(category_ids=(ledger["groceries"],)),
        LedgerFilter(category_ids=(ledger["groceries"], ledger["salary"]), uncategorised=True),
    ):
        rows = ledger_pages.page_of_rows(session.connection(), household.id, spec)
        orm = transactions.list_transactions(session, household, spec)
        assert [row[0] for row in rows.rows] == [row.id for row in orm.rows]
        assert rows.total == orm.total > 0


def test_a_row_names_the_schema_fields_in_order() -> None:
    assert tuple(TransactionOut.model_fields) == ledger_pages.ROW_NAMES


def test_amounts_travel_as_the_strings_they_were(
    client: TestClient, headers: dict[str, str], ledger: dict[str, int]
) -> None:
    items = client.get(f"{API}/transactions", headers=headers).json()["items"]
    amounts = {item["amount"]: item["original_amount"] for item in items}
    assert amounts == {"37.10": "10.00", "5000.00": None, "99.99": None, "12.30": None}


@pytest.mark.parametrize("name", ["account_id", "category_id"])
def test_an_id_at_the_contracts_bound_is_an_empty_page(
    client: TestClient, headers: dict[str, str], ledger: dict[str, int], name: str
) -> None:
    """Binds take their column's type (bigint), not the value's: no 500 past 2**31."""
    response = client.get(f"{API}/transactions", headers=headers, params={name: 2**63 - 1})
    assert response.status_code == 200, response.text
    assert (response.json()["items"], response.json()["total"]) == ([], 0)
