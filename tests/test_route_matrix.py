"""Every /api/v1 route refuses anonymous callers and another household's ids.

The routes come from the app's own route table (its OpenAPI paths).

The table below must list every route: a route added without a line here fails
`test_matrix_knows_every_route`, so it is covered the day it is added.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.app import API_PREFIX, create_app
from domain.config import Settings
from domain.db.models import (
    Account,
    Alert,
    BalanceRecord,
    Budget,
    Category,
    CategoryBudgetSettings,
    ExchangeRate,
    FixedItem,
    HouseholdSettings,
    InstallmentPlan,
    Loan,
    RecurringBooking,
    Scenario,
    Transaction,
    Transfer,
    User,
)
from tests.conftest import PASSWORD, bearer, home_of, make_user


@dataclass(frozen=True)
class Owned:
    """Ids of the victim's rows that the intruder tries to reach."""

    category_id: int
    transaction_id: int
    fixed_id: int
    plan_id: int
    loan_id: int
    scenario_id: int
    alert_id: int
    budget_id: int
    expense_category_id: int
    rate_id: int
    household_id: int
    user_id: int
    invitation_id: int
    bank_id: int
    account_id: int  # a credit card charged to bank_id
    transfer_id: int


Body = Callable[[Owned], Any] | None
TX = {"date": "2026-01-15", "amount": "10.00", "type": "expense"}
FIXED = {"name": "Rent", "amount": "5200.00", "type": "expense", "start_date": "2026-01-01"}
PLAN = {
    "name": "TV",
    "total_amount": "3600.00",
    "payments_count": 12,
    "first_payment_date": "2026-01-10",
}
CARD = {"name": "Isracard", "kind": "credit_card", "close_day": 1, "charge_day": 10}
LOAN = {
    "name": "Car",
    "principal": "60000.00",
    "annual_rate": "4.5",
    "term_months": 36,
    "first_payment_date": "2026-01-15",
}


def _none(owned: Owned) -> None:
    return None


