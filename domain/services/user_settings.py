"""A user's settings: currency, timezone, language, horizon, thresholds, week start."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from domain.db.models import User, UserSettings
from domain.errors import InvalidInputError
from domain.rules.dates import is_known_timezone
from domain.rules.ledger import CURRENCY_RE

FIELDS = (
    "currency",
    "timezone",
    "language",
    "forecast_horizon_months",
    "warning_threshold",
    "critical_threshold",
    "week_start",
    "large_payment_share",
    "include_history",
    "notifications",
)
USER_FIELDS = ("currency", "timezone")
WEEKDAY = {"sunday": 6, "monday": 0}


def get_user_settings(session: Session, user: User) -> UserSettings:
    """The user's settings row, created with the defaults on first use.

    Concurrent first reads all insert; ON CONFLICT lets one of them win and the others
    read the row it made, where a plain INSERT would fail them on the primary key.
    """
    found = session.get(UserSettings, user.id)
    if found is None:
        session.execute(
            insert(UserSettings)
            .values(user_id=user.id)
            .on_conflict_do_nothing(index_elements=[UserSettings.user_id])
        )
        found = session.get_one(UserSettings, user.id)
    return found


def _check(changes: dict[str, Any]) -> None:
    if "currency" in changes and not CURRENCY_RE.match(str(changes["currency"])):
        raise InvalidInputError("currency", "must be a 3-letter ISO code such as ILS")
    if "timezone" in changes and not is_known_timezone(str(changes["timezone"])):
        raise InvalidInputError("timezone", "not a known timezone, such as Asia/Jerusalem")
    horizon = changes.get("forecast_horizon_months")
    if horizon is not None and not 1 <= int(horizon) <= 36:
        raise InvalidInputError("forecast_horizon_months", "must be 1 to 36")
    if changes.get("language", "en") not in ("en", "he"):
        raise InvalidInputError("language", "must be 'en' or 'he'")
    if changes.get("week_start", "sunday") not in WEEKDAY:
        raise InvalidInputError("week_start", "must be 'sunday' or 'monday'")
    share = changes.get("large_payment_share")
    if share is not None and not Decimal(0) < Decimal(share) <= 10:
        raise InvalidInputError("large_payment_share", "must be above 0 and at most 10")


def update_user_settings(session: Session, user: User, changes: dict[str, Any]) -> UserSettings:
    """Change some settings; thresholds keep critical at or below warning."""
    unknown = set(changes) - set(FIELDS)
    if unknown:
        raise InvalidInputError(sorted(unknown)[0], "is not a setting")
    _check(changes)
    row = get_user_settings(session, user)
    for name, value in changes.items():
        setattr(user if name in USER_FIELDS else row, name, value)
    if row.critical_threshold > row.warning_threshold:
        raise InvalidInputError("critical_threshold", "must not be above the warning threshold")
    session.flush()
    return row
