"""Alerts: stable keys for overdue items, nothing to warn about on an empty account."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from domain.config import Settings
from domain.db.models import Household
from domain.services import alerts, fixed
from domain.services.balance import record_balance
from domain.services.household_settings import get_household_settings
from tests.builders import make_transaction
from tests.conftest import home_of, make_user

NOW = datetime(2027, 6, 3, 9, 0, tzinfo=UTC)


def _keys(session: Session, household_id: int, today: date, kind: str) -> set[str]:
    household = session.get_one(Household, household_id)
    return {c.key for c in alerts.evaluate(session, household, today, NOW) if c.kind == kind}


def test_an_overdue_large_payment_keeps_one_key_from_day_to_day(
    session: Session, settings: Settings
) -> None:
    home = home_of(session, make_user(session, settings))
    make_transaction(
        session, home, amount="24000.00", on=date(2027, 5, 1), type="income", category="Salary"
    )
    rent = fixed.create_fixed(
        session,
        home,
        name="Rent",
        amount=Decimal("5200.00"),
        type="expense",
        frequency="monthly",
        start_date=date(2027, 6, 1),
    )
    # 1 June is due but not booked yet (the scheduler was down): it is expected "today"
    day_one = _keys(session, home.id, date(2027, 6, 3), "large_payment")
    day_two = _keys(session, home.id, date(2027, 6, 4), "large_payment")
    assert f"large_payment:fixed:{rent.id}:2027-06-01" in day_one
    assert day_one == day_two


def test_an_empty_account_gets_no_forecast_alert(session: Session, settings: Settings) -> None:
    home = home_of(session, make_user(session, settings))
    prefs = get_household_settings(session, home)
    # a forecast of 0.00 is below the warning level: read as it is, it would warn
    assert alerts._forecast_conditions(session, home, date(2027, 6, 3), prefs) != []
    alerts.refresh_alerts(session, home, date(2027, 6, 3), NOW)
    assert alerts.list_alerts(session, home, date(2027, 6, 3)) == []


def test_a_balance_below_the_warning_level_still_warns(
    session: Session, settings: Settings
) -> None:
    home = home_of(session, make_user(session, settings))
    record_balance(
        session, home, amount=Decimal("200.00"), as_of=date(2027, 6, 2), today=date(2027, 6, 3)
    )
    alerts.refresh_alerts(session, home, date(2027, 6, 3), NOW)
    kinds = [a.kind for a in alerts.list_alerts(session, home, date(2027, 6, 3))]
    assert kinds == ["forecast_below_warning"]
