"""Fixed items, installments and loans over HTTP."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from domain.config import Settings
from domain.db.models import FixedItem, Household, InstallmentPlan, Loan, Transaction, User
from domain.services.booking import run_booking_pass
from domain.services.jobs import finish_job_run, start_job_run
from tests.conftest import bearer, make_user

API = "/api/v1"
FIXED = {"name": "Salary", "amount": "12500.00", "type": "income", "start_date": "2026-01-10"}
PLAN = {
    "name": "Television",
    "total_amount": "1000.00",
    "payments_count": 3,
    "first_payment_date": "2026-01-31",
}
LOAN = {
    "name": "Car loan",
    "principal": "100000.00",
    "annual_rate": "5.0",
    "term_months": 12,
    "first_payment_date": "2026-01-31",
}


def _rows(session: Session, household: Household) -> int:
    total = 0
    for model in (FixedItem, InstallmentPlan, Loan, Transaction):
        total += session.scalar(select(func.count()).where(model.household_id == household.id)) or 0
    return total


BAD = [
    ("installments", {**PLAN, "payments_count": 0}, "payments_count"),
    ("installments", {**PLAN, "payments_count": 361}, "payments_count"),
    ("installments", {**PLAN, "day_of_month": 32}, "day_of_month"),
    ("installments", {**PLAN, "total_amount": "0.02", "payments_count": 3}, "payments_count"),
    ("installments", {**PLAN, "total_amount": "1.00", "payments_count": 360}, "payments_count"),
    ("installments", {**PLAN, "total_amount": "0"}, "total_amount"),
    ("loans", {**LOAN, "annual_rate": "-1"}, "annual_rate"),
    ("loans", {**LOAN, "annual_rate": 5.5}, "annual_rate"),
    ("loans", {**LOAN, "term_months": 0}, "term_months"),
    (
        "loans",
        {**LOAN, "principal": "9999999999999.99", "annual_rate": "100", "term_months": 1},
        "principal",
    ),
    ("loans", {**LOAN, "day_of_month": 0}, "day_of_month"),
    ("loans", {**LOAN, "payment": "100.00"}, "payment"),
    ("fixed", {**FIXED, "end_date": "2025-12-31"}, "end_date"),
    ("fixed", {**FIXED, "day_of_month": 0}, "day_of_month"),
    ("fixed", {**FIXED, "day_of_month": 32}, "day_of_month"),
    ("fixed", {**FIXED, "frequency": "daily"}, "frequency"),
    ("fixed", {**FIXED, "frequency": "weekly", "day_of_month": 5}, "day_of_month"),
    ("fixed", {**FIXED, "amount": "-5"}, "amount"),
]


@pytest.mark.parametrize(("path", "body", "field"), BAD)
def test_bad_input_is_422_naming_the_field_and_writes_nothing(
    client: TestClient,
    session: Session,
    household: Household,
    headers: dict[str, str],
    path: str,
    body: dict[str, Any],
    field: str,
) -> None:
    before = _rows(session, household)
    response = client.post(f"{API}/{path}", headers=headers, json=body)
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"][-1] == field
    assert _rows(session, household) == before


def test_fixed_item_lifecycle_with_pause_and_resume(
    client: TestClient, headers: dict[str, str]
) -> None:
    made = client.post(f"{API}/fixed", headers=headers, json=FIXED)
    assert made.status_code == 201, made.text
    item = made.json()
    assert item["day_of_month"] == 10
    assert item["paused"] is False
    assert len(item["next_dates"]) == 3
    paused = client.post(f"{API}/fixed/{item['id']}/pause", headers=headers, json={})
    assert paused.json()["paused"] is True
    again = client.post(f"{API}/fixed/{item['id']}/pause", headers=headers, json={})
    assert again.status_code == 409
    resumed = client.post(f"{API}/fixed/{item['id']}/resume", headers=headers, json={})
    assert resumed.json()["paused"] is False
    changed = client.put(f"{API}/fixed/{item['id']}", headers=headers, json={"amount": "13000"})
    assert changed.json()["amount"] == "13000.00"
    assert client.delete(f"{API}/fixed/{item['id']}", headers=headers).status_code == 204
    assert client.get(f"{API}/fixed/{item['id']}", headers=headers).status_code == 404


def test_installment_schedule_mark_paid_and_reverse(
    client: TestClient, session: Session, household: Household, headers: dict[str, str]
) -> None:
    plan = client.post(f"{API}/installments", headers=headers, json=PLAN).json()
    schedule = client.get(f"{API}/installments/{plan['id']}/payments", headers=headers).json()
    assert [(p["date"], p["amount"]) for p in schedule] == [
        ("2026-01-31", "333.34"),
        ("2026-02-28", "333.33"),
        ("2026-03-31", "333.33"),
    ]
    paid = client.post(f"{API}/installments/{plan['id']}/mark-paid", headers=headers)
    assert paid.json()["number"] == 1
    assert paid.json()["paid"] is True
    progress = client.get(f"{API}/installments/{plan['id']}", headers=headers).json()["progress"]
    assert progress == {
        "paid_count": 1,
        "paid_amount": "333.34",
        "remaining_count": 2,
        "remaining_amount": "666.66",
        "next_date": "2026-02-28",
    }
    reversed_ = client.post(f"{API}/installments/{plan['id']}/reverse-payment", headers=headers)
    assert reversed_.json()["progress"]["paid_count"] == 0
    nothing = client.post(f"{API}/installments/{plan['id']}/reverse-payment", headers=headers)
    assert nothing.status_code == 409
    assert session.scalar(select(func.count()).where(Transaction.household_id == household.id)) == 0


def test_loan_breakdown_payment_and_prepayment(client: TestClient, headers: dict[str, str]) -> None:
    loan = client.post(f"{API}/loans", headers=headers, json=LOAN).json()
    assert loan["payment"] == "8560.75"
    assert loan["remaining_balance"] == "100000.00"
    rows = client.get(f"{API}/loans/{loan['id']}/breakdown", headers=headers).json()
    assert len(rows) == 12
    assert rows[0] == {
        "number": 1,
        "date": "2026-01-31",
        "payment": "8560.75",
        "principal": "8144.08",
        "interest": "416.67",
        "balance": "91855.92",
        "prepayment": "0.00",
        "paid": False,
    }
    assert rows[-1]["balance"] == "0.00"
    after = client.post(f"{API}/loans/{loan['id']}/payment", headers=headers).json()
    assert after["paid_count"] == 1
    assert after["remaining_balance"] == "91855.92"
    too_much = client.post(
        f"{API}/loans/{loan['id']}/prepayment",
        headers=headers,
        json={"amount": "95000.00", "mode": "shorten_term"},
    )
    assert too_much.status_code == 422
    prepaid = client.post(
        f"{API}/loans/{loan['id']}/prepayment",
        headers=headers,
        json={"amount": "30000.00", "mode": "lower_payment", "date": "2026-02-01"},
    ).json()
    assert prepaid["remaining_balance"] == "61855.92"
    rows = client.get(f"{API}/loans/{loan['id']}/breakdown", headers=headers).json()
    assert rows[1]["prepayment"] == "30000.00"
    assert rows[1]["payment"] != rows[0]["payment"]
    assert len(rows) == 12
    back = client.post(f"{API}/loans/{loan['id']}/reverse-payment", headers=headers).json()
    assert back["paid_count"] == 0


def test_job_status_shows_only_my_share(
    client: TestClient, session: Session, settings: Settings, user: User, headers: dict[str, str]
) -> None:
    client.post(f"{API}/fixed", headers=headers, json=FIXED)
    other = make_user(session, settings)
    session.commit()
    client.post(f"{API}/fixed", headers=bearer(settings, other), json=FIXED)
    preview = client.get(
        f"{API}/dashboard/booking-preview", headers=headers, params={"through": "2026-03-10"}
    ).json()
    assert [p["due_date"] for p in preview] == ["2026-01-10", "2026-02-10", "2026-03-10"]
    now = datetime.now(UTC)
    run = start_job_run(session, job="booking", started_at=now)
    report = run_booking_pass(session, now=now, as_of=date(2026, 3, 10), run_id=run.id)
    finish_job_run(
        run,
        finished_at=now,
        status="ok",
        details={"booked": {str(k): v for k, v in report.booked.items()}, "errors": {}},
    )
    session.commit()
    runs = client.get(f"{API}/dashboard/job-status", headers=headers).json()
    mine = next(r for r in runs if r["id"] == run.id)
    assert mine["booked_for_you"] == 3
    assert mine["booked_total"] is None  # totals are for admins
    assert set(mine) == {
        "id",
        "job",
        "started_at",
        "finished_at",
        "status",
        "booked_for_you",
        "error_for_you",
        "booked_total",
        "errors_total",
    }  # nothing about other users


def test_annual_rate_reads_back_in_one_form(client: TestClient, headers: dict[str, str]) -> None:
    created = client.post(f"{API}/loans", headers=headers, json={**LOAN, "annual_rate": "5"})
    loan_id = created.json()["id"]
    seen = [
        created.json()["annual_rate"],
        client.get(f"{API}/loans/{loan_id}", headers=headers).json()["annual_rate"],
        client.get(f"{API}/loans", headers=headers).json()[0]["annual_rate"],
    ]
    assert seen == ["5.00"] * 3
    changed = client.put(f"{API}/loans/{loan_id}", headers=headers, json={"annual_rate": "4.1250"})
    again = client.get(f"{API}/loans/{loan_id}", headers=headers)
    assert [changed.json()["annual_rate"], again.json()["annual_rate"]] == ["4.125", "4.125"]
    schema = client.get("/openapi.json").json()["components"]["schemas"]["LoanOut"]
    assert schema["properties"]["annual_rate"]["pattern"] == r"^[0-9]{1,3}\.[0-9]{2,4}$"


def test_a_prepayment_of_the_whole_balance_shows_and_ends_the_loan(
    client: TestClient, headers: dict[str, str]
) -> None:
    loan = client.post(f"{API}/loans", headers=headers, json=LOAN).json()
    client.post(f"{API}/loans/{loan['id']}/payment", headers=headers)
    paid_off = client.post(
        f"{API}/loans/{loan['id']}/prepayment",
        headers=headers,
        json={"amount": "91855.92", "mode": "shorten_term", "date": "2026-02-10"},
    ).json()
    assert (paid_off["remaining_balance"], paid_off["next_date"]) == ("0.00", None)
    assert paid_off["end_date"] == "2026-02-10"
    rows = client.get(f"{API}/loans/{loan['id']}/breakdown", headers=headers).json()
    assert [(r["date"], r["payment"], r["prepayment"], r["balance"]) for r in rows] == [
        ("2026-01-31", "8560.75", "0.00", "91855.92"),
        ("2026-02-10", "0.00", "91855.92", "0.00"),
    ]
    done = client.post(f"{API}/loans/{loan['id']}/payment", headers=headers)
    assert done.status_code == 409


def test_a_change_that_would_leave_parts_of_zero_is_refused(
    client: TestClient, session: Session, user: User, headers: dict[str, str]
) -> None:
    plan = client.post(
        f"{API}/installments", headers=headers, json={**PLAN, "total_amount": "1.00"}
    ).json()
    for change in ({"payments_count": 360}, {"total_amount": "0.02"}):
        response = client.put(f"{API}/installments/{plan['id']}", headers=headers, json=change)
        assert response.status_code == 422, response.text
        detail = response.json()["detail"][0]
        assert detail["loc"][-1] == "payments_count"
        assert "the most that works is" in detail["msg"]
    session.expire_all()
    stored = session.get(InstallmentPlan, plan["id"])
    assert stored is not None
    assert (stored.total_amount, stored.payments_count) == (Decimal("1.00"), 3)
