"""Alerts: evaluate the conditions, keep one row per condition, read, snooze, dismiss."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, case, func, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from domain.db.currency import in_base, require_rates
from domain.db.models import Account, Alert, Household, HouseholdSettings, Transaction
from domain.db.recurring import SOURCE_TABLES, load_specs
from domain.errors import DomainError, InvalidInputError, NotFoundError
from domain.rules import alert_rules
from domain.rules.alert_rules import BookingFailure, CardOverLimit, Condition, Ending, Unusual
from domain.rules.forecast import expected_events
from domain.rules.forecast_lows import path_lows
from domain.rules.money import ZERO
from domain.services import budgets
from domain.services.accounts import list_accounts
from domain.services.alert_facts import (
    DATA_MODELS,
    FINGERPRINT_MODELS,
    ChunkFacts,
    ending_of,
    load_facts,
    mark_part,
    unusual_expenses,
)
from domain.services.forecasting import gather_inputs
from domain.services.household_settings import get_household_settings
from domain.services.households import has_admin_member
from domain.services.jobs import failed_bookings, last_verified_backup
from domain.services.rates import base_currency
from domain.services.statements import card_exposure

log = logging.getLogger("cashflow.alerts")
BOOKED_TABLES: dict[str, Any] = {
    **dict[str, Any](SOURCE_TABLES.items()),
    "card_statement": Account,  # a card whose statements failed: fixed by editing the card
}


def _average_income(
    session: Session, household: Household, today: date, facts: ChunkFacts | None
) -> Decimal:
    if facts is not None and household.id in facts.incomes:
        return facts.incomes[household.id]
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


def _endings(session: Session, household: Household, facts: ChunkFacts | None) -> list[Ending]:
    """Last payment dates; a source too broken to schedule has its own alert instead."""
    if facts is not None:
        return facts.endings.get(household.id, [])
    specs = load_specs(session, [household.id])
    return [e for e in map(ending_of, specs) if e is not None]


def _unusual(
    session: Session, household: Household, today: date, facts: ChunkFacts | None
) -> list[Unusual]:
    """Recent expenses above twice their category's 90th percentile of the past year."""
    if facts is not None:
        return facts.unusual.get(household.id, [])
    found: dict[int, list[Unusual]] = {household.id: []}
    unusual_expenses(session, [household.id], today, found)
    return found[household.id]


def _failed_bookings(
    session: Session, household: Household, facts: ChunkFacts | None = None
) -> list[BookingFailure]:
    """Sources the latest pass could not book, unless deleted or changed since (a fix)."""
    if facts is not None:
        candidates = facts.failed.get(household.id, [])
        return [f for f in candidates if _unfixed(session, household, f.kind, f.source_id, None)]
    found = []
    for failure in failed_bookings(session, household.id):
        if _unfixed(session, household, failure.kind, failure.source_id, failure.failed_at):
            found.append(
                BookingFailure(failure.kind, failure.source_id, failure.name, failure.reason)
            )
    return found


def _unfixed(
    session: Session, household: Household, kind: str, source_id: int, since: datetime | None
) -> bool:
    """The failed source still exists, unchanged since the pass (`None`: this very pass)."""
    model = BOOKED_TABLES.get(kind)
    if model is None:
        return False
    updated = session.scalar(
        select(model.updated_at).where(model.id == source_id, model.household_id == household.id)
    )
    return updated is not None and (since is None or updated <= since)


def _over_limit(
    session: Session, household: Household, today: date, facts: ChunkFacts | None
) -> list[CardOverLimit]:
    """The household's open credit cards with a limit whose exposure is above it."""
    if facts is not None and household.id not in facts.limited:
        return []
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
        for model in DATA_MODELS
    )


def _forecast_conditions(
    session: Session,
    household: Household,
    today: date,
    prefs: HouseholdSettings,
    facts: ChunkFacts | None = None,
) -> list[Condition]:
    """What the forecast's P50 path says: a dip below the levels, large payments ahead.

    Only the median path is built (`path_lows`): the alerts never read the band.
    """
    try:
        found = facts.inputs.get(household.id) if facts is not None else None
        inputs = found or gather_inputs(session, household, today)
        events = expected_events(inputs)
        lows = path_lows(inputs, events)
    except DomainError as exc:  # a broken source: its own alert names it, the rest still count
        log.warning("no forecast for alerts of household %s: %s", household.id, exc.message)
        return []
    conditions = alert_rules.forecast_conditions(
        lows, critical=prefs.critical_threshold, warning=prefs.warning_threshold
    )
    conditions += alert_rules.large_payments(
        events,
        today=today,
        average_income=_average_income(session, household, today, facts),
        share=prefs.large_payment_share,
    )
    return conditions


def _is_admin(session: Session, household: Household, facts: ChunkFacts | None) -> bool:
    return household.id in facts.admins if facts else has_admin_member(session, household)


def evaluate(
    session: Session,
    household: Household,
    today: date,
    now: datetime,
    *,
    facts: ChunkFacts | None = None,
) -> list[Condition]:
    """Every condition that holds for the household now (`facts`: answers loaded for a chunk).

    An account with no data at all gets no forecast alert: with nothing recorded, a
    forecast of 0.00 says nothing about the household (not enough data yet).
    """
    conditions = alert_rules.booking_failures(_failed_bookings(session, household, facts))
    if _is_admin(session, household, facts):
        conditions += alert_rules.backup_conditions(last_verified_backup(session), now)
    empty = household.id not in facts.with_data if facts else has_no_data(session, household)
    if empty:
        return conditions
    prefs = get_household_settings(session, household)
    conditions += _forecast_conditions(session, household, today, prefs, facts)
    conditions += alert_rules.endings(_endings(session, household, facts), today=today)
    conditions += alert_rules.unusual_expenses(_unusual(session, household, today, facts))
    if facts is None or household.id in facts.budgeted:
        conditions += budgets.alert_conditions(session, household, today)
    conditions += alert_rules.card_limits(_over_limit(session, household, today, facts))
    return conditions


