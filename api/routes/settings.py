"""Settings routes."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import CurrentUser, HouseholdDep, SessionDep
from api.schemas.forecast import SettingsIn, SettingsOut
from domain.db.models import Household, HouseholdSettings, User
from domain.services.household_settings import get_household_settings, update_household_settings
from domain.services.users import set_language

router = APIRouter(prefix="/settings", tags=["settings"])


def _out(household: Household, user: User, row: HouseholdSettings) -> SettingsOut:
    fields = {name: getattr(row, name) for name in SettingsOut.model_fields if hasattr(row, name)}
    return SettingsOut.model_validate(
        {
            **fields,
            "currency": household.currency,
            "timezone": household.timezone,
            "language": user.language,
        }
    )


@router.get("")
def read_settings(household: HouseholdDep, user: CurrentUser, session: SessionDep) -> SettingsOut:
    """The household's settings, and your language."""
    return _out(household, user, get_household_settings(session, household))


@router.put("")
def change_settings(
    body: SettingsIn, household: HouseholdDep, user: CurrentUser, session: SessionDep
) -> SettingsOut:
    """Change some of the household's settings (members and above), and your language."""
    changes = {k: v for k, v in body.model_dump(exclude_unset=True).items() if v is not None}
    if (language := changes.pop("language", None)) is not None:
        set_language(session, user, language)
    row = update_household_settings(session, household, changes)
    return _out(household, user, row)
