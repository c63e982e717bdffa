"""A household's settings: currency, timezone, language, horizon, thresholds, week start."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from domain.db.models import Household, HouseholdSettings
from domain.errors import InvalidInputError
from domain.rules.dates import is_known_timezone
from domain.rules.ledger import CURRENCY_RE
from domain.services.accounts import follow_base

FIELDS = (
    "currency",
    "timezone",
    "forecast_horizon_months",
    "warning_threshold",
    "critical_threshold",
    "week_start",
    "large_payment_share",
    "include_history",
    "notifications",
)
HOUSEHOLD_FIELDS = ("currency", "timezone")
WEEKDAY = {"sunday": 6, "monday": 0}


def get_household_settings(session: Session, household: Household) -> HouseholdSettings:
    """The household's settings row, created with the defaults on first use.

    Concurrent first reads all insert; ON CONFLICT lets one of them win and the others
    read the row it made, where a plain INSERT would fail them on the primary key.
    """
    found = session.get(HouseholdSettings, household.id)
    if found is None:
        session.execute(
            insert(HouseholdSettings)
            .values(household_id=household.id)
            .on_conflict_do_nothing(index_elements=[HouseholdSettings.household_id])
        )
        found = session.get_one(HouseholdSettings, household.id)
    return found


def _check(changes: dict[str, Any]) -> None:
    if "currency" in changes and not CURRENCY_RE.match(str(changes["currency"])):
        raise InvalidInputError("currency", "must be a 3-letter ISO code such as ILS")
    if "timezone" in changes and not is_known_timezone(str(changes["timezone"])):
        raise InvalidInputError("timezone", "not a known timezone, such as Asia/Jerusalem")
    horizon = changes.get("forecast_horizon_months")
    if horizon is not None and not 1 <= int(horizon) <= 36:
        raise InvalidInputError("forecast_horizon_months", "must be 1 to 36")
    if changes.get("week_start", "sunday") not in WEEKDAY:
        raise InvalidInputError("week_start", "must be 'sunday' or 'monday'")
    share = changes.get("large_payment_share")
    if share is not None and not Decimal(0) < Decimal(share) <= 10:
        raise InvalidInputError("large_payment_share", "must be above 0 and at most 10")


def update_household_settings(
    session: Session, household: Household, changes: dict[str, Any]
) -> HouseholdSettings:
    """Change some settings; thresholds keep critical at or below warning."""
    unknown = set(changes) - set(FIELDS)
    if unknown:
        raise InvalidInputError(sorted(unknown)[0], "is not a setting")
    _check(changes)
    row = get_household_settings(session, household)
    base = household.currency
    for name, value in changes.items():
        setattr(household if name in HOUSEHOLD_FIELDS else row, name, value)
    if row.critical_threshold > row.warning_threshold:
        raise InvalidInputError("critical_threshold", "must not be above the warning threshold")
    session.flush()
    if household.currency != base:
        follow_base(session, household, base)
    return row
