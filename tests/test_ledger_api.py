"""The ledger over HTTP: categories and transactions, bad input refused with nothing written."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.app import MAX_BODY_BYTES
from api.schemas.ledger import BulkCreateIn
from domain.config import Settings
from domain.db.models import Household, Transaction
from tests.builders import category_named
from tests.conftest import home_of, make_user

API = "/api/v1"


def _count(session: Session, household: Household) -> int:
    return int(
        session.scalar(select(func.count()).where(Transaction.household_id == household.id)) or 0
    )


def _tx(session: Session, household: Household, **overrides: Any) -> dict[str, Any]:
    groceries = category_named(session, household, "Groceries")
    return {
        "date": "2026-03-01",
        "amount": "123.45",
        "type": "expense",
        "category_id": groceries.id,
        "description": "Shufersal",
        **overrides,
    }


def test_new_user_has_default_categories_in_both_languages(
    client: TestClient, headers: dict[str, str]
) -> None:
    categories = client.get(f"{API}/categories", headers=headers).json()
    names = {c["name"]: c for c in categories}
    for expected in ("Salary", "Rent", "Groceries", "Utilities", "Transport", "Health"):
        assert expected in names
    assert names["Rent"]["name_he"] == "שכר דירה"
    assert names["Salary"]["type"] == "income"


def test_create_get_update_duplicate_delete(
    client: TestClient, session: Session, household: Household, headers: dict[str, str]
) -> None:
    created = client.post(f"{API}/transactions", headers=headers, json=_tx(session, household))
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["amount"] == "123.45"
    assert body["currency"] == "ILS"
    assert body["source"] == "manual"
    tx_id = body["id"]
    assert client.get(f"{API}/transactions/{tx_id}", headers=headers).json() == body
    updated = client.put(
        f"{API}/transactions/{tx_id}", headers=headers, json={"amount": "99.90", "notes": "fixed"}
    )
    assert updated.json()["amount"] == "99.90"
    assert updated.json()["description"] == "Shufersal"
    copy = client.post(
        f"{API}/transactions/{tx_id}/duplicate", headers=headers, json={"date": "2026-04-01"}
    )
    assert copy.status_code == 201
    assert (copy.json()["date"], copy.json()["amount"]) == ("2026-04-01", "99.90")
    assert client.delete(f"{API}/transactions/{tx_id}", headers=headers).status_code == 204
    assert client.get(f"{API}/transactions/{tx_id}", headers=headers).status_code == 404


BAD_FIELDS = [
    ({"amount": "0"}, "amount"),
    ({"amount": "-5"}, "amount"),
    ({"amount": "1.005"}, "amount"),
    ({"amount": "abc"}, "amount"),
    ({"amount": "1e20"}, "amount"),
    ({"amount": 0.1 + 0.2}, "amount"),
    ({"date": "2026-02-30"}, "date"),
    ({"category_id": 999_999_999}, "category_id"),
    ({"description": "x" * 501}, "description"),
    ({"notes": "x" * 2001}, "notes"),
    ({"type": "transfer"}, "type"),
    ({"colour": "red"}, "colour"),
    ({"currency": "shekel"}, "currency"),
]


@pytest.mark.parametrize(("change", "field"), BAD_FIELDS)
def test_bad_input_is_422_naming_the_field_and_writes_nothing(
    client: TestClient,
    session: Session,
    household: Household,
    headers: dict[str, str],
    change: dict[str, Any],
    field: str,
) -> None:
    before = _count(session, household)
    response = client.post(
        f"{API}/transactions", headers=headers, json=_tx(session, household, **change)
    )
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"][-1] == field
    assert _count(session, household) == before


def test_income_category_on_an_expense_is_refused(
    client: TestClient, session: Session, household: Household, headers: dict[str, str]
) -> None:
    salary = category_named(session, household, "Salary")
    response = client.post(
        f"{API}/transactions", headers=headers, json=_tx(session, household, category_id=salary.id)
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "category_id"
    assert "income category" in response.json()["detail"][0]["msg"]


def test_another_users_category_is_refused_like_a_missing_one(
    client: TestClient,
    session: Session,
    settings: Settings,
    household: Household,
    headers: dict[str, str],
) -> None:
    other = home_of(session, make_user(session, settings))
    session.commit()
    theirs = category_named(session, other, "Groceries")
    response = client.post(
        f"{API}/transactions", headers=headers, json=_tx(session, household, category_id=theirs.id)
    )
    missing = client.post(
        f"{API}/transactions", headers=headers, json=_tx(session, household, category_id=10**12)
    )
    assert response.status_code == missing.status_code == 422
    assert response.json() == missing.json()


def test_bulk_create_all_or_nothing_names_the_row(
    client: TestClient, session: Session, household: Household, headers: dict[str, str]
) -> None:
    salary = category_named(session, household, "Salary")
    good = [_tx(session, household, description=f"row {i}") for i in range(3)]
    bad_type = [*good, _tx(session, household, category_id=salary.id)]
    response = client.post(f"{API}/transactions/bulk", headers=headers, json={"items": bad_type})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", 3, "category_id"]
    bad_amount = [*good, _tx(session, household, amount="0")]
    response = client.post(f"{API}/transactions/bulk", headers=headers, json={"items": bad_amount})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][:3] == ["body", "items", 3]
    assert _count(session, household) == 0
    ok = client.post(f"{API}/transactions/bulk", headers=headers, json={"items": good})
    assert ok.status_code == 201
    assert len(ok.json()["ids"]) == 3
    too_many = client.post(
        f"{API}/transactions/bulk", headers=headers, json={"items": [good[0]] * 1001}
    )
    assert too_many.status_code == 422


def test_bulk_update_and_delete_all_or_nothing(
    client: TestClient, session: Session, household: Household, headers: dict[str, str]
) -> None:
    ids = client.post(
        f"{API}/transactions/bulk",
        headers=headers,
        json={"items": [_tx(session, household), _tx(session, household)]},
    ).json()["ids"]
    refused = client.put(
        f"{API}/transactions/bulk-update",
        headers=headers,
        json={"items": [{"id": ids[0], "amount": "5.00"}, {"id": ids[1], "amount": "0"}]},
    )
    assert refused.status_code == 422
    assert client.get(f"{API}/transactions/{ids[0]}", headers=headers).json()["amount"] == "123.45"
    done = client.put(
        f"{API}/transactions/bulk-update",
        headers=headers,
        json={"items": [{"id": ids[0], "amount": "5.00"}, {"id": ids[1], "notes": "n"}]},
    )
    assert [t["amount"] for t in done.json()] == ["5.00", "123.45"]
    missing = client.post(
        f"{API}/transactions/bulk-delete", headers=headers, json={"ids": [ids[0], 10**12]}
    )
    assert missing.status_code == 404
    assert _count(session, household) == 2
    gone = client.post(f"{API}/transactions/bulk-delete", headers=headers, json={"ids": ids})
    assert gone.json() == {"count": 2}
    assert _count(session, household) == 0


def test_filters_sorting_pagination_and_totals(
    client: TestClient, session: Session, household: Household, headers: dict[str, str]
) -> None:
    salary = category_named(session, household, "Salary")
    rows = [
        _tx(session, household, date="2026-01-05", amount="100.00", description="Rami Levy"),
        _tx(
            session,
            household,
            date="2026-01-20",
            amount="40.10",
            description="pharmacy",
            notes="Super-Pharm",
        ),
        _tx(session, household, date="2026-02-01", amount="2500.00", description="Rent Feb"),
        _tx(
            session,
            household,
            date="2026-01-10",
            amount="12000.00",
            type="income",
            category_id=salary.id,
            description="Salary",
        ),
    ]
    client.post(f"{API}/transactions/bulk", headers=headers, json={"items": rows})
    january = {"date_from": "2026-01-01", "date_to": "2026-01-31"}
    page = client.get(f"{API}/transactions", headers=headers, params={**january, "limit": 2}).json()
    assert page["total"] == 3
    assert [t["date"] for t in page["items"]] == ["2026-01-20", "2026-01-10"]
    second = client.get(
        f"{API}/transactions", headers=headers, params={**january, "limit": 2, "offset": 2}
    ).json()
    assert [t["date"] for t in second["items"]] == ["2026-01-05"]
    # An offset past every row, up to the largest the contract allows, is an empty page
    # (it once reached PostgreSQL as an INTEGER and answered 500; found by the fuzzer).
    beyond = client.get(
        f"{API}/transactions",
        headers=headers,
        params={"offset": 9_223_372_036_854_775_806, "sort": "-created_at"},
    )
    assert beyond.status_code == 200, beyond.text
    assert (beyond.json()["items"], beyond.json()["total"]) == ([], 4)
    by_amount = client.get(f"{API}/transactions", headers=headers, params={"sort": "amount"}).json()
    assert [t["amount"] for t in by_amount["items"]] == ["40.10", "100.00", "2500.00", "12000.00"]
    text = client.get(f"{API}/transactions", headers=headers, params={"q": "super-pharm"}).json()
    assert [t["description"] for t in text["items"]] == ["pharmacy"]
    ranged = client.get(
        f"{API}/transactions", headers=headers, params={"min_amount": "50", "max_amount": "2500"}
    ).json()
    assert ranged["total"] == 2
    income = client.get(f"{API}/transactions", headers=headers, params={"type": "income"}).json()
    assert income["total"] == 1
    totals = client.get(f"{API}/transactions/totals", headers=headers, params=january).json()
    assert totals == {"income": "12000.00", "expense": "140.10", "net": "11859.90", "count": 3}
    bad = client.get(f"{API}/transactions", headers=headers, params={"min_amount": "1.001"})
    assert bad.status_code == 422


def test_category_lifecycle_archive_restore_reorder(
    client: TestClient, session: Session, household: Household, headers: dict[str, str]
) -> None:
    made = client.post(
        f"{API}/categories", headers=headers, json={"name": "Pets", "type": "expense", "icon": "🐕"}
    )
    assert made.status_code == 201
    pets = made.json()["id"]
    dup = client.post(
        f"{API}/categories", headers=headers, json={"name": "pets", "type": "expense"}
    )
    assert dup.status_code == 409
    tx = client.post(
        f"{API}/transactions", headers=headers, json=_tx(session, household, category_id=pets)
    )
    assert client.delete(f"{API}/categories/{pets}", headers=headers).status_code == 200
    listed = [c["id"] for c in client.get(f"{API}/categories", headers=headers).json()]
    assert pets not in listed
    with_archived = client.get(
        f"{API}/categories", headers=headers, params={"include_archived": True}
    ).json()
    assert pets in [c["id"] for c in with_archived]
    kept = client.get(f"{API}/transactions/{tx.json()['id']}", headers=headers).json()
    assert kept["category_id"] == pets
    refused = client.post(
        f"{API}/transactions", headers=headers, json=_tx(session, household, category_id=pets)
    )
    assert refused.status_code == 422
    restored = client.post(f"{API}/categories/{pets}/restore", headers=headers)
    assert restored.json()["archived_at"] is None
    order = client.post(f"{API}/categories/reorder", headers=headers, json={"ids": [pets]}).json()
    assert order[0]["id"] == pets
    renamed = client.put(f"{API}/categories/{pets}", headers=headers, json={"name": "Animals"})
    assert renamed.json()["name"] == "Animals"


def test_a_json_body_over_the_limit_answers_413_and_writes_nothing(
    client: TestClient, session: Session, household: Household, headers: dict[str, str]
) -> None:
    row = {"date": "2026-03-01", "amount": "1.00", "type": "expense", "notes": "x" * 2000}
    body = {"items": [row] * 20_000}  # about 42 MB, far past any bulk call of 1,000 rows
    response = client.post(f"{API}/transactions/bulk", headers=headers, json=body)
    assert response.status_code == 413, response.text[:200]
    assert _count(session, household) == 0


def test_the_largest_bulk_call_fits_under_the_body_limit() -> None:
    """Every text at its limit in emoji, each escaped as a surrogate pair: still accepted."""
    row: dict[str, Any] = {"date": "2026-03-01", "amount": "1234567890123.45", "type": "expense"}
    emoji = "\U0001f600"
    row |= {"category_id": 2**62, "description": emoji * 500, "notes": emoji * 2000}
    body = {"items": [row] * 1000}
    BulkCreateIn.model_validate(body)  # a valid call, not one the schema would refuse anyway
    assert len(json.dumps(body)) < MAX_BODY_BYTES  # json.dumps escapes like `requests` does
