"""Dashboard, forecast, scenarios, alerts and settings pages, driven with AppTest."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import sessionmaker
from streamlit.testing.v1 import AppTest

from domain.db.models import BalanceRecord, HouseholdSettings, Scenario, User
from domain.rules.dates import local_today
from domain.rules.ledger import TransactionDraft
from domain.services import balance, fixed, installment_plans, transactions
from domain.services.household_settings import update_household_settings
from tests.conftest import home_of
from tests.test_ui_ledger import _logged_in


@pytest.fixture
def resident(engine: Engine, committed_user: User) -> User:
    """The committed user, whose household has a balance, rent and a salary."""
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    with factory() as session, session.begin():
        home = home_of(session, committed_user)
        today = local_today(datetime.now(UTC), home.timezone)
        balance.record_balance(session, home, amount=Decimal("6000.00"), as_of=today, today=today)
        for name, amount, flow, day in (
            ("Rent", "4000.00", "expense", 1),
            ("Salary", "9000.00", "income", 10),
        ):
            item = fixed.create_fixed(
                session,
                home,
                name=name,
                amount=Decimal(amount),
                type=flow,
                frequency="monthly",
                start_date=today + timedelta(days=1),
                day_of_month=day,
            )
            assert item.id
    return committed_user


def _figure(at: AppTest, index: int = 0) -> dict[str, Any]:
    figure: dict[str, Any] = json.loads(at.get("plotly_chart")[index].proto.spec)
    return figure


def test_home_is_the_dashboard_with_kpis_and_charts(resident: User) -> None:
    at = _logged_in(resident, "home")
    assert at.title[0].value.startswith("Welcome")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Balance now"] == "₪6,000.00"
    assert any("Safe to spend" in s.value for s in at.success)
    balance_chart = _figure(at)
    assert {"Forecast (P50)", "P10 to P90", "Past"} <= {
        t.get("name") for t in balance_chart["data"]
    }


def test_forecast_page_shows_path_band_lines_and_a_month_explained(resident: User) -> None:
    at = _logged_in(resident, "forecast")
    assert not at.exception
    figure = _figure(at)
    names = {t.get("name") for t in figure["data"]}
    assert {"Forecast (P50)", "P10 to P90", "Lowest point"} <= names
    lines = [shape["y0"] for shape in figure["layout"]["shapes"]]
    assert 0 in lines
    assert 1000 in lines
    assert "Lowest balance" in [m.label for m in at.metric]
    drivers = at.dataframe[-1].value
    assert "Rent" in set(drivers["item"]) or "Salary" in set(drivers["item"])
    at.radio(key="forecast_view").set_value("monthly").run()
    assert not at.exception
    assert "Closing balance" in {t.get("name") for t in _figure(at)["data"]}


def test_scenarios_page_compares_a_24_installment_purchase(resident: User, engine: Engine) -> None:
    at = _logged_in(resident, "scenarios")
    at.selectbox(key="op_kind").set_value("A new installment purchase").run()
    at.text_input(key="op_total").input("12000")
    at.number_input(key="op_count").set_value(24)
    at.button(key="FormSubmitter:op_form-Add operation").click().run()
    assert not at.exception
    names = {t.get("name") for t in _figure(at)["data"]}
    assert names == {"Baseline", "Scenario"}
    deltas = {m.label: m.delta for m in at.metric}
    assert deltas["End balance"].startswith("-")
    at.button(key="scenario_save").click().run()
    with sessionmaker(bind=engine)() as session:
        home = home_of(session, resident).id
        saved = session.scalars(select(Scenario).where(Scenario.household_id == home)).all()
    assert [s.operations[0]["payments_count"] for s in saved] == [24]


def test_alerts_page_shows_an_alert_when_the_threshold_is_crossed(
    resident: User, engine: Engine
) -> None:
    with sessionmaker(bind=engine)() as session, session.begin():
        home = home_of(session, resident)
        update_household_settings(session, home, {"warning_threshold": Decimal("50000.00")})
    at = _logged_in(resident, "alerts")
    assert not at.exception
    texts = [m.value for m in at.markdown]
    assert any("below ₪50,000.00" in t for t in texts)
    assert any("unread alert" in w.value for w in at.sidebar.warning)


def test_settings_page_saves_and_refuses_bad_thresholds(resident: User, engine: Engine) -> None:
    at = _logged_in(resident, "settings")
    at.slider(key="set_horizon").set_value(12)
    at.text_input(key="set_warning").input("2500")
    at.button(key="FormSubmitter:settings_form-Save settings").click().run()
    assert not at.exception
    with sessionmaker(bind=engine)() as session:
        row = session.get(HouseholdSettings, home_of(session, resident).id)
        assert row is not None
        assert (row.forecast_horizon_months, row.warning_threshold) == (12, Decimal("2500.00"))
    at.text_input(key="set_critical").input("9000")
    at.button(key="FormSubmitter:settings_form-Save settings").click().run()
    assert any("critical_threshold" in e.value for e in at.error)
    at.text_input(key="balance_amount").input("7000.50")
    at.button(key="FormSubmitter:balance_record-Record balance").click().run()
    with sessionmaker(bind=engine)() as session:
        amounts = session.scalars(
            select(BalanceRecord.amount).where(
                BalanceRecord.household_id == home_of(session, resident).id
            )
        ).all()
    assert Decimal("7000.50") in amounts


def test_home_shows_top_expenses_commitments_and_any_period(
    engine: Engine, committed_user: User
) -> None:
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    with factory() as session, session.begin():
        home = home_of(session, committed_user)
        today = local_today(datetime.now(UTC), home.timezone)
        for description, amount in (("Bakery", "250.00"), ("Pharmacy", "80.50")):
            draft = TransactionDraft(
                date=today, amount=Decimal(amount), type="expense", description=description
            )
            transactions.record_transaction(session, home, draft)
        installment_plans.create_plan(
            session,
            home,
            name="TV",
            total_amount=Decimal("1200.00"),
            payments_count=3,
            first_payment_date=today + timedelta(days=40),
        )
    at = _logged_in(committed_user, "home")
    assert not at.exception
    subheaders = [s.value for s in at.subheader]
    assert {"Top expenses this month", "Installments and loans"} <= set(subheaders)
    top = next(f.value for f in at.dataframe if "description" in f.value.columns)
    assert list(top["description"]) == ["Bakery", "Pharmacy"]  # largest first
    assert list(top["amount"]) == ["₪250.00", "₪80.50"]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Installments left"] == "₪1,200.00"
    assert metrics["Loan balance left"] == "₪0.00"
    captions = [c.value for c in at.caption]
    assert "1 of 1 plans running · ₪400.00 a month" in captions
    assert "0 loans · ₪0.00 a month" in captions
    at.radio(key="dashboard_period").set_value("Weekly").run()
    assert not at.exception
    weeks = _figure(at, 1)  # the flows chart, after the balance chart
    sunday = today - timedelta(days=(today.weekday() + 1) % 7)
    assert weeks["data"][0]["x"] == [sunday.isoformat()]  # one bar: this week, from Sunday


def test_an_empty_account_sees_first_steps_not_a_score_or_a_negative_safe_to_spend(
    committed_user: User,
) -> None:
    at = _logged_in(committed_user, "home")
    assert not at.exception
    assert "First steps" in [s.value for s in at.subheader]
    links = [link.proto.label for link in at.get("page_link")]
    assert links == [
        "1. Record your bank balance",
        "2. Import a bank or card file",
        "3. Add your salary and rent",
    ]
    assert not any("Safe to spend" in s.value for s in [*at.success, *at.warning])
    assert "Score" not in [m.label for m in at.metric]
    assert not at.get("plotly_chart")  # nothing to draw
    forecast = _logged_in(committed_user, "forecast")
    assert not forecast.get("plotly_chart")
    assert any("Nothing to forecast yet" in i.value for i in forecast.info)
    quiet = _logged_in(committed_user, "alerts")
    assert any("Not enough data yet" in i.value for i in quiet.info)
    assert not quiet.success  # not "Nothing needs your attention": it could not know


def test_home_and_forecast_show_safe_to_spend_with_the_cautious_figure_and_why(
    resident: User,
) -> None:
    for page in ("home", "forecast"):
        at = _logged_in(resident, page)
        boxes = [s.value for s in [*at.success, *at.warning] if "Safe to spend today" in s.value]
        assert len(boxes) == 1, page
        captions = [c.value for c in at.caption]
        assert any(c.startswith("Cautious (P10 path): ") for c in captions), page
        assert any("the day that binds" in m.value for m in at.markdown), page


def test_home_health_says_not_enough_data_without_history(resident: User) -> None:
    at = _logged_in(resident, "home")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Score"] == "not enough data yet"


def test_affordability_answer_states_the_window_it_checked(resident: User) -> None:
    at = _logged_in(resident, "scenarios")
    at.text_input(key="afford_amount").input("1000")
    at.button(key="FormSubmitter:afford_form-Ask").click().run()
    assert not at.exception
    answers = [m.value for m in [*at.success, *at.warning] if "Checked from" in m.value]
    assert len(answers) == 1
    assert "every installment plus one month" in answers[0]
