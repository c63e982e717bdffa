"""Safe to spend, affordability and the empty account over HTTP, on the real database."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import cast

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from api.deps import get_today
from domain.config import Settings
from domain.db.models import User
from domain.services import balance, dashboard, fixed, household_settings
from tests.builders import make_transaction
from tests.conftest import bearer, home_of, make_user

D = Decimal
API = "/api/v1"
TODAY = date(2027, 1, 15)


@pytest.fixture
def on_today(client: TestClient) -> Iterator[TestClient]:
    """The API client, with today pinned to 15 January 2027."""
    app = cast("FastAPI", client.app)
    app.dependency_overrides[get_today] = lambda: TODAY
    yield client
    app.dependency_overrides.pop(get_today)


def _ledger(session: Session, settings: Settings) -> User:
    """The hand-computed ledger of tests/test_safe_to_spend.py, stored for real."""
    user = make_user(session, settings)
    home = home_of(session, user)
    balance.record_balance(session, home, amount=D("3000.00"), as_of=TODAY, today=TODAY)
    for name, amount, flow, day in (
        ("Salary", "6000.00", "income", 25),
        ("Rent", "5000.00", "expense", 1),
    ):
        fixed.create_fixed(
            session,
            home,
            name=name,
            amount=D(amount),
            type=flow,
            frequency="monthly",
            start_date=date(2027, 1, 16),
            day_of_month=day,
        )
    make_transaction(session, home, amount="2500.00", on=date(2027, 2, 5), description="Insurance")
    make_transaction(session, home, amount="3000.00", on=date(2027, 5, 3), description="Car")
    session.commit()
    return user


def test_safe_to_spend_over_the_api_binds_on_the_low_after_payday(
    on_today: TestClient, session: Session, settings: Settings
) -> None:
    headers = bearer(settings, _ledger(session, settings))
    summary = on_today.get(f"{API}/forecast/summary", headers=headers).json()
    safe = summary["safe_to_spend"]
    # balance 3,000; payday 25 January; 1,500.00 left on 5 February after rent and insurance
    assert (safe["amount"], safe["headroom"], safe["cautious"]["amount"]) == (
        "500.00",
        "2000.00",
        "500.00",
    )
    assert (safe["binding"], safe["binding_date"], safe["lowest"]) == (
        "lowest_point",
        "2027-02-05",
        "1500.00",
    )
    assert [(e["date"], e["label"], e["amount"]) for e in safe["drivers"]] == [
        ("2027-01-25", "Salary", "6000.00"),
        ("2027-02-01", "Rent", "-5000.00"),
        ("2027-02-05", "Insurance", "-2500.00"),
    ]
    assert safe["cautious"]["label"] == "cautious (P10 path)"
    assert safe["reason"] is None
    kpis = on_today.get(f"{API}/dashboard/summary", headers=headers).json()
    assert (kpis["safe_to_spend"], kpis["safe_to_spend_cautious"], kpis["has_data"]) == (
        "500.00",
        "500.00",
        True,
    )
    assert kpis["safe_to_spend_detail"]["binding_date"] == "2027-02-05"


def test_nothing_safe_to_spend_says_which_day_and_shortfall_over_the_api(
    on_today: TestClient, session: Session, settings: Settings
) -> None:
    user = _ledger(session, settings)
    household_settings.update_household_settings(
        session, home_of(session, user), {"warning_threshold": D("2000.00")}
    )
    session.commit()
    safe = on_today.get(f"{API}/forecast/summary", headers=bearer(settings, user)).json()[
        "safe_to_spend"
    ]
    assert (safe["amount"], safe["shortfall"], safe["binding_date"]) == (
        "0.00",
        "500.00",
        "2027-02-05",
    )
    assert "2027-02-05" in safe["reason"]
    assert "500.00 below the warning level" in safe["reason"]


def test_affordability_checks_installments_past_the_horizon_and_states_the_window(
    on_today: TestClient, session: Session, settings: Settings
) -> None:
    user = make_user(session, settings)
    balance.record_balance(
        session, home_of(session, user), amount=D("5000.00"), as_of=TODAY, today=TODAY
    )
    session.commit()
    headers = bearer(settings, user)
    dear = on_today.post(
        f"{API}/forecast/affordability", headers=headers, json={"amount": "10000.00"}
    ).json()
    # only 4,000.00 can leave (5,000 down to the 1,000 warning) and there is no income: the
    # six-month horizon holds 7 of 18 payments of 555.56 (3,888.92), yet all 18 are due
    assert (dear["affordable"], dear["installments"]) == (False, None)
    # 36 installments, the last on 15 December 2029, plus one month
    assert (dear["checked_from"], dear["checked_through"]) == ("2027-01-15", "2030-01-15")
    assert (dear["lowest"], dear["lowest_date"]) == ("-5000.00", "2029-12-15")
    assert "through 2030-01-15" in dear["message"]
    cheap = on_today.post(
        f"{API}/forecast/affordability", headers=headers, json={"amount": "4000.00"}
    ).json()
    # paid at once: checked over the six-month horizon (through 15 July), not one month
    assert (cheap["installments"], cheap["checked_through"]) == (1, "2027-07-15")
    far = on_today.post(
        f"{API}/forecast/affordability",
        headers=headers,
        json={"amount": "100.00", "date": "2030-01-16"},
    )
    assert far.status_code == 422
    assert far.json()["detail"][0]["loc"][-1] == "date"


def test_an_empty_account_has_no_score_and_nothing_negative_to_spend(
    on_today: TestClient, session: Session, settings: Settings
) -> None:
    user = make_user(session, settings)
    session.commit()
    headers = bearer(settings, user)
    kpis = on_today.get(f"{API}/dashboard/summary", headers=headers).json()
    assert (kpis["has_data"], kpis["safe_to_spend"]) == (False, "0.00")
    health = on_today.get(f"{API}/dashboard/financial-health", headers=headers).json()
    assert (health["status"], health["score"]) == ("not_enough_data", None)
    assert health["reason"].startswith("Not enough data yet")


def test_any_one_record_makes_an_account_not_empty(session: Session, settings: Settings) -> None:
    home = home_of(session, make_user(session, settings))
    assert dashboard.has_data(session, home) is False
    balance.record_balance(session, home, amount=D("0.00"), as_of=TODAY, today=TODAY)
    assert dashboard.has_data(session, home) is True
    other = home_of(session, make_user(session, settings))
    make_transaction(session, other, amount="1.00", on=TODAY)
    assert dashboard.has_data(session, other) is True
    assert dashboard.has_data(session, home_of(session, make_user(session, settings))) is False


def test_health_with_three_months_of_history_keeps_its_score(
    session: Session, settings: Settings
) -> None:
    home = home_of(session, make_user(session, settings))
    for month in (10, 11, 12):
        make_transaction(
            session,
            home,
            amount="1000.00",
            on=date(2026, month, 3),
            type="income",
            category="Salary",
        )
        make_transaction(session, home, amount="800.00", on=date(2026, month, 9))
    health = dashboard.financial_health(session, home, TODAY)
    # savings 20% -> 40; balance 600 is 0.75 of a month's 800 -> 7.5; no debt -> 20; the
    # forecast stays below the 1,000.00 warning -> 0
    assert (health.status, health.score, health.reason) == ("ok", 67, None)
