"""Races over HTTP against a real API process and real PostgreSQL: no 500, no false "OK"."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from sqlalchemy import Engine, text

from tests.conftest import PASSWORD, forget_people
from tests.servers import api_process

API = "/api/v1"
CALLS = 10


@pytest.fixture(scope="module")
def api_base(database_url: str) -> Iterator[str]:
    """`cashflow api` against the test database: every request commits for real."""
    with api_process(database_url) as base:
        yield base


@pytest.fixture
def auth(api_base: str, engine: Engine) -> Iterator[dict[str, str]]:
    """A fresh registered user's bearer headers; they and their household go afterwards."""
    name = f"race{uuid.uuid4().hex[:8]}"
    with httpx.Client(base_url=api_base) as http:
        http.post(f"{API}/auth/register", json={"username": name, "password": PASSWORD})
        login = http.post(f"{API}/auth/login", json={"username": name, "password": PASSWORD})
        token = login.json()["access_token"]
    yield {"Authorization": f"Bearer {token}"}
    with engine.connect() as conn:
        ids = conn.scalars(text("SELECT id FROM users WHERE username = :name"), {"name": name})
        forget_people(engine, list(ids))


def _at_once(calls: int, call: Callable[[httpx.Client], httpx.Response]) -> list[httpx.Response]:
    """`calls` requests at the same moment, each on its own connection."""
    clients = [httpx.Client(timeout=60) for _ in range(calls)]
    try:
        with ThreadPoolExecutor(max_workers=calls) as pool:
            return list(pool.map(call, clients))
    finally:
        for client in clients:
            client.close()


def test_concurrent_mark_paid_books_one_part_per_ok(api_base: str, auth: dict[str, str]) -> None:
    plan = httpx.post(
        f"{api_base}{API}/installments",
        headers=auth,
        json={
            "name": "Sofa",
            "total_amount": "1200.00",
            "payments_count": 4,
            "first_payment_date": "2026-01-10",
        },
    ).json()
    url = f"{api_base}{API}/installments/{plan['id']}/mark-paid"
    answers = _at_once(CALLS, lambda http: http.post(url, headers=auth))
    codes = Counter(a.status_code for a in answers)
    assert codes == {200: 4, 409: 6}, [a.text for a in answers]
    numbers = sorted(a.json()["number"] for a in answers if a.status_code == 200)
    assert numbers == [1, 2, 3, 4]
    payments = httpx.get(f"{api_base}{API}/installments/{plan['id']}/payments", headers=auth)
    assert [p["paid"] for p in payments.json()] == [True] * 4


def test_concurrent_loan_payments_book_one_period_per_ok(
    api_base: str, auth: dict[str, str]
) -> None:
    loan = httpx.post(
        f"{api_base}{API}/loans",
        headers=auth,
        json={
            "name": "Car",
            "principal": "12000.00",
            "annual_rate": "0",
            "term_months": 12,
            "first_payment_date": "2026-01-10",
        },
    ).json()
    url = f"{api_base}{API}/loans/{loan['id']}/payment"
    answers = _at_once(CALLS, lambda http: http.post(url, headers=auth))
    assert {a.status_code for a in answers} == {200}, [a.text for a in answers]
    after = httpx.get(f"{api_base}{API}/loans/{loan['id']}", headers=auth).json()
    assert after["paid_count"] == CALLS
    assert after["remaining_balance"] == "2000.00"
    rows = httpx.get(f"{api_base}{API}/loans/{loan['id']}/breakdown", headers=auth).json()
    assert [r["paid"] for r in rows] == [True] * CALLS + [False] * 2


def test_concurrent_alert_refreshes_never_answer_500(
    api_base: str, auth: dict[str, str], engine: Engine
) -> None:
    me = httpx.get(f"{api_base}{API}/auth/me", headers=auth).json()
    with engine.connect() as conn:  # the household the requests act in: the personal one
        home = conn.scalar(
            text("SELECT default_household_id FROM users WHERE id = :id"), {"id": me["id"]}
        )
    low = {"amount": "100.00", "as_of": "2026-01-01"}
    assert httpx.post(f"{api_base}{API}/balance", headers=auth, json=low).status_code == 201
    url = f"{api_base}{API}/alerts"
    codes: Counter[int] = Counter()
    for _ in range(10):  # 10 rounds of 8 first evaluations at once: 80 refreshes
        with engine.begin() as conn:
            conn.execute(
                text(
                    "UPDATE household_settings SET alerts_fingerprint = NULL"
                    " WHERE household_id = :id"
                ),
                {"id": home},
            )
            conn.execute(
                text("UPDATE alerts SET resolved_at = now() WHERE household_id = :id"),
                {"id": home},
            )
        answers = _at_once(8, lambda http: http.get(url, headers=auth))
        codes.update(a.status_code for a in answers)
        assert all(len(a.json()) == 1 for a in answers if a.status_code == 200)
    assert codes == {200: 80}
    with engine.connect() as conn:
        open_alerts = conn.execute(
            text("SELECT count(*) FROM alerts WHERE household_id = :id AND resolved_at IS NULL"),
            {"id": home},
        ).scalar()
    assert open_alerts == 1
