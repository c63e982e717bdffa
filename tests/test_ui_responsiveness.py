"""A rerun does only its page's work: cached forecasts, alerts off the render path, grid saves.

Behaviour, not timing (timing lives in `make bench`): what is computed, refreshed or saved,
counted through wrappers around the functions that do it.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
import streamlit as st
from sqlalchemy import Engine
from sqlalchemy.orm import sessionmaker
from streamlit.testing.v1 import AppTest

import streamlit_app.cache
from domain.db.models import Transaction, User
from domain.rules.dates import local_today
from domain.rules.ledger import TransactionDraft
from domain.services import alerts, balance, fixed, forecasting, transactions
from domain.services.booking import run_booking_pass
from tests.conftest import home_of
from tests.test_ui_ledger import _logged_in


class Calls:
    """A wrapper that counts the calls of the function it replaces."""

    def __init__(self, real: Callable[..., Any]) -> None:
        self.real = real
        self.count = 0

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Count, then call the real function."""
        self.count += 1
        return self.real(*args, **kwargs)


@pytest.fixture(autouse=True)
def _empty_caches() -> None:
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture
def forecasts(monkeypatch: pytest.MonkeyPatch) -> Calls:
    """Counts the forecasts the UI computes for its pages."""
    calls = Calls(forecasting.forecast_for)
    monkeypatch.setattr(streamlit_app.cache, "forecast_for", calls)
    return calls


@pytest.fixture
def refreshes(monkeypatch: pytest.MonkeyPatch) -> Calls:
    """Counts the alerts refreshes."""
    calls = Calls(alerts.refresh_alerts)
    monkeypatch.setattr(alerts, "refresh_alerts", calls)
    return calls


@pytest.fixture
def resident(engine: Engine, committed_user: User) -> User:
    """The committed user's household: a balance and a salary that started 40 days ago."""
    with sessionmaker(bind=engine, expire_on_commit=False)() as session, session.begin():
        home = home_of(session, committed_user)
        today = local_today(datetime.now(UTC), home.timezone)
        balance.record_balance(session, home, amount=Decimal("6000.00"), as_of=today, today=today)
        fixed.create_fixed(
            session,
            home,
            name="Salary",
            amount=Decimal("9000.00"),
            type="income",
            frequency="weekly",
            start_date=today - timedelta(days=40),
        )
    return committed_user


def _record_expense(engine: Engine, user: User) -> None:
    """Another unit of work (another member, the API) records an expense."""
    with sessionmaker(bind=engine)() as session, session.begin():
        home = home_of(session, user)
        today = local_today(datetime.now(UTC), home.timezone)
        draft = TransactionDraft(
            date=today, amount=Decimal("50.00"), type="expense", description="Shoes"
        )
        transactions.record_transaction(session, home, draft)


def _book_due(engine: Engine) -> None:
    """The scheduler's booking pass."""
    with sessionmaker(bind=engine)() as session, session.begin():
        run_booking_pass(session, now=datetime.now(UTC))


@pytest.mark.parametrize("page", ["forecast", "home"])
def test_a_rerun_with_unchanged_data_computes_no_forecast(
    resident: User, forecasts: Calls, page: str
) -> None:
    at = _logged_in(resident, page)
    computed = forecasts.count
    assert computed >= 1
    at.run()
    at.run()
    assert not at.exception
    assert forecasts.count == computed


def test_home_and_forecast_page_share_the_forecast(resident: User, forecasts: Calls) -> None:
    at = _logged_in(resident, "home")
    computed = forecasts.count
    at.switch_page("page_scripts/forecast.py").run()
    assert not at.exception
    assert forecasts.count == computed


@pytest.mark.parametrize("write", [_record_expense, _book_due], ids=["member", "scheduler"])
def test_a_write_elsewhere_invalidates_the_forecast(
    resident: User, engine: Engine, forecasts: Calls, write: Callable[..., None]
) -> None:
    at = _logged_in(resident, "forecast")
    computed = forecasts.count
    write(engine, resident) if write is _record_expense else write(engine)
    at.run()
    assert not at.exception
    assert forecasts.count == computed + 1


def test_a_new_horizon_computes_once_and_the_month_picker_none(
    resident: User, forecasts: Calls
) -> None:
    at = _logged_in(resident, "forecast")
    computed = forecasts.count
    at.slider(key="forecast_months").set_value(3).run()
    assert forecasts.count == computed + 1
    picker = at.selectbox(key="forecast_explain_month")
    picker.set_value(picker.options[1]).run()
    assert not at.exception
    assert forecasts.count == computed + 1


def test_the_badge_refreshes_alerts_only_after_a_write(
    resident: User, engine: Engine, refreshes: Calls
) -> None:
    at = _logged_in(resident, "categories")
    refreshed = refreshes.count
    at.run()
    at.switch_page("page_scripts/transactions.py").run()
    assert refreshes.count == refreshed
    _record_expense(engine, resident)
    at.run()
    assert not at.exception
    assert refreshes.count == refreshed + 1


def test_the_alerts_page_still_refreshes(resident: User, refreshes: Calls) -> None:
    at = _logged_in(resident, "alerts")
    refreshed = refreshes.count
    at.run()
    assert refreshes.count == refreshed + 1


def _browser_edit(at: AppTest, key: str, edits: dict[str, Any]) -> AppTest:
    """Send the editor's changes as the browser does: a widget state, firing on_change."""
    editor = next(e for e in at.data_editor if e.key == key)
    states = at._tree.get_widget_states()
    state = states.widgets.add()
    state.id = editor.proto.id
    state.string_value = json.dumps({"edited_rows": edits, "added_rows": [], "deleted_rows": []})
    at._run(states)
    return at


def test_the_grid_saves_in_its_on_change_without_a_second_run(
    resident: User, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    _record_expense(engine, resident)
    reruns: list[str] = []
    real = st.rerun

    def rerun(*args: Any, **kwargs: Any) -> Any:
        reruns.append(sys._getframe(1).f_globals["__name__"])
        return real(*args, **kwargs)

    monkeypatch.setattr(st, "rerun", rerun)
    at = _logged_in(resident, "transactions")
    at = _browser_edit(at, at.session_state["ledger_editor_key"], {"0": {"amount": "95.50"}})
    assert not at.exception
    assert "streamlit_app.views.grid" not in reruns
    with sessionmaker(bind=engine)() as session:
        home = home_of(session, resident)
        found = session.query(Transaction).filter_by(household_id=home.id, description="Shoes")
        assert [t.amount for t in found] == [Decimal("95.50")]
    assert {m.label: m.value for m in at.metric}["Expenses"] == "₪95.50"