PUBLIC = {
    ("POST", "/auth/register"),
    ("POST", "/auth/login"),
    ("POST", "/auth/login/second-factor"),
    ("POST", "/auth/refresh"),
}
# (method, path) -> a valid body for the call, built from the victim's ids where it names one.
PROTECTED: dict[tuple[str, str], Body] = {
    ("POST", "/auth/logout"): None,
    ("GET", "/auth/me"): None,
    ("PUT", "/auth/me"): lambda o: {"display_name": "x"},
    ("PUT", "/auth/password"): lambda o: {
        "current_password": "wrong-password",
        "new_password": "whatever1",
    },
    ("GET", "/auth/two-factor"): None,
    ("POST", "/auth/two-factor/enrol"): None,
    ("POST", "/auth/two-factor/confirm"): lambda o: {"code": "123456"},
    ("POST", "/auth/two-factor/recovery-codes"): lambda o: {"code": "123456"},
    ("POST", "/auth/two-factor/disable"): lambda o: {"password": "wrong1234", "code": "123456"},
    ("GET", "/households"): None,
    ("POST", "/households"): lambda o: {"name": "Second home"},
    ("POST", "/households/{household_id}/default"): None,
    ("GET", "/households/current"): None,
    ("PUT", "/households/current"): lambda o: {"name": "Renamed"},
    ("DELETE", "/households/current"): None,
    ("GET", "/households/current/members"): None,
    ("PUT", "/households/current/members/{user_id}"): lambda o: {"role": "viewer"},
    ("DELETE", "/households/current/members/{user_id}"): None,
    ("POST", "/households/current/leave"): None,
    ("POST", "/households/current/transfer-ownership"): lambda o: {"user_id": o.user_id},
    ("GET", "/households/current/invitations"): None,
    ("POST", "/households/current/invitations"): lambda o: {"role": "member"},
    ("DELETE", "/households/current/invitations/{invitation_id}"): None,
    ("GET", "/invitations"): None,
    ("POST", "/invitations/{invitation_id}/accept"): None,
    ("POST", "/invitations/{invitation_id}/decline"): None,
    ("POST", "/invitations/redeem"): lambda o: {"code": "not-a-code"},
    ("GET", "/audit"): None,
    ("GET", "/categories"): None,
    ("POST", "/categories"): lambda o: {"name": "Matrix", "type": "expense"},
    ("POST", "/categories/reorder"): lambda o: {"ids": [o.category_id]},
    ("GET", "/categories/{category_id}"): None,
    ("PUT", "/categories/{category_id}"): lambda o: {"name": "Stolen"},
    ("DELETE", "/categories/{category_id}"): None,
    ("POST", "/categories/{category_id}/restore"): None,
    ("GET", "/transactions"): None,
    ("GET", "/transactions/totals"): None,
    ("POST", "/transactions"): lambda o: {**TX, "category_id": o.category_id},
    ("POST", "/transactions/bulk"): lambda o: {"items": [{**TX, "category_id": o.category_id}]},
    ("PUT", "/transactions/bulk-update"): lambda o: {
        "items": [{"id": o.transaction_id, "amount": "1.00"}]
    },
    ("POST", "/transactions/bulk-delete"): lambda o: {"ids": [o.transaction_id]},
    ("GET", "/transactions/{transaction_id}"): None,
    ("PUT", "/transactions/{transaction_id}"): lambda o: {"amount": "1.00"},
    ("DELETE", "/transactions/{transaction_id}"): None,
    ("POST", "/transactions/{transaction_id}/duplicate"): None,
    ("GET", "/accounts"): None,
    ("POST", "/accounts"): lambda o: {**CARD, "charged_to_id": o.bank_id},
    ("PUT", "/accounts/order"): lambda o: {"ids": [o.account_id, o.bank_id]},
    ("GET", "/accounts/{account_id}"): None,
    ("PATCH", "/accounts/{account_id}"): lambda o: {"name": "Stolen"},
    ("DELETE", "/accounts/{account_id}"): None,
    ("POST", "/accounts/{account_id}/archive"): None,
    ("POST", "/accounts/{account_id}/restore"): None,
    ("POST", "/accounts/{account_id}/default"): None,
    ("GET", "/accounts/{account_id}/statements"): None,
    ("GET", "/transfers"): None,
    ("POST", "/transfers"): lambda o: {
        "date": "2026-01-20",
        "amount": "100.00",
        "from_account_id": o.bank_id,
        "to_account_id": o.account_id,
    },
    ("GET", "/transfers/{transfer_id}"): None,
    ("PATCH", "/transfers/{transfer_id}"): lambda o: {"amount": "1.00"},
    ("DELETE", "/transfers/{transfer_id}"): None,
    ("GET", "/fixed"): None,
    ("POST", "/fixed"): lambda o: {**FIXED, "category_id": o.category_id},
    ("GET", "/fixed/{fixed_id}"): None,
    ("PUT", "/fixed/{fixed_id}"): lambda o: {"amount": "1.00"},
    ("DELETE", "/fixed/{fixed_id}"): None,
    ("POST", "/fixed/{fixed_id}/pause"): None,
    ("POST", "/fixed/{fixed_id}/resume"): None,
    ("GET", "/installments"): None,
    ("POST", "/installments"): lambda o: {**PLAN, "category_id": o.category_id},
    ("GET", "/installments/{plan_id}"): None,
    ("PUT", "/installments/{plan_id}"): lambda o: {"name": "Stolen"},
    ("DELETE", "/installments/{plan_id}"): None,
    ("GET", "/installments/{plan_id}/payments"): None,
    ("POST", "/installments/{plan_id}/mark-paid"): None,
    ("POST", "/installments/{plan_id}/reverse-payment"): None,
    ("GET", "/loans"): None,
    ("POST", "/loans"): lambda o: {**LOAN, "category_id": o.category_id},
    ("GET", "/loans/{loan_id}"): None,
    ("PUT", "/loans/{loan_id}"): lambda o: {"name": "Stolen"},
    ("DELETE", "/loans/{loan_id}"): None,
    ("GET", "/loans/{loan_id}/breakdown"): None,
    ("POST", "/loans/{loan_id}/payment"): None,
    ("POST", "/loans/{loan_id}/reverse-payment"): None,
    ("POST", "/loans/{loan_id}/prepayment"): lambda o: {"amount": "10.00", "mode": "shorten_term"},
    ("GET", "/dashboard/job-status"): None,
    ("GET", "/dashboard/booking-preview"): None,
    ("GET", "/dashboard/summary"): None,
    ("GET", "/dashboard/weekly"): None,
    ("GET", "/dashboard/monthly"): None,
    ("GET", "/dashboard/quarterly"): None,
    ("GET", "/dashboard/category-breakdown"): None,
    ("GET", "/dashboard/upcoming-payments"): None,
    ("GET", "/dashboard/top-expenses"): None,
    ("GET", "/dashboard/installments-summary"): None,
    ("GET", "/dashboard/loans-summary"): None,
    ("GET", "/dashboard/financial-health"): None,
    ("GET", "/balance"): None,
    ("POST", "/balance"): lambda o: {"amount": "100.00"},
    ("PUT", "/balance"): lambda o: {"amount": "100.00"},
    ("GET", "/balance/history"): None,
    ("GET", "/settings"): None,
    ("PUT", "/settings"): lambda o: {"forecast_horizon_months": 3},
    ("GET", "/forecast"): None,
    ("GET", "/forecast/daily"): None,
    ("GET", "/forecast/weekly"): None,
    ("GET", "/forecast/summary"): None,
    ("GET", "/forecast/explain"): None,
    ("POST", "/forecast/what-if"): lambda o: {
        "operations": [{"op": "pause_fixed", "fixed_id": o.fixed_id, "from_date": "2027-01-01"}]
    },
    ("POST", "/forecast/affordability"): lambda o: {"amount": "1000.00"},
    ("POST", "/forecast/compare"): lambda o: {"scenario_id": o.scenario_id},
    ("GET", "/forecast/scenarios"): None,
    ("POST", "/forecast/scenarios"): lambda o: {
        "name": "x",
        "operations": [
            {"op": "loan_prepayment", "loan_id": o.loan_id, "amount": "1.00", "date": "2027-01-01"}
        ],
    },
    ("GET", "/forecast/scenarios/{scenario_id}"): None,
    ("PUT", "/forecast/scenarios/{scenario_id}"): lambda o: {"name": "Stolen"},
    ("DELETE", "/forecast/scenarios/{scenario_id}"): None,
    ("GET", "/forecast/scenarios/{scenario_id}/compute"): None,
    ("GET", "/alerts"): None,
    ("GET", "/alerts/unread"): None,
    ("PUT", "/alerts/read-all"): None,
    ("PUT", "/alerts/{alert_id}/read"): None,
    ("PUT", "/alerts/{alert_id}/unread"): None,
    ("PUT", "/alerts/{alert_id}/snooze"): lambda o: {"until": "2099-01-01"},
    ("PUT", "/alerts/{alert_id}/dismiss"): None,
    ("GET", "/budgets"): None,
    ("PUT", "/budgets"): lambda o: {
        "category_id": o.expense_category_id,
        "month": "2027-01",
        "amount": "100.00",
    },
    ("POST", "/budgets/copy-previous"): lambda o: {"month": "2027-02"},
    ("DELETE", "/budgets/{budget_id}"): None,
    ("GET", "/budgets/summary"): None,
    ("GET", "/budgets/settings"): None,
    ("PUT", "/budgets/settings/{category_id}"): lambda o: {"rollover": True},
    ("GET", "/rates"): None,
    ("PUT", "/rates"): lambda o: {"day": "2026-01-01", "currency": "USD", "rate": "3.7"},
    ("GET", "/rates/{rate_id}"): None,
    ("DELETE", "/rates/{rate_id}"): None,
    ("POST", "/rates/import"): None,
    ("POST", "/import/transactions"): None,
    ("GET", "/export/transactions.csv"): None,
    ("GET", "/export/workbook.xlsx"): None,
    ("GET", "/export/report.pdf"): None,
}
# Routes where the victim's id travels in the body: refused as 404 (a path or a list of
# targets) or as 422 naming the field (a reference inside a new row).
BODY_ID_STATUS = {
    ("POST", "/categories/reorder"): 404,
    ("POST", "/transactions"): 422,
    ("POST", "/transactions/bulk"): 422,
    ("POST", "/accounts"): 422,
    ("PUT", "/accounts/order"): 422,
    ("POST", "/transfers"): 422,
    ("POST", "/fixed"): 422,
    ("POST", "/installments"): 422,
    ("POST", "/loans"): 422,
    ("POST", "/forecast/what-if"): 422,
    ("POST", "/forecast/compare"): 404,
    ("POST", "/forecast/scenarios"): 422,
    ("PUT", "/transactions/bulk-update"): 404,
    ("PUT", "/budgets"): 422,
    ("POST", "/transactions/bulk-delete"): 404,
    ("POST", "/households/current/transfer-ownership"): 404,
}


