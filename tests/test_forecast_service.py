"""Forecast, balance, alerts and scenarios against the real database."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.config import Settings
from domain.db.models import Alert, Household
from domain.rules.dates import local_today
from domain.rules.forecast import DATE, P50
from domain.services import alerts, balance, dashboard, fixed, household_settings
from domain.services.booking import run_booking_pass
from domain.services.forecasting import forecast_for
from tests.builders import make_transaction
from tests.conftest import bearer, home_of, make_user

D = Decimal
TODAY = date(2027, 3, 10)
NOW = datetime(2027, 3, 10, 9, 0, tzinfo=UTC)
API = "/api/v1"


def _household(session: Session, settings: Settings) -> Household:
    home = home_of(session, make_user(session, settings))
    balance.record_balance(session, home, amount=D("4000.00"), as_of=TODAY, today=TODAY)
    for name, amount, flow, day in (
        ("Rent", "3000.00", "expense", 12),
        ("Salary", "9000.00", "income", 20),
    ):
        fixed.create_fixed(
            session,
            home,
            name=name,
            amount=D(amount),
            type=flow,
            frequency="monthly",
            start_date=date(2027, 3, 11),
            day_of_month=day,
        )
    return home


def _path(session: Session, home: Household, today: date) -> dict[date, Decimal]:
    daily = forecast_for(session, home, today, months=2, include_history=False).daily
    return dict(zip(daily[DATE], daily[P50], strict=True))


def test_forecast_and_scheduler_agree_from_the_booked_day_on(
    session: Session, settings: Settings
) -> None:
    home = _household(session, settings)
    before = _path(session, home, date(2027, 3, 12))
    run_booking_pass(session, now=NOW, as_of=date(2027, 3, 12))  # books the rent of the 12th
    after = _path(session, home, date(2027, 3, 12))
    assert before == after
    assert after[date(2027, 3, 12)] == D("1000.00")
    assert after[date(2027, 3, 20)] == D("10000.00")


def test_a_user_with_no_history_and_no_balance_gets_a_flat_forecast(
    session: Session, settings: Settings
) -> None:
    home = home_of(session, make_user(session, settings))
    forecast = forecast_for(session, home, TODAY)
    assert set(forecast.daily[P50]) == {D("0.00")}
    assert len(forecast.daily) > 150  # six months by default


def test_history_component_uses_past_variable_spending_and_can_be_off(
    session: Session, settings: Settings
) -> None:
    home = home_of(session, make_user(session, settings))
    for month in range(1, 13):
        make_transaction(
            session, home, amount="620.00", on=date(2026, month, 5), category="Groceries"
        )
    with_history = forecast_for(session, home, TODAY, months=1).daily
    without = forecast_for(session, home, TODAY, months=1, include_history=False).daily
    assert with_history[P50].iloc[-1] < without[P50].iloc[-1]
    assert without[P50].iloc[-1] == without[P50].iloc[0]


def test_timezone_edge_late_evening_utc_is_already_tomorrow_in_jerusalem(
    session: Session, settings: Settings
) -> None:
    home = _household(session, settings)
    late = datetime(2027, 3, 10, 23, 30, tzinfo=UTC)  # 01:30 on the 11th in Jerusalem
    today = local_today(late, home.timezone)
    assert (today, local_today(late, "UTC")) == (date(2027, 3, 11), date(2027, 3, 10))
    daily = forecast_for(session, home, today, months=1, include_history=False).daily
    assert daily[DATE].iloc[0] == date(2027, 3, 11)
    assert dict(zip(daily[DATE], daily[P50], strict=True))[date(2027, 3, 12)] == D("1000.00")


def test_current_balance_is_latest_reading_plus_later_movements(
    session: Session, settings: Settings
) -> None:
    home = home_of(session, make_user(session, settings))
    balance.record_balance(session, home, amount=D("1000.00"), as_of=date(2027, 3, 1), today=TODAY)
    make_transaction(session, home, amount="100.00", on=date(2027, 3, 1))  # same day: included
    make_transaction(session, home, amount="250.00", on=date(2027, 3, 5))
    make_transaction(session, home, amount="40.00", on=date(2027, 3, 20))  # future
    current = balance.current_balance(session, home, TODAY)
    assert (current.amount, current.as_of) == (D("750.00"), date(2027, 3, 1))
    balance.correct_current(session, home, amount=D("1100.00"), today=TODAY)
    assert balance.current_balance(session, home, TODAY).amount == D("850.00")


def test_alerts_do_not_pile_up_and_resolve_by_themselves(
    session: Session, settings: Settings
) -> None:
    home = _household(session, settings)
    household_settings.update_household_settings(session, home, {"warning_threshold": D("2000.00")})
    alerts.refresh_alerts(session, home, TODAY, NOW)
    alerts.refresh_alerts(session, home, TODAY, NOW, force=True)
    open_alerts = alerts.list_alerts(session, home, TODAY)
    keys = [a.key for a in open_alerts]
    assert keys.count("forecast_below_warning") == 1
    assert alerts.unread_count(session, home, TODAY) == len(open_alerts)
    # the condition goes away once the threshold is lowered
    household_settings.update_household_settings(session, home, {"warning_threshold": D("500.00")})
    alerts.refresh_alerts(session, home, TODAY, NOW)
    assert "forecast_below_warning" not in [a.key for a in alerts.list_alerts(session, home, TODAY)]
    resolved = session.scalars(
        select(Alert).where(Alert.household_id == home.id, Alert.key == "forecast_below_warning")
    ).one()
    assert resolved.resolved_at is not None


def test_below_zero_is_critical_and_supersedes_the_warning(
    session: Session, settings: Settings
) -> None:
    home = _household(session, settings)
    make_transaction(session, home, amount="3500.00", on=date(2027, 3, 11))
    alerts.refresh_alerts(session, home, TODAY, NOW)
    found = {a.key: a for a in alerts.list_alerts(session, home, TODAY)}
    assert found["forecast_below_critical"].severity == "critical"
    assert "forecast_below_warning" not in found


def test_snooze_and_dismiss_hide_an_alert(session: Session, settings: Settings) -> None:
    home = _household(session, settings)
    household_settings.update_household_settings(session, home, {"warning_threshold": D("2000.00")})
    alerts.refresh_alerts(session, home, TODAY, NOW)
    first, *_ = alerts.list_alerts(session, home, TODAY)
    alerts.snooze(session, home, first.id, until=date(2027, 3, 15), today=TODAY)
    assert first.id not in [a.id for a in alerts.list_alerts(session, home, TODAY)]
    assert first.id in [a.id for a in alerts.list_alerts(session, home, date(2027, 3, 15))]
    alerts.dismiss(session, home, first.id, NOW)
    alerts.refresh_alerts(session, home, TODAY, NOW, force=True)
    assert first.id not in [a.id for a in alerts.list_alerts(session, home, date(2027, 3, 16))]


def test_forecast_api_summary_what_if_and_affordability(
    client: TestClient, session: Session, settings: Settings
) -> None:
    user = make_user(session, settings)
    session.commit()
    headers = bearer(settings, user)
    client.post(f"{API}/balance", headers=headers, json={"amount": "5000.00"})
    client.put(f"{API}/settings", headers=headers, json={"warning_threshold": "1000.00"})
    summary = client.get(f"{API}/forecast/summary", headers=headers).json()
    assert summary["opening"] == "5000.00"
    assert summary["safe_to_spend"]["amount"] == "4000.00"
    daily = client.get(f"{API}/forecast/daily", headers=headers, params={"months": 1}).json()
    assert daily[0]["p50"] == "5000.00"
    what_if = client.post(
        f"{API}/forecast/what-if",
        headers=headers,
        json={
            "operations": [
                {
                    "op": "new_installment",
                    "total_amount": "4800.00",
                    "payments_count": 24,
                    "first_payment_date": daily[1]["date"],
                }
            ]
        },
    ).json()
    assert what_if["scenario"]["end_balance"] < what_if["baseline"]["end_balance"]
    assert len(what_if["months"]) >= 6
    cheap = client.post(
        f"{API}/forecast/affordability", headers=headers, json={"amount": "3000.00"}
    )
    assert cheap.json()["installments"] == 1
    dear = client.post(
        f"{API}/forecast/affordability", headers=headers, json={"amount": "12000.00"}
    )
    # no income: 5,000 may fall to the 1,000 warning, so 4,000.00 in all; every installment
    # is checked (not only the 7 inside the six-month horizon), so no split fits 12,000
    assert (dear.json()["affordable"], dear.json()["installments"]) == (False, None)
    never = client.post(f"{API}/forecast/affordability", headers=headers, json={"amount": "900000"})
    assert never.json()["affordable"] is False
    bad = client.post(
        f"{API}/forecast/what-if",
        headers=headers,
        json={
            "operations": [
                {
                    "op": "new_installment",
                    "total_amount": "1",
                    "payments_count": 0,
                    "first_payment_date": "2027-01-01",
                }
            ]
        },
    )
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"][-1] == "payments_count"


def test_settings_validation_names_the_field(
    client: TestClient, session: Session, settings: Settings
) -> None:
    user = make_user(session, settings)
    session.commit()
    headers = bearer(settings, user)
    for body, field in (
        ({"forecast_horizon_months": 37}, "forecast_horizon_months"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"critical_threshold": "5000.00"}, "critical_threshold"),
        ({"warning_threshold": 1.5}, "warning_threshold"),
    ):
        response = client.put(f"{API}/settings", headers=headers, json=body)
        assert response.status_code == 422, body
        assert response.json()["detail"][0]["loc"][-1] == field
    ok = client.put(
        f"{API}/settings", headers=headers, json={"language": "he", "week_start": "monday"}
    )
    assert (ok.json()["language"], ok.json()["week_start"]) == ("he", "monday")


def test_dashboard_series_start_on_a_whole_period(session: Session, settings: Settings) -> None:
    home = home_of(session, make_user(session, settings))
    today = date(2026, 11, 25)  # a Wednesday in the fourth quarter
    for day, amount in (
        ("2024-12-31", "1.00"),  # the day before the quarterly window
        ("2025-01-01", "2.00"),  # the quarterly window's first day
        ("2025-11-30", "4.00"),  # the day before the monthly window
        ("2025-12-01", "8.00"),  # the monthly window's first day
        ("2026-09-06", "16.00"),  # the Sunday before the weekly window
        ("2026-09-07", "32.00"),  # the weekly window's first day, a Monday
        ("2026-11-25", "64.00"),  # today
    ):
        make_transaction(session, home, amount=amount, on=date.fromisoformat(day))

    def bars(period: dashboard.SeriesPeriod) -> list[tuple[str, str]]:
        rows = dashboard.recent_series(session, home, today, period)
        return [(r.start.isoformat(), str(r.expense)) for r in rows]

    assert bars("quarter") == [
        ("2025-01-01", "2.00"),
        ("2025-10-01", "12.00"),
        ("2026-07-01", "48.00"),
        ("2026-10-01", "64.00"),
    ]
    assert bars("month") == [
        ("2025-12-01", "8.00"),
        ("2026-09-01", "48.00"),
        ("2026-11-01", "64.00"),
    ]
    # Weeks begin on the user's day: Sunday by default (the Israeli week), or Monday.
    assert bars("week") == [("2026-09-06", "48.00"), ("2026-11-22", "64.00")]
    household_settings.update_household_settings(session, home, {"week_start": "monday"})
    assert bars("week") == [("2026-09-07", "32.00"), ("2026-11-23", "64.00")]
