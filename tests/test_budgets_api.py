"""Budgets over HTTP: set, override, list by month, delete, settings, summary, refusals."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, cast

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.deps import get_today
from domain.config import Settings
from domain.db.models import Budget, CategoryBudgetSettings, Household
from domain.rules.budgets import BudgetDraft
from domain.rules.money import D
from domain.services import budgets, fixed
from domain.services.booking import run_booking_pass
from tests.builders import category_named, make_transaction
from tests.conftest import bearer, home_of, make_user

API = "/api/v1/budgets"
TODAY = date(2027, 3, 10)


@pytest.fixture
def on_today(client: TestClient) -> Iterator[TestClient]:
    """The API client, with today pinned to 10 March 2027."""
    app = cast("FastAPI", client.app)
    app.dependency_overrides[get_today] = lambda: TODAY
    yield client
    app.dependency_overrides.pop(get_today)


def _put(client: TestClient, headers: dict[str, str], **body: Any) -> Any:
    return client.put(API, headers=headers, json=body)


def _count(session: Session, household: Household) -> int:
    session.expire_all()
    budgets = session.scalar(select(func.count()).where(Budget.household_id == household.id))
    settings = session.scalar(
        select(func.count()).where(CategoryBudgetSettings.household_id == household.id)
    )
    return int(budgets or 0) + int(settings or 0)


def test_standing_amount_override_list_by_month_and_delete(
    client: TestClient, session: Session, household: Household, headers: dict[str, str]
) -> None:
    groceries = category_named(session, household, "Groceries").id
    standing = _put(client, headers, category_id=groceries, month="2027-01", amount="2000.00")
    assert standing.status_code == 200, standing.text
    assert standing.json() | {"id": 0} == {
        "id": 0,
        "category_id": groceries,
        "month": "2027-01",
        "kind": "standing",
        "amount": "2000.00",
    }
    override = _put(
        client, headers, category_id=groceries, month="2027-03", amount="2500.00", kind="override"
    )
    again = _put(
        client, headers, category_id=groceries, month="2027-03", amount="2600.00", kind="override"
    )
    assert again.json()["id"] == override.json()["id"]  # the same month's override, replaced
    by_month = {
        m: client.get(API, headers=headers, params={"month": m}).json()
        for m in ("2026-12", "2027-02", "2027-03")
    }
    assert by_month["2026-12"] == []
    assert [b["amount"] for b in by_month["2027-02"]] == ["2000.00"]
    assert [(b["amount"], b["kind"]) for b in by_month["2027-03"]] == [("2600.00", "override")]
    assert len(client.get(API, headers=headers).json()) == 2
    gone = client.delete(f"{API}/{override.json()['id']}", headers=headers)
    assert gone.status_code == 200
    after = client.get(API, headers=headers, params={"month": "2027-03"}).json()
    assert [b["amount"] for b in after] == ["2000.00"]


def test_summary_counts_booked_recurring_items_and_carries_rollover(
    on_today: TestClient, session: Session, settings: Settings
) -> None:
    user = make_user(session, settings)
    household = home_of(session, user)
    fixed.create_fixed(
        session,
        household,
        name="Gym",
        amount=Decimal("150.00"),
        type="expense",
        frequency="monthly",
        start_date=date(2027, 3, 1),
        day_of_month=5,
        category_id=category_named(session, household, "Health").id,
    )
    run_booking_pass(session, now=datetime(2027, 3, 10, 8, tzinfo=UTC), as_of=TODAY)
    make_transaction(session, household, amount="400.00", on=date(2027, 2, 14), category="Health")
    make_transaction(session, household, amount="90.00", on=date(2027, 3, 8), category="Health")
    make_transaction(session, household, amount="999.00", on=date(2027, 3, 20), category="Health")
    session.commit()
    headers = bearer(settings, user)
    health = category_named(session, household, "Health").id
    _put(on_today, headers, category_id=health, month="2027-02", amount="500.00")
    on = on_today.put(f"{API}/settings/{health}", headers=headers, json={"rollover": True})
    assert on.json() == {"category_id": health, "rollover": True, "forecast_mode": "history"}
    lines = on_today.get(f"{API}/summary", headers=headers, params={"month": "2027-03"}).json()
    assert len(lines) == 1
    line = lines[0]
    # 150 booked on the 5th + 90 on the 8th; the 999 of the 20th is not spent yet.
    assert {k: line[k] for k in ("budget", "rollover", "spent", "left", "per_day")} == {
        "budget": "500.00",
        "rollover": "100.00",
        "spent": "240.00",
        "left": "360.00",
        "per_day": "16.36",  # 360 over the 22 days from the 10th to the 31st
    }
    assert line["month"] == "2027-03"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"amount": "-1.00"}, "amount"),
        ({"amount": 10.5}, "amount"),
        ({"month": "2026-13"}, "month"),
        ({"category": "Salary"}, "category_id"),
        ({"kind": "weekly"}, "kind"),
    ],
)
def test_bad_budgets_are_refused_naming_the_field_and_nothing_is_written(
    client: TestClient,
    session: Session,
    household: Household,
    headers: dict[str, str],
    change: dict[str, Any],
    field: str,
) -> None:
    category = category_named(session, household, change.pop("category", "Groceries")).id
    body = {"category_id": category, "month": "2027-01", "amount": "100.00", **change}
    response = client.put(API, headers=headers, json=body)
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"][-1] == field
    assert _count(session, household) == 0


def test_another_users_category_is_refused_and_nothing_is_written(
    client: TestClient,
    session: Session,
    settings: Settings,
    household: Household,
    headers: dict[str, str],
) -> None:
    other = home_of(session, make_user(session, settings))
    session.commit()
    theirs = category_named(session, other, "Groceries").id
    response = _put(client, headers, category_id=theirs, month="2027-01", amount="100.00")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "category_id"
    refused = client.put(f"{API}/settings/{theirs}", headers=headers, json={"rollover": True})
    assert refused.status_code == 404
    assert _count(session, household) == _count(session, other) == 0


def test_a_month_like_2026_13_is_refused_in_queries(
    client: TestClient, headers: dict[str, str]
) -> None:
    for path in (API, f"{API}/summary"):
        response = client.get(path, headers=headers, params={"month": "2026-13"})
        assert response.status_code == 422
        assert response.json()["detail"][0]["loc"][-1] == "month"


def test_copy_previous_month_overrides_where_it_differs(
    client: TestClient, session: Session, household: Household, headers: dict[str, str]
) -> None:
    groceries = category_named(session, household, "Groceries").id
    dining = category_named(session, household, "Dining out").id
    _put(client, headers, category_id=groceries, month="2027-01", amount="2000.00")
    _put(client, headers, category_id=dining, month="2027-02", amount="300.00", kind="override")
    copied = client.post(f"{API}/copy-previous", headers=headers, json={"month": "2027-03"})
    assert [(b["category_id"], b["amount"]) for b in copied.json()] == [(dining, "300.00")]
    march = client.get(API, headers=headers, params={"month": "2027-03"}).json()
    assert sorted(b["amount"] for b in march) == ["2000.00", "300.00"]


def test_the_workbook_has_a_budgets_sheet_with_each_month_of_the_year(
    on_today: TestClient, session: Session, settings: Settings
) -> None:
    user = make_user(session, settings)
    household = home_of(session, user)
    make_transaction(
        session, household, amount="700.00", on=date(2027, 2, 14), category="Groceries"
    )
    make_transaction(session, household, amount="100.00", on=date(2027, 3, 2), category="Groceries")
    groceries = category_named(session, household, "Groceries").id
    budgets.set_budget(session, household, BudgetDraft(groceries, date(2027, 2, 1), D("600.00")))
    session.commit()
    answer = on_today.get("/api/v1/export/workbook.xlsx", headers=bearer(settings, user))
    assert answer.status_code == 200, answer.text
    sheet = load_workbook(io.BytesIO(answer.content))["Budgets"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == (
        "Month", "Category", "Budget", "Rollover", "Spent", "Left", "Projected", "Over by",
    )  # fmt: skip
    assert rows[1][:6] == ("2027-02", "Groceries", 600, 0, 700, -100)
    assert rows[2][:6] == ("2027-03", "Groceries", 600, 0, 100, 500)
    assert sheet["C2"].number_format == "#,##0.00"
