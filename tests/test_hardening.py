"""No input answers 500: each class the black-box sweep found is a 4xx naming the field."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.orm import Session

from api.errors import ECHO_MAX
from domain.db.models import Household, User
from domain.rules.occurrences import MAX_BOOKINGS_PER_SOURCE
from domain.services import fixed
from tests.builders import category_named
from tests.conftest import home_of, make_user

API = "/api/v1"
MONEY_TABLES = (
    "transactions",
    "categories",
    "fixed_items",
    "installment_plans",
    "loans",
    "balance_records",
    "scenarios",
    "household_settings",
)


def snapshot(session: Session, user: User) -> dict[str, list[Any]]:
    """Every row of the user's household's money tables, the household and the user, as stored."""
    session.expire_all()
    home = home_of(session, user).id
    rows = {
        table: [
            tuple(row)
            for row in session.execute(
                text(f"SELECT * FROM {table} WHERE household_id = :h ORDER BY 1"),  # noqa: S608
                {"h": home},
            )
        ]
        for table in MONEY_TABLES
    }
    rows["households"] = [
        tuple(session.execute(text("SELECT * FROM households WHERE id = :h"), {"h": home}).one())
    ]
    rows["users"] = [
        tuple(session.execute(text("SELECT * FROM users WHERE id = :u"), {"u": user.id}).one())
    ]
    return rows


def refused(response: Any, field: str) -> None:
    """A 422 whose first error names the field."""
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"][-1] == field, response.text


@pytest.fixture
def sources(client: TestClient, headers: dict[str, str]) -> dict[str, int]:
    """One fixed item, one installment plan, one loan and one transaction of the user."""
    made = {
        "fixed": client.post(
            f"{API}/fixed",
            headers=headers,
            json={
                "name": "Rent",
                "amount": "4000.00",
                "type": "expense",
                "start_date": "2026-01-01",
            },
        ),
        "installments": client.post(
            f"{API}/installments",
            headers=headers,
            json={
                "name": "TV",
                "total_amount": "3000.00",
                "payments_count": 3,
                "first_payment_date": "2026-12-10",
            },
        ),
        "loans": client.post(
            f"{API}/loans",
            headers=headers,
            json={
                "name": "Car",
                "principal": "10000.00",
                "annual_rate": "5.0",
                "term_months": 12,
                "first_payment_date": "2026-12-10",
            },
        ),
        "transactions": client.post(
            f"{API}/transactions",
            headers=headers,
            json={
                "date": "2026-11-01",
                "amount": "10.00",
                "type": "expense",
                "description": "Bread",
                "notes": "n",
            },
        ),
    }
    for response in made.values():
        assert response.status_code == 201, response.text
    return {kind: response.json()["id"] for kind, response in made.items()}


@pytest.mark.parametrize(
    ("kind", "body", "field"),
    [
        ("transactions", {"notes": None}, "notes"),
        ("transactions", {"description": None}, "description"),
        ("transactions", {"date": None}, "date"),
        ("fixed", {"name": None}, "name"),
        ("fixed", {"amount": None}, "amount"),
        ("fixed", {"currency": None}, "currency"),
        ("installments", {"total_amount": None}, "total_amount"),
        ("installments", {"name": None}, "name"),
        ("loans", {"principal": None}, "principal"),
        ("loans", {"name": None}, "name"),
    ],
)
def test_null_for_a_required_field_of_a_change_is_422_and_writes_nothing(
    client: TestClient,
    session: Session,
    user: User,
    headers: dict[str, str],
    sources: dict[str, int],
    kind: str,
    body: dict[str, Any],
    field: str,
) -> None:
    before = snapshot(session, user)
    refused(client.put(f"{API}/{kind}/{sources[kind]}", headers=headers, json=body), field)
    assert snapshot(session, user) == before


def test_null_clears_the_fields_that_may_be_empty(
    client: TestClient,
    session: Session,
    user: User,
    headers: dict[str, str],
    sources: dict[str, int],
) -> None:
    groceries = category_named(session, home_of(session, user), "Groceries").id
    url = f"{API}/transactions/{sources['transactions']}"
    assert client.put(url, headers=headers, json={"category_id": groceries}).status_code == 200
    cleared = client.put(url, headers=headers, json={"category_id": None})
    assert cleared.status_code == 200
    assert cleared.json()["category_id"] is None
    fixed = client.put(f"{API}/fixed/{sources['fixed']}", headers=headers, json={"end_date": None})
    assert fixed.status_code == 200
    assert fixed.json()["end_date"] is None


def test_null_in_a_bulk_update_names_the_row_and_writes_nothing(
    client: TestClient,
    session: Session,
    user: User,
    headers: dict[str, str],
    sources: dict[str, int],
) -> None:
    before = snapshot(session, user)
    response = client.put(
        f"{API}/transactions/bulk-update",
        headers=headers,
        json={"items": [{"id": sources["transactions"], "notes": None}]},
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "notes"
    assert snapshot(session, user) == before


@pytest.mark.parametrize("kind", ["fixed", "installments", "loans"])
def test_another_users_or_an_unknown_category_in_a_change_is_422(
    client: TestClient,
    session: Session,
    user: User,
    settings: Any,
    headers: dict[str, str],
    sources: dict[str, int],
    kind: str,
) -> None:
    stranger = make_user(session, settings)
    session.commit()
    theirs = category_named(session, home_of(session, stranger), "Groceries").id
    before = snapshot(session, user)
    url = f"{API}/{kind}/{sources[kind]}"
    refused(client.put(url, headers=headers, json={"category_id": theirs}), "category_id")
    refused(client.put(url, headers=headers, json={"category_id": 2**62}), "category_id")
    assert snapshot(session, user) == before


NUL = "a\u0000b"
SURROGATE_JSON = '"a\\ud800b"'  # a lone surrogate as JSON sends it


def _with_bad_text(body: dict[str, Any], field: str, bad: str) -> str:
    """The body as JSON text with one field holding the bad text (raw, not re-escaped)."""
    marker = "__BAD__"
    encoded = json.dumps({**body, field: marker})
    value = json.dumps(bad) if bad == NUL else SURROGATE_JSON
    return encoded.replace(json.dumps(marker), value)


TEXT_CASES = [
    (
        "POST",
        "/transactions",
        {"date": "2026-11-01", "amount": "1.00", "type": "expense"},
        "description",
    ),
    ("POST", "/transactions", {"date": "2026-11-01", "amount": "1.00", "type": "expense"}, "notes"),
    ("POST", "/categories", {"type": "expense"}, "name"),
    ("POST", "/fixed", {"amount": "1.00", "type": "expense", "start_date": "2026-01-01"}, "name"),
    (
        "POST",
        "/loans",
        {
            "principal": "100.00",
            "annual_rate": "1.0",
            "term_months": 2,
            "first_payment_date": "2026-12-01",
        },
        "name",
    ),
    ("PUT", "/balance", {"amount": "100.00"}, "note"),
    ("POST", "/forecast/scenarios", {"operations": []}, "name"),
    ("PUT", "/auth/me", {}, "display_name"),
    ("POST", "/auth/login", {"password": "whatever-pass"}, "username"),
    ("POST", "/auth/register", {"password": "long-enough-pass"}, "username"),
    (
        "POST",
        "/auth/register",
        {"username": "fine_name", "password": "long-enough-pass"},
        "display_name",
    ),
]


@pytest.mark.parametrize("bad", [NUL, "surrogate"], ids=["nul", "lone-surrogate"])
@pytest.mark.parametrize(("method", "path", "body", "field"), TEXT_CASES)
def test_text_that_cannot_be_stored_is_422_naming_the_field(
    client: TestClient,
    session: Session,
    user: User,
    headers: dict[str, str],
    method: str,
    path: str,
    body: dict[str, Any],
    field: str,
    bad: str,
) -> None:
    before = snapshot(session, user)
    response = client.request(
        method,
        f"{API}{path}",
        headers={**headers, "Content-Type": "application/json"},
        content=_with_bad_text(body, field, bad).encode(),
    )
    refused(response, field)
    assert snapshot(session, user) == before


def test_bad_text_in_a_bulk_call_and_in_the_text_filter_is_422(
    client: TestClient, headers: dict[str, str]
) -> None:
    row = _with_bad_text(
        {"date": "2026-11-01", "amount": "1.00", "type": "expense"}, "description", NUL
    )
    bulk = client.post(
        f"{API}/transactions/bulk",
        headers={**headers, "Content-Type": "application/json"},
        content=f'{{"items": [{row}]}}'.encode(),
    )
    refused(bulk, "description")
    refused(client.get(f"{API}/transactions", headers=headers, params={"q": NUL}), "q")


def test_names_are_trimmed_the_same_way_everywhere(
    client: TestClient, headers: dict[str, str]
) -> None:
    category = client.post(
        f"{API}/categories", headers=headers, json={"name": "  Pets  ", "type": "expense"}
    )
    fixed = client.post(
        f"{API}/fixed",
        headers=headers,
        json={"name": " Gym ", "amount": "1.00", "type": "expense", "start_date": "2026-01-01"},
    )
    assert (category.json()["name"], fixed.json()["name"]) == ("Pets", "Gym")


@pytest.mark.parametrize(
    ("method", "path", "params", "body", "field"),
    [
        ("GET", "/transactions", {"date_to": "9999-12-31"}, None, "date_to"),
        ("GET", "/transactions", {"date_from": "1899-12-31"}, None, "date_from"),
        ("GET", "/transactions", {"offset": str(2**63)}, None, "offset"),
        ("GET", "/dashboard/category-breakdown", {"date_to": "9999-12-31"}, None, "date_to"),
        ("GET", "/dashboard/top-expenses", {"date_to": "9999-12-31"}, None, "date_to"),
        ("GET", "/dashboard/booking-preview", {"through": "9999-12-31"}, None, "through"),
        ("GET", "/transactions/totals", {"date_to": "0"}, None, "date_to"),
        (
            "POST",
            "/installments",
            None,
            {
                "name": "X",
                "total_amount": "10.00",
                "payments_count": 2,
                "first_payment_date": "9999-12-31",
            },
            "first_payment_date",
        ),
        (
            "POST",
            "/loans",
            None,
            {
                "name": "X",
                "principal": "10.00",
                "annual_rate": "1.0",
                "term_months": 2,
                "first_payment_date": "9999-12-31",
            },
            "first_payment_date",
        ),
        (
            "POST",
            "/fixed",
            None,
            {"name": "X", "amount": "1.00", "type": "expense", "start_date": "0001-01-01"},
            "start_date",
        ),
        (
            "POST",
            "/fixed",
            None,
            {"name": "X", "amount": "1.00", "type": "expense", "start_date": 0},
            "start_date",
        ),
        (
            "POST",
            "/forecast/affordability",
            None,
            {"amount": "100.00", "date": "9999-12-31"},
            "date",
        ),
        (
            "POST",
            "/forecast/what-if",
            None,
            {
                "operations": [
                    {"op": "one_off", "type": "expense", "amount": "1.00", "date": "0001-01-01"}
                ]
            },
            "date",
        ),
        (
            "POST",
            "/transactions",
            None,
            {"date": "2026-01-01", "amount": 0, "type": "expense"},
            "amount",
        ),
        (
            "POST",
            "/transactions",
            None,
            {"date": "2026-01-01", "amount": "0", "type": "expense"},
            "amount",
        ),
        ("PUT", "/settings", None, {"timezone": "Asia"}, "timezone"),
        ("PUT", "/settings", None, {"timezone": "Etc"}, "timezone"),
        ("PUT", "/settings", None, {"include_history": 0}, "include_history"),
        ("PUT", "/settings", None, {"notifications": {"email": "yes"}}, "email"),
    ],
)
def test_numbers_dates_and_zones_out_of_range_are_422(
    client: TestClient,
    session: Session,
    user: User,
    headers: dict[str, str],
    method: str,
    path: str,
    params: dict[str, str] | None,
    body: dict[str, Any] | None,
    field: str,
) -> None:
    before = snapshot(session, user)
    response = client.request(method, f"{API}{path}", headers=headers, params=params, json=body)
    refused(response, field)
    assert snapshot(session, user) == before


def test_the_published_contract_says_strings_for_amounts_and_dates(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()["components"]["schemas"]
    amount = schema["TransactionIn"]["properties"]["amount"]
    day = schema["TransactionIn"]["properties"]["date"]
    assert amount["type"] == "string"
    assert not __import__("re").match(amount["pattern"], "0")
    assert (day["type"], day["format"]) == ("string", "date")
    assert not __import__("re").match(day["pattern"], "0001-01-01")


def test_422_never_echoes_a_password_or_token_and_cuts_long_input(
    client: TestClient, headers: dict[str, str]
) -> None:
    secret = "x" * 300  # too long for the schema: refused with its input
    login = client.post(f"{API}/auth/login", json={"username": "someone", "password": secret})
    refresh = client.post(f"{API}/auth/refresh", json={"refresh_token": secret * 10})
    long_text = client.post(
        f"{API}/categories", headers=headers, json={"name": "n" * 5000, "type": "expense"}
    )
    for response in (login, refresh):
        assert response.status_code == 422
        assert secret[:20] not in response.text
    assert long_text.status_code == 422
    echoed = long_text.json()["detail"][0]["input"]
    assert len(echoed) <= ECHO_MAX + 1


def test_security_headers_on_every_answer_and_no_store_on_tokens(
    client: TestClient, user: User
) -> None:
    login = client.post(
        f"{API}/auth/login", json={"username": user.username, "password": "correct horse battery"}
    )
    docs = client.get("/docs")
    missing = client.get(f"{API}/nowhere")
    for response in (login, docs, missing, client.get("/health")):
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert response.headers["X-Frame-Options"] == "DENY"
        assert "server" not in response.headers
    assert login.status_code == 200
    assert login.headers["Cache-Control"] == "no-store"
    assert "frame-ancestors 'none'" in docs.headers["Content-Security-Policy"]


def test_405_names_every_method_of_the_path(client: TestClient, headers: dict[str, str]) -> None:
    options = client.options(f"{API}/balance", headers=headers)
    wrong = client.get(f"{API}/transactions/bulk-update", headers=headers)
    assert options.status_code == 405
    assert set(options.headers["Allow"].split(", ")) == {"GET", "POST", "PUT"}
    assert wrong.status_code == 405
    assert wrong.headers["Allow"] == "PUT"


def test_the_booking_preview_of_many_sources_from_1900_answers(
    client: TestClient, session: Session, household: Household, headers: dict[str, str]
) -> None:
    """60 weekly items from 1900: a pass books 400 of each; the preview lists them all."""
    for n in range(60):
        fixed.create_fixed(
            session,
            household,
            name=f"Weekly {n}",
            amount=Decimal("1.00"),
            type="expense",
            frequency="weekly",
            start_date=date(1900, 1, 1),
        )
    session.commit()
    response = client.get(
        f"{API}/dashboard/booking-preview", headers=headers, params={"through": "2026-01-01"}
    )
    assert response.status_code == 200, response.text
    assert len(response.json()) == 60 * MAX_BOOKINGS_PER_SOURCE


def test_alerts_answer_for_a_user_with_data_in_every_table_that_moves_the_forecast(
    client: TestClient,
    session: Session,
    user: User,
    headers: dict[str, str],
    sources: dict[str, int],
) -> None:
    """The alerts' change mark grew past its column with every such table (a 500 in fuzzing)."""
    dining = category_named(session, home_of(session, user), "Dining out").id
    calls = [
        client.post(f"{API}/balance", headers=headers, json={"amount": "100.00"}),
        client.put(
            f"{API}/budgets",
            headers=headers,
            json={"category_id": dining, "month": "2026-11", "amount": "500.00"},
        ),
        client.put(
            f"{API}/rates",
            headers=headers,
            json={"day": "2026-11-01", "currency": "USD", "rate": "3.7215"},
        ),
        client.put(
            f"{API}/settings",
            headers=headers,
            json={
                "warning_threshold": "9999999999999.99",
                "critical_threshold": "9999999999999.99",
                "timezone": "America/Argentina/ComodRivadavia",
            },
        ),
    ]
    assert [c.status_code for c in calls] == [201, 200, 200, 200], [c.text for c in calls]
    assert client.get(f"{API}/alerts", headers=headers).status_code == 200
    assert client.get(f"{API}/alerts/unread", headers=headers).status_code == 200


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/categories", {"name": "X", "type": "expense", "parent_id": True}, "parent_id"),
        ("/transactions/bulk-delete", {"ids": [True]}, "ids"),
        (
            "/installments",
            {
                "name": "X",
                "total_amount": "10.00",
                "payments_count": True,
                "first_payment_date": "2026-12-01",
            },
            "payments_count",
        ),
    ],
)
def test_true_is_not_a_number(
    client: TestClient,
    session: Session,
    user: User,
    headers: dict[str, str],
    path: str,
    body: dict[str, Any],
    field: str,
) -> None:
    """JSON's true was read as 1 for ids and counts (make fuzz, seed 1180178264)."""
    before = snapshot(session, user)
    response = client.post(f"{API}{path}", headers=headers, json=body)
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["msg"].startswith(f"Value error, {field}:")
    assert snapshot(session, user) == before