def api_routes(settings: Settings) -> set[tuple[str, str]]:
    """(method, path under the prefix) of every API route of a fresh app, from its schema."""
    app = create_app(settings)
    found = {
        (method.upper(), path.removeprefix(API_PREFIX))
        for path, operations in app.openapi()["paths"].items()
        if path.startswith(API_PREFIX)
        for method in operations
    }
    app.state.engine.dispose()
    return found


def concrete(path: str, owned: Owned | None = None) -> str:
    """Fill path parameters with the victim's ids (or 1 when there is no victim)."""

    def fill(match: re.Match[str]) -> str:
        if owned is None:
            return "1"
        return str(getattr(owned, match.group(1)))

    return re.sub(r"\{([^}]+)\}", fill, path)


def test_matrix_knows_every_route(settings: Settings) -> None:
    assert api_routes(settings) == PUBLIC | set(PROTECTED)


@pytest.mark.parametrize(("method", "path"), sorted(PROTECTED))
def test_anonymous_call_is_401(client: TestClient, method: str, path: str) -> None:
    response = client.request(method, API_PREFIX + concrete(path), json={})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_revoked_token_is_401_everywhere(
    client: TestClient, session: Session, settings: Settings
) -> None:
    user = make_user(session, settings)
    session.commit()
    login = client.post(
        f"{API_PREFIX}/auth/login", json={"username": user.username, "password": PASSWORD}
    ).json()
    headers = {"Authorization": f"Bearer {login['access_token']}"}
    assert client.post(f"{API_PREFIX}/auth/logout", headers=headers).status_code == 200
    for method, path in sorted(PROTECTED):
        response = client.request(method, API_PREFIX + concrete(path), headers=headers, json={})
        assert response.status_code == 401, (method, path)


