"""Alerts: evaluate the conditions, keep one row per condition, read, snooze, dismiss."""

from __future__ import annotations

import hashlib
import logging
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, case, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from domain.db.currency import in_base, require_rates
from domain.db.models import (
    Account,
    Alert,
    BalanceRecord,
    Budget,
    Category,
    CategoryBudgetSettings,
    FixedItem,
    Household,
    HouseholdSettings,
    InstallmentPlan,
    Loan,
    Transaction,
    Transfer,
)
from domain.db.recurring import SOURCE_TABLES
from domain.errors import DomainError, InvalidInputError, NotFoundError
from domain.rules import alert_rules
from domain.rules.alert_rules import BookingFailure, CardOverLimit, Condition, Ending, Unusual
from domain.rules.forecast_views import summarize
from domain.rules.installments import installment_dates
from domain.rules.money import ZERO
from domain.services import budgets, installment_plans, loans
from domain.services.accounts import list_accounts
from domain.services.forecasting import forecast_for
from domain.services.household_settings import get_household_settings
from domain.services.households import has_admin_member
from domain.services.jobs import failed_bookings, last_verified_backup
from domain.services.rates import base_currency
from domain.services.statements import card_exposure

log = logging.getLogger("cashflow.alerts")
RECENT_DAYS = 14
UNUSUAL_FACTOR = Decimal(2)
MIN_SAMPLES = 8
BUDGET_TABLES = (Budget, CategoryBudgetSettings)  # budgets move the budget alerts
ACCOUNT_TABLES = (Account, Transfer)  # limits, cards and payments by hand move the card alerts
BOOKED_TABLES: dict[str, Any] = {
    **dict[str, Any](SOURCE_TABLES.items()),
    "card_statement": Account,  # a card whose statements failed: fixed by editing the card
}


def _average_income(session: Session, household: Household, today: date) -> Decimal:
    since = today - timedelta(days=365)
    where = (
        Transaction.household_id == household.id,
        Transaction.type == "income",
        Transaction.date > since,
        Transaction.date <= today,
    )
    base = base_currency(household)
    require_rates(session, base, *where)
    total = session.scalar(select(func.coalesce(func.sum(in_base(base)), ZERO)).where(*where))
    return (Decimal(total or 0) / 12).quantize(Decimal("0.01"))


def _endings(session: Session, household: Household) -> list[Ending]:
    """Last payment dates; a source too broken to schedule has its own alert instead."""
    found = [
        Ending("installment", p.id, p.name, installment_dates(*_plan_dates(p))[-1])
        for p in installment_plans.list_plans(session, household)
    ]
    for loan in loans.list_loans(session, household):
        try:
            periods = loans.breakdown(session, loan)
        except DomainError:
            continue
        if periods:
            found.append(Ending("loan", loan.id, loan.name, periods[-1].date))
    return found


def _plan_dates(plan: InstallmentPlan) -> tuple[date, int, int | None]:
    return plan.first_payment_date, plan.payments_count, plan.day_of_month


def _unusual(session: Session, household: Household, today: date) -> list[Unusual]:
    """Recent expenses above twice their category's 90th percentile of the past year."""
    since = today - timedelta(days=365)
    typical = (
        select(
            Transaction.category_id,
            func.percentile_cont(0.9).within_group(Transaction.amount).label("p90"),
            func.count().label("n"),
        )
        .where(
            Transaction.household_id == household.id,
            Transaction.type == "expense",
            Transaction.date > since,
            Transaction.date <= today - timedelta(days=RECENT_DAYS),
            Transaction.category_id.is_not(None),
        )
        .group_by(Transaction.category_id)
        .subquery()
    )
    rows = session.execute(
        select(Transaction, typical.c.p90, Category.name)
        .join(typical, typical.c.category_id == Transaction.category_id)
        .join(Category, Category.id == Transaction.category_id)
        .where(
            Transaction.household_id == household.id,
            Transaction.type == "expense",
            Transaction.date > today - timedelta(days=RECENT_DAYS),
            Transaction.date <= today,
            typical.c.n >= MIN_SAMPLES,
            Transaction.amount > typical.c.p90 * UNUSUAL_FACTOR,
        )
    ).all()
    return [
        Unusual(tx.id, tx.description, name, tx.amount, Decimal(str(p90)).quantize(ZERO), tx.date)
        for tx, p90, name in rows
    ]


