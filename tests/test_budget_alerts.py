"""Budget alerts: heading over (once per category and month) and overspent; they resolve."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.config import Settings
from domain.db.models import Alert, Household
from domain.rules.budgets import BudgetDraft
from domain.rules.money import D
from domain.services import alerts, budgets, transactions
from tests.builders import category_named, make_transaction
from tests.conftest import home_of, make_user

JUNE = date(2027, 6, 1)
NOW = datetime(2027, 6, 10, 9, 0, tzinfo=UTC)


def _open(session: Session, home: Household) -> list[tuple[str, str]]:
    """(kind, key) of the household's open budget alerts, every row counted."""
    session.expire_all()
    rows = session.scalars(
        select(Alert).where(
            Alert.household_id == home.id,
            Alert.resolved_at.is_(None),
            Alert.kind.in_(["budget_overshoot", "budget_overspent"]),
        )
    )
    return sorted((a.kind, a.key) for a in rows)


def _refresh(session: Session, home: Household, today: date) -> None:
    now = NOW + timedelta(days=(today - date(2027, 6, 10)).days)
    alerts.refresh_alerts(session, home, today, now, force=True)


def test_budget_alerts_dedupe_and_resolve(session: Session, settings: Settings) -> None:
    home = home_of(session, make_user(session, settings))
    groceries = category_named(session, home, "Groceries").id
    budgets.set_budget(session, home, BudgetDraft(groceries, JUNE, D("1000.00")))
    make_transaction(session, home, amount="200.00", on=date(2027, 6, 2))
    _refresh(session, home, date(2027, 6, 10))
    assert _open(session, home) == []  # 200 in 10 of 30 days projects 600: on track

    second = make_transaction(session, home, amount="300.00", on=date(2027, 6, 9))
    _refresh(session, home, date(2027, 6, 10))
    _refresh(session, home, date(2027, 6, 10))
    heading = [("budget_overshoot", f"budget_overshoot:{groceries}:2027-06")]
    assert _open(session, home) == heading  # 500 projects 1500: raised once, twice refreshed

    transactions.delete_transaction(session, home, second.id)
    _refresh(session, home, date(2027, 6, 10))
    assert _open(session, home) == []  # the pace dropped

    make_transaction(session, home, amount="900.00", on=date(2027, 6, 11))
    _refresh(session, home, date(2027, 6, 12))
    assert _open(session, home) == [("budget_overspent", f"budget_overspent:{groceries}:2027-06")]

    _refresh(session, home, date(2027, 7, 1))
    assert _open(session, home) == []  # the month ended


def test_a_dismissed_budget_alert_stays_dismissed_while_it_holds(
    session: Session, settings: Settings
) -> None:
    home = home_of(session, make_user(session, settings))
    groceries = category_named(session, home, "Groceries").id
    budgets.set_budget(session, home, BudgetDraft(groceries, JUNE, D("100.00")))
    make_transaction(session, home, amount="150.00", on=date(2027, 6, 2))
    _refresh(session, home, date(2027, 6, 10))
    [alert] = [
        a
        for a in alerts.list_alerts(session, home, date(2027, 6, 10))
        if a.kind.startswith("budget")
    ]
    assert alert.title == "Groceries is over budget"
    alerts.dismiss(session, home, alert.id, NOW)
    _refresh(session, home, date(2027, 6, 11))
    visible = alerts.list_alerts(session, home, date(2027, 6, 11))
    assert [a for a in visible if a.kind.startswith("budget")] == []
    assert len(_open(session, home)) == 1
