"""Rates and original amounts over HTTP: CRUD, the Bank of Israel import, refusals, the CLI."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from domain.db.models import ExchangeRate, Household, Transaction, User
from tests.conftest import home_of
from tests.test_rates import SDMX_CSV

API = "/api/v1"


def _rates(session: Session, household: Household) -> int:
    session.expire_all()
    return int(
        session.scalar(select(func.count()).where(ExchangeRate.household_id == household.id)) or 0
    )


def test_set_list_get_and_delete_a_rate(
    client: TestClient, session: Session, household: Household, headers: dict[str, str]
) -> None:
    body = {"day": "2026-01-01", "currency": "USD", "rate": "3.7215"}
    made = client.put(f"{API}/rates", headers=headers, json=body)
    assert made.status_code == 200, made.text
    assert made.json() | {"id": 0} == {
        "id": 0,
        "day": "2026-01-01",
        "currency": "USD",
        "base": "ILS",
        "rate": "3.721500",
        "source": "manual",
    }
    rate_id = made.json()["id"]
    again = client.put(f"{API}/rates", headers=headers, json={**body, "rate": "3.8"}).json()
    assert again["id"] == rate_id
    assert again["rate"] == "3.800000"
    listed = client.get(f"{API}/rates", headers=headers, params={"currency": "USD"}).json()
    assert [r["id"] for r in listed] == [rate_id]
    assert client.get(f"{API}/rates/{rate_id}", headers=headers).json()["rate"] == "3.800000"
    assert client.delete(f"{API}/rates/{rate_id}", headers=headers).status_code == 200
    assert client.get(f"{API}/rates/{rate_id}", headers=headers).status_code == 404
    assert _rates(session, household) == 0


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"rate": 3.7}, "rate"),
        ({"rate": "3.1234567"}, "rate"),
        ({"rate": "0"}, "rate"),
        ({"rate": "-1"}, "rate"),
        ({"currency": "usd"}, "currency"),
        ({"currency": "ILS"}, "currency"),
        ({"day": "2026-02-30"}, "day"),
    ],
)
def test_a_bad_rate_is_refused_naming_the_field_and_nothing_is_written(
    client: TestClient,
    session: Session,
    household: Household,
    headers: dict[str, str],
    change: dict[str, Any],
    field: str,
) -> None:
    body = {"day": "2026-01-01", "currency": "USD", "rate": "3.7215", **change}
    response = client.put(f"{API}/rates", headers=headers, json=body)
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"][-1] == field
    assert _rates(session, household) == 0


def test_import_a_bank_of_israel_file(
    client: TestClient, session: Session, household: Household, headers: dict[str, str]
) -> None:
    files = {"file": ("rates.csv", SDMX_CSV, "text/csv")}
    response = client.post(f"{API}/rates/import", headers=headers, files=files)
    assert response.status_code == 200, response.text
    assert response.json() == {
        "stored": 4,
        "currencies": ["EUR", "JPY", "USD"],
        "first_day": "2026-01-01",
        "last_day": "2026-01-02",
        "skipped": ["GBP 2026-01-01: no value"],
    }
    bad = client.post(
        f"{API}/rates/import", headers=headers, files={"file": ("x.csv", b"a,b\n1,2\n")}
    )
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"][-1] == "file"
    assert _rates(session, household) == 4


def test_a_transaction_keeps_its_original_amount_and_currency(
    client: TestClient, session: Session, household: Household, headers: dict[str, str]
) -> None:
    body = {"date": "2026-01-15", "amount": "372.15", "type": "expense"}
    made = client.post(
        f"{API}/transactions",
        headers=headers,
        json={**body, "original_amount": "100.00", "original_currency": "USD"},
    )
    assert made.status_code == 201, made.text
    assert (made.json()["original_amount"], made.json()["original_currency"]) == ("100.00", "USD")
    listed = client.get(f"{API}/transactions", headers=headers).json()["items"]
    assert (listed[0]["original_amount"], listed[0]["original_currency"]) == ("100.00", "USD")
    cleared = client.put(
        f"{API}/transactions/{made.json()['id']}",
        headers=headers,
        json={"original_amount": None, "original_currency": None},
    )
    assert cleared.status_code == 200, cleared.text
    assert cleared.json()["original_amount"] is None


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"original_amount": "100.00"}, "original_currency"),
        ({"original_currency": "USD"}, "original_amount"),
        ({"original_amount": "0.00", "original_currency": "USD"}, "original_amount"),
        ({"original_amount": "1.00", "original_currency": "usd"}, "original_currency"),
    ],
)
def test_an_original_amount_comes_with_its_currency(
    client: TestClient,
    session: Session,
    household: Household,
    headers: dict[str, str],
    extra: dict[str, str],
    field: str,
) -> None:
    body = {"date": "2026-01-15", "amount": "372.15", "type": "expense", **extra}
    response = client.post(f"{API}/transactions", headers=headers, json=body)
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"][-1] == field
    session.expire_all()
    assert session.scalar(select(func.count()).where(Transaction.household_id == household.id)) == 0


def test_cashflow_rates_import_stores_the_file_for_the_user(
    committed_user: User, engine: Engine, tmp_path: Path
) -> None:
    path = tmp_path / "boi.csv"
    path.write_bytes(SDMX_CSV)
    argv = [sys.executable, "-m", "cashflow", "rates", "import", str(path)]
    done = subprocess.run(
        [*argv, "--username", committed_user.username], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "stored 4 rates (EUR, JPY, USD)" in done.stdout
    with sessionmaker(bind=engine)() as session:
        home = home_of(session, committed_user).id
        count = session.scalar(select(func.count()).where(ExchangeRate.household_id == home))
    assert count == 4
    unknown = subprocess.run(
        [*argv, "--username", "nobody-here"], capture_output=True, text=True, check=False
    )
    assert unknown.returncode == 1
    assert "username" in unknown.stderr
