"""Alert routes: list, unread count, read, unread, snooze, dismiss."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import HouseholdDep, NowDep, SessionDep, TodayDep
from api.schemas.common import PathId
from api.schemas.forecast import AlertOut, CountOut, SnoozeIn
from domain.db.models import Alert
from domain.services import alerts

router = APIRouter(prefix="/alerts", tags=["alerts"])


def _out(alert: Alert) -> AlertOut:
    return AlertOut(
        id=alert.id,
        kind=alert.kind,
        severity=alert.severity,
        title=alert.title,
        message=alert.message,
        first_seen_at=alert.first_seen_at,
        last_seen_at=alert.last_seen_at,
        resolved_at=alert.resolved_at,
        read=alert.read_at is not None,
        snoozed_until=alert.snoozed_until,
        dismissed=alert.dismissed_at is not None,
    )


@router.get("")
def list_alerts(
    household: HouseholdDep,
    session: SessionDep,
    today: TodayDep,
    now: NowDep,
    include_closed: bool = False,
) -> list[AlertOut]:
    """The household's alerts, evaluated afresh when anything changed."""
    alerts.refresh_alerts(session, household, today, now)
    return [
        _out(a)
        for a in alerts.list_alerts(session, household, today, include_closed=include_closed)
    ]


@router.get("/unread")
def unread(household: HouseholdDep, session: SessionDep, today: TodayDep, now: NowDep) -> CountOut:
    """How many visible alerts are unread."""
    alerts.refresh_alerts(session, household, today, now)
    return CountOut(count=alerts.unread_count(session, household, today))


@router.put("/read-all")
def read_all(
    household: HouseholdDep, session: SessionDep, today: TodayDep, now: NowDep
) -> CountOut:
    """Mark every visible alert read."""
    return CountOut(count=alerts.mark_all_read(session, household, today, now))


@router.put("/{alert_id:int}/read")
def read(alert_id: PathId, household: HouseholdDep, session: SessionDep, now: NowDep) -> AlertOut:
    """Mark an alert read."""
    return _out(alerts.mark_read(session, household, alert_id, now))


@router.put("/{alert_id:int}/unread")
def mark_unread(
    alert_id: PathId, household: HouseholdDep, session: SessionDep, now: NowDep
) -> AlertOut:
    """Mark an alert unread."""
    return _out(alerts.mark_read(session, household, alert_id, now, read=False))


@router.put("/{alert_id:int}/snooze")
def snooze(
    alert_id: PathId, body: SnoozeIn, household: HouseholdDep, session: SessionDep, today: TodayDep
) -> AlertOut:
    """Hide an alert until a day."""
    return _out(alerts.snooze(session, household, alert_id, until=body.until, today=today))


@router.put("/{alert_id:int}/dismiss")
def dismiss(
    alert_id: PathId, household: HouseholdDep, session: SessionDep, now: NowDep
) -> AlertOut:
    """Dismiss an alert while its condition lasts."""
    return _out(alerts.dismiss(session, household, alert_id, now))