def _snapshot(session: Session, user: User) -> list[tuple[Any, ...]]:
    session.expire_all()
    home = home_of(session, user).id
    sources = [
        tuple(row)
        for model in (FixedItem, InstallmentPlan, Loan)
        for row in session.execute(select(model.__table__).where(model.household_id == home)).all()
    ]
    bookings = session.execute(
        select(RecurringBooking.__table__).where(RecurringBooking.household_id == home)
    ).all()
    categories = session.execute(
        select(Category.id, Category.name, Category.archived_at, Category.sort_order).where(
            Category.household_id == home
        )
    ).all()
    transactions = session.execute(
        select(Transaction.id, Transaction.amount, Transaction.date).where(
            Transaction.household_id == home
        )
    ).all()
    others = [
        tuple(row)
        for model in (
            Account,
            Transfer,
            Scenario,
            Alert,
            BalanceRecord,
            HouseholdSettings,
            Budget,
            CategoryBudgetSettings,
            ExchangeRate,
        )
        for row in session.execute(select(model.__table__).where(model.household_id == home)).all()
    ]
    rows = [*categories, *transactions, *sources, *bookings, *others]
    return sorted(tuple(str(v) for v in row) for row in rows)


def _victim(client: TestClient, settings: Settings, victim: User) -> Owned:
    headers = bearer(settings, victim)
    category = client.get(f"{API_PREFIX}/categories", headers=headers).json()[0]
    tx = client.post(
        f"{API_PREFIX}/transactions",
        headers=headers,
        json={**TX, "type": category["type"], "category_id": category["id"]},
    )
    assert tx.status_code == 201, tx.text
    ids = {}
    for path, body in (("fixed", FIXED), ("installments", PLAN), ("loans", LOAN)):
        made = client.post(f"{API_PREFIX}/{path}", headers=headers, json=body)
        assert made.status_code == 201, made.text
        ids[path] = made.json()["id"]
    client.post(f"{API_PREFIX}/installments/{ids['installments']}/mark-paid", headers=headers)
    client.post(f"{API_PREFIX}/loans/{ids['loans']}/payment", headers=headers)
    scenario = client.post(
        f"{API_PREFIX}/forecast/scenarios",
        headers=headers,
        json={
            "name": "Mine",
            "operations": [
                {"op": "pause_fixed", "fixed_id": ids["fixed"], "from_date": "2027-01-01"}
            ],
        },
    )
    assert scenario.status_code == 201, scenario.text
    client.put(f"{API_PREFIX}/settings", headers=headers, json={"warning_threshold": "9999999.00"})
    alerts = client.get(f"{API_PREFIX}/alerts", headers=headers).json()
    assert alerts, "the victim needs an alert"
    expense = next(
        c
        for c in client.get(f"{API_PREFIX}/categories", headers=headers).json()
        if c["type"] == "expense"
    )
    budget = client.put(
        f"{API_PREFIX}/budgets",
        headers=headers,
        json={"category_id": expense["id"], "month": "2027-01", "amount": "100.00"},
    )
    assert budget.status_code == 200, budget.text
    rate = client.put(
        f"{API_PREFIX}/rates",
        headers=headers,
        json={"day": "2026-01-01", "currency": "USD", "rate": "3.7215"},
    )
    assert rate.status_code == 200, rate.text
    bank = client.get(f"{API_PREFIX}/accounts", headers=headers).json()[0]
    card = client.post(
        f"{API_PREFIX}/accounts", headers=headers, json={**CARD, "charged_to_id": bank["id"]}
    )
    assert card.status_code == 201, card.text
    transfer = client.post(
        f"{API_PREFIX}/transfers",
        headers=headers,
        json={
            "date": "2026-01-20",
            "amount": "250.00",
            "from_account_id": bank["id"],
            "to_account_id": card.json()["id"],
        },
    )
    assert transfer.status_code == 201, transfer.text
    invitation = client.post(
        f"{API_PREFIX}/households/current/invitations", headers=headers, json={"role": "viewer"}
    )
    assert invitation.status_code == 201, invitation.text
    return Owned(
        category_id=category["id"],
        transaction_id=tx.json()["id"],
        fixed_id=ids["fixed"],
        plan_id=ids["installments"],
        loan_id=ids["loans"],
        scenario_id=scenario.json()["id"],
        alert_id=alerts[0]["id"],
        budget_id=budget.json()["id"],
        expense_category_id=expense["id"],
        rate_id=rate.json()["id"],
        household_id=client.get(f"{API_PREFIX}/households/current", headers=headers).json()["id"],
        user_id=victim.id,
        invitation_id=invitation.json()["id"],
        bank_id=bank["id"],
        account_id=card.json()["id"],
        transfer_id=transfer.json()["id"],
    )


def test_another_users_ids_are_refused_and_nothing_changes(
    client: TestClient, session: Session, settings: Settings
) -> None:
    victim, intruder = make_user(session, settings), make_user(session, settings)
    session.commit()
    owned = _victim(client, settings, victim)
    before = _snapshot(session, victim)
    headers = bearer(settings, intruder)
    for (method, path), body in sorted(PROTECTED.items()):
        names_an_id = "{" in path or (method, path) in BODY_ID_STATUS
        if not names_an_id:
            continue
        payload = body(owned) if body else None
        response = client.request(
            method, API_PREFIX + concrete(path, owned), headers=headers, json=payload
        )
        expected = BODY_ID_STATUS.get((method, path), 404)
        assert response.status_code == expected, (method, path, response.text)
        if expected == 422:
            named = response.json()["detail"][0]["loc"][-1]
            assert named in {
                "category_id",
                "fixed_id",
                "loan_id",
                "charged_to_id",
                "ids",
                "from_account_id",
            }, (method, path, named)
    assert _snapshot(session, victim) == before
