"""The budgets page and the home's budgets at risk, driven with AppTest on the real database."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import numpy as np
import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker
from streamlit.testing.v1 import AppTest

from domain.db.models import Budget, User
from domain.rules.budgets import BudgetDraft, month_of
from domain.rules.dates import local_today
from domain.services import budgets
from tests.builders import category_named, make_transaction
from tests.conftest import home_of
from tests.test_ui_ledger import _edit, _logged_in


@pytest.fixture
def db(engine: Engine) -> Iterator[Session]:
    """A session on committed data (the app runs its own units of work)."""
    with sessionmaker(bind=engine, expire_on_commit=False)() as session:
        yield session


@pytest.fixture
def planned(committed_user: User, db: Session) -> User:
    """A user whose household spent 600 on groceries this month against a budget of 1,000."""
    home = home_of(db, committed_user)
    today = local_today(datetime.now(UTC), home.timezone)
    make_transaction(db, home, amount="600.00", on=today)
    groceries = category_named(db, home, "Groceries").id
    budgets.set_budget(db, home, BudgetDraft(groceries, month_of(today), Decimal("1000.00")))
    db.commit()
    return committed_user


def _values(trace: dict[str, Any], axis: str) -> list[float]:
    """A trace's numbers, whether plotly sent a list or typed binary."""
    raw = trace[axis]
    if isinstance(raw, dict):
        return [float(v) for v in np.frombuffer(base64.b64decode(raw["bdata"]), raw["dtype"])]
    return [float(v) for v in raw]


def _bars(at: AppTest) -> dict[str, dict[str, Any]]:
    spec = next(
        json.loads(chart.proto.spec)
        for chart in at.get("plotly_chart")
        if "budgets_bars" in chart.proto.id
    )
    return {trace["name"]: trace for trace in spec["data"]}


def test_budgets_page_shows_bars_against_budget_with_todays_marker(planned: User) -> None:
    at = _logged_in(planned, "budgets")
    assert at.title[0].value == "Budgets"
    bars = _bars(at)
    assert bars["Budget"]["y"] == ["Groceries"]
    assert _values(bars["Budget"], "x") == [1000.0]
    assert _values(bars["Spent"], "x") == [600.0]
    marker = _values(bars["Where spending should be by today"], "x")[0]
    assert 0 < marker <= 1000
    table = at.dataframe[-1].value
    assert list(table["Left"]) == ["₪400.00"]
    assert str(table["Per day"].iloc[0]).startswith("₪")


def test_editing_a_budget_in_the_grid_stores_it_and_redraws_the_bars(
    planned: User, db: Session
) -> None:
    at = _logged_in(planned, "budgets")
    home = home_of(db, planned)
    rent_row = 0  # expense categories in display order: Rent first
    at = _edit(at, "budgets_editor_key", {str(rent_row): {"amount": "4,500"}})
    assert not at.exception
    assert not at.error, [e.value for e in at.error]
    db.expire_all()
    rent = category_named(db, home, "Rent").id
    stored = db.scalars(select(Budget).where(Budget.household_id == home.id)).all()
    assert {(b.category_id, b.amount, b.kind) for b in stored if b.category_id == rent} == {
        (rent, Decimal("4500.00"), "standing")
    }
    assert set(_bars(at)["Budget"]["y"]) == {"Rent", "Groceries"}
    at = _edit(at, "budgets_editor_key", {str(rent_row): {"amount": "-5"}})
    assert any("amount" in e.value for e in at.error)


def test_home_shows_the_budgets_most_at_risk(planned: User) -> None:
    at = _logged_in(planned, "home")
    assert not at.exception
    assert "Budgets most at risk" in [s.value for s in at.subheader]
    assert "Groceries" in [m.label for m in at.metric]