def _failed_bookings(session: Session, household: Household) -> list[BookingFailure]:
    """Sources the latest pass could not book, unless deleted or changed since (a fix)."""
    found = []
    for failure in failed_bookings(session, household.id):
        model = BOOKED_TABLES.get(failure.kind)
        if model is None:
            continue
        updated = session.scalar(
            select(model.updated_at).where(
                model.id == failure.source_id, model.household_id == household.id
            )
        )
        if updated is not None and updated <= failure.failed_at:
            found.append(
                BookingFailure(failure.kind, failure.source_id, failure.name, failure.reason)
            )
    return found


def _over_limit(session: Session, household: Household, today: date) -> list[CardOverLimit]:
    """The household's open credit cards with a limit whose exposure is above it."""
    found = []
    for card in list_accounts(session, household):
        if card.kind != "credit_card" or card.credit_limit is None:
            continue
        exposure = card_exposure(session, household, card, today)
        if exposure.over_limit:
            found.append(CardOverLimit(card.id, card.name, card.credit_limit, exposure.used))
    return found


def has_no_data(session: Session, household: Household) -> bool:
    """True for an account with nothing yet: no transaction, balance reading or source."""
    return not any(
        session.scalar(select(model.id).where(model.household_id == household.id).limit(1))
        for model in (Transaction, BalanceRecord, FixedItem, InstallmentPlan, Loan)
    )


def _forecast_conditions(
    session: Session, household: Household, today: date, prefs: HouseholdSettings
) -> list[Condition]:
    """What the forecast says: a dip below the levels, large payments ahead."""
    try:
        forecast = forecast_for(session, household, today)
    except DomainError as exc:  # a broken source: its own alert names it, the rest still count
        log.warning("no forecast for alerts of household %s: %s", household.id, exc.message)
        return []
    conditions = alert_rules.forecast_conditions(
        summarize(forecast), critical=prefs.critical_threshold, warning=prefs.warning_threshold
    )
    conditions += alert_rules.large_payments(
        forecast.events,
        today=today,
        average_income=_average_income(session, household, today),
        share=prefs.large_payment_share,
    )
    return conditions


def evaluate(session: Session, household: Household, today: date, now: datetime) -> list[Condition]:
    """Every condition that holds for the household now.

    An account with no data at all gets no forecast alert: with nothing recorded, a
    forecast of 0.00 says nothing about the household (not enough data yet).
    """
    conditions = alert_rules.booking_failures(_failed_bookings(session, household))
    if has_admin_member(session, household):
        conditions += alert_rules.backup_conditions(last_verified_backup(session), now)
    if has_no_data(session, household):
        return conditions
    conditions += _forecast_conditions(
        session, household, today, get_household_settings(session, household)
    )
    conditions += alert_rules.endings(_endings(session, household), today=today)
    conditions += alert_rules.unusual_expenses(_unusual(session, household, today))
    conditions += budgets.alert_conditions(session, household, today)
    conditions += alert_rules.card_limits(_over_limit(session, household, today))
    return conditions


def sync_alerts(
    session: Session, household: Household, conditions: list[Condition], now: datetime
) -> None:
    """One open alert per condition: upsert the ones that hold, resolve the ones gone.

    An upsert on the partial unique index of open alerts, so refreshes that run at the
    same time meet in the database instead of failing on a duplicate.
    """
    unique = {c.key: c for c in conditions}  # a condition counts once
    if unique:
        rows = [
            {
                "household_id": household.id,
                "key": c.key,
                "kind": c.kind,
                "severity": c.severity,
                "title": c.title,
                "message": c.message,
                "data": c.data,
                "first_seen_at": now,
                "last_seen_at": now,
            }
            for c in sorted(unique.values(), key=lambda c: c.key)  # one lock order for all
        ]
        upsert = pg_insert(Alert).values(rows)
        fresh = upsert.excluded
        session.execute(
            upsert.on_conflict_do_update(
                index_elements=[Alert.household_id, Alert.key],
                index_where=Alert.resolved_at.is_(None),
                set_={
                    "kind": fresh.kind,
                    "severity": fresh.severity,
                    "title": fresh.title,
                    "message": fresh.message,
                    "data": fresh.data,
                    "last_seen_at": fresh.last_seen_at,
                    "updated_at": func.now(),
                },
            )
        )
    session.execute(
        update(Alert)
        .where(
            Alert.household_id == household.id,
            Alert.resolved_at.is_(None),
            Alert.key.not_in(list(unique)),
        )
        .values(resolved_at=now)
        .execution_options(synchronize_session=False)
    )
    session.expire_all()  # rows loaded earlier are stale now