def sync_alerts(
    session: Session, household: Household, conditions: list[Condition], now: datetime
) -> None:
    """One open alert per condition: upsert the ones that hold, resolve the ones gone."""
    sync_many(session, {household.id: conditions}, now)


def sync_many(session: Session, conditions: Mapping[int, list[Condition]], now: datetime) -> None:
    """`sync_alerts` for many households at once: the upserts, then one resolving update.

    An upsert on the partial unique index of open alerts, so refreshes that run at the
    same time meet in the database instead of failing on a duplicate.
    """
    unique = {  # a condition counts once
        (household_id, c.key): c for household_id, found in conditions.items() for c in found
    }
    rows = [
        {
            "household_id": household_id,
            "key": c.key,
            "kind": c.kind,
            "severity": c.severity,
            "title": c.title,
            "message": c.message,
            "data": c.data,
            "first_seen_at": now,
            "last_seen_at": now,
        }
        for (household_id, _), c in sorted(unique.items(), key=lambda kv: kv[0])  # one lock order
    ]
    if rows:  # many rows: one statement per thousand (SQLAlchemy's "insertmanyvalues")
        upsert = pg_insert(Alert)
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
            ),
            rows,
        )
    session.execute(
        update(Alert)
        .where(
            Alert.household_id.in_(list(conditions)),
            Alert.resolved_at.is_(None),
            tuple_(Alert.household_id, Alert.key).not_in(list(unique)),
        )
        .values(resolved_at=now)
        .execution_options(synchronize_session=False)
    )
    for stale in [o for o in session.identity_map.values() if isinstance(o, Alert)]:
        session.expire(stale)  # alert rows loaded earlier are stale now (others are not)


def _marks(session: Session, household: Household, facts: ChunkFacts | None) -> list[str]:
    if facts is not None:
        return list(facts.marks[household.id])
    parts = []
    for model in FINGERPRINT_MODELS:
        count, latest = session.execute(
            select(func.count(), func.max(model.updated_at)).where(
                model.household_id == household.id
            )
        ).one()
        parts.append(mark_part(count, latest))
    return parts


def _fingerprint(
    session: Session,
    household: Household,
    today: date,
    now: datetime,
    facts: ChunkFacts | None = None,
) -> str:
    """Changes whenever anything that moves the forecast changes (or the day turns)."""
    admin = _is_admin(session, household, facts)
    parts = [today.isoformat(), f"{now:%Y%m%d%H}" if admin else ""]
    parts += _marks(session, household, facts)
    prefs = get_household_settings(session, household)
    parts += [
        str(prefs.warning_threshold),
        str(prefs.critical_threshold),
        str(prefs.large_payment_share),
        str(prefs.forecast_horizon_months),
        str(prefs.include_history),
        household.timezone,
        ",".join(f"{f.kind}:{f.source_id}" for f in _failed_bookings(session, household, facts)),
    ]
    # A digest: the parts grow with every table that moves the forecast (and with the
    # failed sources), the stored column does not.
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def refresh_alerts(
    session: Session,
    household: Household,
    today: date,
    now: datetime,
    *,
    force: bool = False,
) -> bool:
    """Re-evaluate the household's alerts when anything changed since the last time."""
    prefs = get_household_settings(session, household)
    mark = _fingerprint(session, household, today, now)
    if not force and prefs.alerts_fingerprint == mark:
        return False
    conditions = evaluate(session, household, today, now)
    sync_alerts(session, household, conditions, now)
    prefs.alerts_fingerprint = mark  # alerts are not part of it: the mark still holds
    session.flush()
    return True


def refresh_chunk(
    session: Session,
    homes: Sequence[Household],
    today: Mapping[int, date],
    now: datetime,
    *,
    failed: Mapping[int, list[BookingFailure]],
) -> tuple[int, int]:
    """Re-evaluate a chunk's alerts: their answers read at once, their alerts written at once.

    Each household is evaluated in a savepoint of its own, so one that fails (a bad
    source, a query refused) stops only its own alerts; what changed is then written in
    a few statements for the whole chunk. `failed` is what the booking pass that just ran
    could not book for them. Returns how many households were evaluated and how many failed.
    """
    ids = [home.id for home in homes]
    settings = {  # held here, so `get_household_settings` finds them in the session
        prefs.household_id: prefs
        for prefs in session.scalars(
            select(HouseholdSettings).where(HouseholdSettings.household_id.in_(ids))
        )
    }
    facts = load_facts(session, homes, today, failed=failed)
    changed: dict[int, list[Condition]] = {}
    marks: dict[int, tuple[HouseholdSettings, str]] = {}
    failures = 0
    for home in homes:
        try:
            with session.begin_nested():
                prefs = settings.get(home.id) or get_household_settings(session, home)
                mark = _fingerprint(session, home, today[home.id], now, facts)
                if prefs.alerts_fingerprint != mark:
                    changed[home.id] = evaluate(session, home, today[home.id], now, facts=facts)
                    marks[home.id] = (prefs, mark)
        except Exception:  # one household's failure stops only its own alerts
            log.exception("alert evaluation failed for household %s", home.id)
            failures += 1
    if changed:
        sync_many(session, changed, now)
    for prefs, mark in marks.values():
        prefs.alerts_fingerprint = mark  # alerts are not part of it: the mark still holds
    session.flush()
    return len(homes) - failures, failures


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
