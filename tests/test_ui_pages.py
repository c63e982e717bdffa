"""Scenarios, forecast tables, fixed items and first steps, driven with AppTest."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import sessionmaker
from streamlit.testing.v1 import AppTest

from domain.db.models import User
from domain.rules.dates import local_today
from domain.rules.ledger import TransactionDraft
from domain.services import fixed, transactions
from streamlit_app.views import scenarios
from tests.conftest import home_of
from tests.test_ui_forecast import resident
from tests.test_ui_ledger import _logged_in

__all__ = ["resident"]  # the committed person with a balance, rent and salary, as a fixture


def _today(engine: Engine, user: User) -> date:
    with sessionmaker(bind=engine)() as session:
        return local_today(datetime.now(UTC), home_of(session, user).timezone)


def _add_one_off(at: AppTest, amount: str, on: date) -> AppTest:
    at.text_input(key="op_amount").input(amount)
    at.date_input(key="op_date").set_value(on)
    return at.button(key="FormSubmitter:op_form-Add operation").click().run()


def test_scenario_operations_read_as_sentences_and_each_is_removed_on_its_own(
    resident: User, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []
    real = scenarios.compare  # type: ignore[attr-defined]  # the page's own reference

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(scenarios, "compare", counted)
    on = _today(engine, resident) + timedelta(days=40)
    at = _logged_in(resident, "scenarios")
    at = _add_one_off(at, "15000", on)
    assert not at.exception, at.exception
    rows = [m.value for m in at.markdown if m.value.startswith(("1. ", "2. "))]
    assert rows == [f"1. One-off expense ₪15,000.00 on {on:%d/%m/%Y}"]
    assert len(calls) == 1  # the page compared once for the new operation
    at = _add_one_off(at, "200", on + timedelta(days=1))
    rows = [m.value for m in at.markdown if m.value.startswith(("1. ", "2. "))]
    assert rows[1] == f"2. One-off expense ₪200.00 on {on + timedelta(days=1):%d/%m/%Y}"
    assert not any("{" in row for row in rows)  # never a dictionary
    at.button(key="scenario_remove_0").click().run()
    assert not at.exception, at.exception
    assert [op["amount"] for op in at.session_state["scenario_draft"]] == ["200.00"]
    rows = [m.value for m in at.markdown if m.value.startswith(("1. ", "2. "))]
    assert rows == [f"1. One-off expense ₪200.00 on {on + timedelta(days=1):%d/%m/%Y}"]


def test_every_kind_of_operation_reads_as_a_sentence() -> None:
    items, owed = {7: "Rent"}, {9: "Car"}
    ops: list[dict[str, Any]] = [
        {
            "op": "new_installment",
            "name": "TV",
            "total_amount": "1200.00",
            "payments_count": 3,
            "first_payment_date": "2027-02-01",
        },
        {"op": "change_fixed", "fixed_id": 7, "percent": 10, "from_date": "2027-02-01"},
        {"op": "pause_fixed", "fixed_id": 7, "from_date": "2027-02-01", "until": "2027-03-01"},
        {
            "op": "new_fixed",
            "name": "Gym",
            "type": "expense",
            "amount": "150.00",
            "start_date": "2027-02-01",
        },
        {
            "op": "new_loan",
            "name": "Loan",
            "principal": "50000.00",
            "annual_rate": "5.0",
            "term_months": 60,
            "first_payment_date": "2027-02-01",
        },
        {
            "op": "loan_prepayment",
            "loan_id": 9,
            "amount": "1000.00",
            "date": "2027-02-01",
            "mode": "lower_payment",
        },
        {
            "op": "one_off",
            "type": "income",
            "amount": "500.00",
            "date": "2027-02-01",
            "description": "Bonus",
        },
    ]
    assert [scenarios.describe_operation(op, items, owed) for op in ops] == [
        "New installment purchase TV: ₪1,200.00 in 3 payments from 01/02/2027",
        "Rent changed by 10%, from 01/02/2027",
        "Rent paused from 01/02/2027 until 01/03/2027",
        "New fixed expense Gym: ₪150.00 from 01/02/2027",
        "New loan Loan: ₪50,000.00 at 5.0%, 60 months from 01/02/2027",
        "Prepayment of ₪1,000.00 on Car on 01/02/2027, lowering the payment",
        "One-off income ₪500.00 on 01/02/2027 · Bonus",
    ]


def _labels(frame: Any) -> list[str]:
    """A shown table's column labels, in order."""
    config = json.loads(frame.proto.columns)
    return [config[c]["label"] for c in frame.value.columns if c in config]