def _fingerprint(session: Session, household: Household, today: date, now: datetime) -> str:
    """Changes whenever anything that moves the forecast changes (or the day turns)."""
    parts = [today.isoformat(), f"{now:%Y%m%d%H}" if has_admin_member(session, household) else ""]
    for model in (
        Transaction,
        FixedItem,
        InstallmentPlan,
        Loan,
        BalanceRecord,
        *BUDGET_TABLES,
        *ACCOUNT_TABLES,
    ):
        count, latest = session.execute(
            select(func.count(), func.max(model.updated_at)).where(
                model.household_id == household.id
            )
        ).one()
        parts.append(f"{count}/{latest.timestamp() if latest else 0}")
    prefs = get_household_settings(session, household)
    parts += [
        str(prefs.warning_threshold),
        str(prefs.critical_threshold),
        str(prefs.large_payment_share),
        str(prefs.forecast_horizon_months),
        str(prefs.include_history),
        household.timezone,
        ",".join(f"{f.kind}:{f.source_id}" for f in _failed_bookings(session, household)),
    ]
    # A digest: the parts grow with every table that moves the forecast (and with the
    # failed sources), the stored column does not.
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def refresh_alerts(
    session: Session, household: Household, today: date, now: datetime, *, force: bool = False
) -> bool:
    """Re-evaluate the household's alerts when anything changed since the last time."""
    prefs = get_household_settings(session, household)
    mark = _fingerprint(session, household, today, now)
    if not force and prefs.alerts_fingerprint == mark:
        return False
    sync_alerts(session, household, evaluate(session, household, today, now), now)
    prefs.alerts_fingerprint = mark  # alerts are not part of it: the mark still holds
    session.flush()
    return True


def _visible(household: Household, today: date) -> list[ColumnElement[bool]]:
    return [
        Alert.household_id == household.id,
        Alert.resolved_at.is_(None),
        Alert.dismissed_at.is_(None),
        (Alert.snoozed_until.is_(None)) | (Alert.snoozed_until <= today),
    ]


def list_alerts(
    session: Session, household: Household, today: date, *, include_closed: bool = False
) -> list[Alert]:
    """The household's alerts: open and visible ones, or every one."""
    query = select(Alert).where(Alert.household_id == household.id)
    if not include_closed:
        query = query.where(*_visible(household, today))
    severity = case({"critical": 0, "warning": 1}, value=Alert.severity, else_=2)
    return list(session.scalars(query.order_by(severity, Alert.last_seen_at.desc(), Alert.id)))


def unread_count(session: Session, household: Household, today: date) -> int:
    """How many visible alerts are unread."""
    query = (
        select(func.count())
        .select_from(Alert)
        .where(*_visible(household, today), Alert.read_at.is_(None))
    )
    return int(session.scalar(query) or 0)


def get_alert(session: Session, household: Household, alert_id: int) -> Alert:
    """One of the household's alerts."""
    alert = session.scalars(
        select(Alert).where(Alert.id == alert_id, Alert.household_id == household.id)
    ).one_or_none()
    if alert is None:
        raise NotFoundError("alert not found")
    return alert


def mark_read(
    session: Session, household: Household, alert_id: int, now: datetime, *, read: bool = True
) -> Alert:
    """Mark an alert read or unread."""
    alert = get_alert(session, household, alert_id)
    alert.read_at = now if read else None
    session.flush()
    return alert


def mark_all_read(session: Session, household: Household, today: date, now: datetime) -> int:
    """Mark every visible alert read."""
    alerts = [a for a in list_alerts(session, household, today) if a.read_at is None]
    for alert in alerts:
        alert.read_at = now
    session.flush()
    return len(alerts)


def snooze(
    session: Session, household: Household, alert_id: int, *, until: date, today: date
) -> Alert:
    """Hide an alert until a day."""
    if until <= today:
        raise InvalidInputError("until", "must be a future day")
    alert = get_alert(session, household, alert_id)
    alert.snoozed_until = until
    session.flush()
    return alert


def dismiss(session: Session, household: Household, alert_id: int, now: datetime) -> Alert:
    """Dismiss an alert for as long as its condition lasts."""
    alert = get_alert(session, household, alert_id)
    alert.dismissed_at = now
    session.flush()
    return alert
