"""The fixed, installments and loans pages, driven with AppTest."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from domain.db.models import FixedItem, FixedPause, InstallmentPlan, Loan, User
from domain.services.jobs import record_job_run
from tests.conftest import home_of
from tests.test_ui_ledger import _edit, _logged_in


@pytest.fixture
def db(engine: Engine) -> Iterator[Session]:
    """A session on committed data."""
    with sessionmaker(bind=engine, expire_on_commit=False)() as session:
        yield session


def _mine(db: Session, model: type, user: User) -> list:  # type: ignore[type-arg]
    db.expire_all()
    home = home_of(db, user).id
    return list(db.scalars(select(model).where(model.household_id == home)))  # type: ignore[attr-defined]


def test_fixed_page_adds_edits_and_pauses(committed_user: User, db: Session) -> None:
    at = _logged_in(committed_user, "fixed")
    assert any("No fixed items" in i.value for i in at.info)
    at.text_input(key="fixed_add_name").input("Rent")
    at.text_input(key="fixed_add_amount").input("5200")
    at.button(key="FormSubmitter:fixed_add-Add").click().run()
    assert not at.exception
    (item,) = _mine(db, FixedItem, committed_user)
    assert (item.name, item.amount, item.frequency) == ("Rent", Decimal("5200.00"), "monthly")
    at = _edit(at, "fixed_editor_key", {"0": {"amount": "5300.00", "paused": True}})
    assert not at.exception
    (item,) = _mine(db, FixedItem, committed_user)
    assert item.amount == Decimal("5300.00")
    pauses = db.scalars(select(FixedPause).where(FixedPause.fixed_id == item.id)).all()
    assert [p.end_date for p in pauses] == [None]
    at = _edit(at, "fixed_editor_key", {"0": {"amount": "-1"}})
    assert any("amount" in e.value for e in at.error)


def test_fixed_form_refuses_a_bad_amount(committed_user: User, db: Session) -> None:
    at = _logged_in(committed_user, "fixed")
    at.text_input(key="fixed_add_name").input("Rent")
    at.text_input(key="fixed_add_amount").input("12.345")
    at.button(key="FormSubmitter:fixed_add-Add").click().run()
    assert any("amount" in e.value for e in at.error)
    assert _mine(db, FixedItem, committed_user) == []


def test_installments_page_adds_a_plan_and_marks_a_payment(
    committed_user: User, db: Session
) -> None:
    at = _logged_in(committed_user, "installments")
    at.text_input(key="plan_add_name").input("Fridge")
    at.text_input(key="plan_add_total").input("1000")
    at.number_input(key="plan_add_count").set_value(3)
    at.button(key="FormSubmitter:plan_add-Add").click().run()
    assert not at.exception
    (plan,) = _mine(db, InstallmentPlan, committed_user)
    assert at.subheader[0].value == "Fridge"
    at.button(key=f"plan_paid_{plan.id}").click().run()
    assert not at.exception
    assert "1 of 3 paid" in at.get("progress")[0].proto.text
    assert "333.34 paid" in at.get("progress")[0].proto.text


def test_loans_page_shows_schedule_and_chart(committed_user: User, db: Session) -> None:
    at = _logged_in(committed_user, "loans")
    at.text_input(key="loan_add_name").input("Car")
    at.text_input(key="loan_add_principal").input("100000")
    at.text_input(key="loan_add_rate").input("5.0")
    at.number_input(key="loan_add_term").set_value(12)
    at.button(key="FormSubmitter:loan_add-Add").click().run()
    assert not at.exception
    (loan,) = _mine(db, Loan, committed_user)
    assert loan.annual_rate == Decimal("5.0")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Monthly payment"] == "₪8,560.75"
    figure = json.loads(at.get("plotly_chart")[0].proto.spec)
    names = [trace["name"] for trace in figure["data"]]
    assert names == ["Principal", "Interest", "Remaining balance"]
    at.toggle(key=f"loan_table_{loan.id}").set_value(True).run()
    table = at.dataframe[0].value
    assert len(table) == 12
    assert table.iloc[-1]["balance"] == "₪0.00"


def test_home_shows_the_scheduler_panel(committed_user: User, db: Session) -> None:
    """The last pass, and the passes that booked for this household, in its own time."""
    home = home_of(db, committed_user)
    at = datetime(2030, 1, 1, 22, 30, tzinfo=UTC)  # newer than any other pass
    shown = f"{at.astimezone(ZoneInfo(home.timezone)):%d/%m/%Y %H:%M}"
    mine = record_job_run(
        db,
        job="booking",
        started_at=at,
        finished_at=at,
        status="ok",
        details={"booked": {str(home.id): 3}, "errors": {}},
    )
    db.commit()
    try:
        app = _logged_in(committed_user, "home")
        assert any(s.value == "Scheduler" for s in app.subheader)
        expected = f"Last pass {shown} ({home.timezone})"
        assert any(expected in c.value for c in app.caption)
        table = app.dataframe[-1].value
        assert list(table.iloc[0]) == [shown, "ok", 3, ""]
    finally:
        db.delete(mine)
        db.commit()


def test_loans_page_shows_new_figures_at_once_after_a_payment_and_a_prepayment(
    committed_user: User, db: Session
) -> None:
    at = _logged_in(committed_user, "loans")
    at.text_input(key="loan_add_name").input("Car")
    at.text_input(key="loan_add_principal").input("100000")
    at.text_input(key="loan_add_rate").input("5.0")
    at.number_input(key="loan_add_term").set_value(12)
    at.button(key="FormSubmitter:loan_add-Add").click().run()
    (loan,) = _mine(db, Loan, committed_user)
    at.button(key=f"loan_pay_{loan.id}").click().run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert (metrics["Paid"], metrics["Remaining balance"]) == ("1 of 12", "₪91,855.92")
    assert any("Recorded" in s.value for s in at.success)
    at.text_input(key=f"prepay_amount_{loan.id}").input("20000")
    at.button(key=f"FormSubmitter:prepay_{loan.id}-Prepay").click().run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Remaining balance"] == "₪71,855.92"
    assert any("Prepayment recorded" in s.value for s in at.success)
    at.text_input(key=f"prepay_amount_{loan.id}").input("999999").run()
    at.button(key=f"FormSubmitter:prepay_{loan.id}-Prepay").click().run()
    assert any("amount" in e.value for e in at.error)
    assert {m.label: m.value for m in at.metric}["Remaining balance"] == "₪71,855.92"