def test_forecast_tables_have_human_labels_and_a_month_adds_up(resident: User) -> None:
    at = _logged_in(resident, "forecast")
    at.radio(key="forecast_view").set_value("monthly").run()
    assert not at.exception, at.exception
    months = next(d for d in at.dataframe if "opening" in d.value.columns)
    assert _labels(months) == [
        "Month",
        "Opening balance",
        "Money in",
        "Money out",
        "Change",
        "Closing balance",
        "Lowest balance",
        "Lowest on",
    ]
    story = next(d for d in at.dataframe if "times" in d.value.columns).value
    items = list(story["item"])
    assert items[0] == "Opening balance"
    assert items[-1] == "Closing balance"
    assert {"Total in", "Total out"} <= set(items)
    amounts = {row.item: _amount(row.amount) for row in story.itertuples()}
    inner = sum(
        (
            _amount(a)
            for i, a in zip(story["item"], story["amount"], strict=True)
            if i not in {"Opening balance", "Closing balance", "Total in", "Total out"}
        ),
        Decimal(0),
    )
    assert amounts["Opening balance"] + inner == amounts["Closing balance"]
    assert amounts["Total in"] + amounts["Total out"] == sum(
        (
            _amount(a)
            for i, a in zip(story["item"], story["amount"], strict=True)
            if i
            not in {
                "Opening balance",
                "Closing balance",
                "Total in",
                "Total out",
                "Other movement on the median path",
            }
        ),
        Decimal(0),
    )
    at.radio(key="forecast_view").set_value("weekly").run()
    weeks = next(d for d in at.dataframe if "opening" in d.value.columns)
    assert _labels(weeks)[0] == "Week"
    first = str(weeks.value.iloc[0]["period"])
    assert re.fullmatch(r"\d\d/\d\d/\d{4} – \d\d/\d\d/\d{4}", first), first


def _amount(shown: object) -> Decimal:
    return Decimal(str(shown).replace("₪", "").replace(",", "").strip("\u200e\u200f "))


def _marks(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown if m.value in {":green[**Done**]", ":orange[Not yet]"}]


def test_an_empty_household_is_guided_through_three_steps_each_marked_done(
    committed_user: User, engine: Engine
) -> None:
    at = _logged_in(committed_user, "home")
    assert _marks(at) == [":orange[Not yet]"] * 3
    assert not at.get("plotly_chart")
    at.text_input(key="step_balance_amount").input("5,000")
    at.button(key="FormSubmitter:step_balance-Record").click().run()
    assert not at.exception, at.exception
    assert any("Recorded." in s.value for s in at.success)
    assert _marks(at) == [":green[**Done**]", ":orange[Not yet]", ":orange[Not yet]"]
    assert not at.get("plotly_chart")  # a balance alone draws a flat line: no chart
    assert any("balance chart appears once money moves" in i.value for i in at.info)
    at.text_input(key="step_income_amount").input("9000")
    at.text_input(key="step_expense_amount").input("abc")
    at.button(key="FormSubmitter:step_fixed-Add").click().run()
    assert any("amount" in e.value for e in at.error)
    assert at.text_input(key="step_income_amount").value == "9000"  # kept as typed
    at.text_input(key="step_expense_amount").input("4000")
    at.button(key="FormSubmitter:step_fixed-Add").click().run()
    assert not at.exception, at.exception
    assert _marks(at) == [":green[**Done**]", ":orange[Not yet]", ":green[**Done**]"]
    assert at.get("plotly_chart")  # the forecast moves now
    with sessionmaker(bind=engine)() as session:
        home = home_of(session, committed_user)
        items = {(i.name, i.type, i.amount) for i in fixed.list_fixed(session, home)}
        today = local_today(datetime.now(UTC), home.timezone)
        transactions.record_transaction(
            session, home, TransactionDraft(date=today, amount=Decimal("50"), type="expense")
        )
        session.commit()
    assert items == {
        ("Salary", "income", Decimal("9000.00")),
        ("Rent", "expense", Decimal("4000.00")),
    }
    at = _logged_in(committed_user, "home")
    assert not _marks(at)  # all three done: the steps step aside
    assert at.get("plotly_chart")


def test_fixed_items_show_no_end_date_as_empty_and_a_delete_asks_first(
    resident: User, engine: Engine
) -> None:
    at = _logged_in(resident, "fixed")
    frame = at.data_editor[0].value
    assert frame["end_date"].isna().all()  # empty cells, not the word None
    assert "None" not in frame.astype(str)["end_date"].tolist()
    key = at.session_state["fixed_editor_key"]
    at.session_state[key] = {"edited_rows": {}, "added_rows": [], "deleted_rows": [0]}
    at.run()
    assert any("Delete 1 row?" in w.value for w in at.warning)
    with sessionmaker(bind=engine)() as session:
        assert len(fixed.list_fixed(session, home_of(session, resident))) == 2
    at.button(key="fixed_delete_yes").click().run()
    assert not at.exception, at.exception
    with sessionmaker(bind=engine)() as session:
        assert len(fixed.list_fixed(session, home_of(session, resident))) == 1
