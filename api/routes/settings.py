"""Settings routes."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import CurrentUser, SessionDep
from api.schemas.forecast import SettingsIn, SettingsOut
from domain.db.models import User, UserSettings
from domain.services.user_settings import get_user_settings, update_user_settings

router = APIRouter(prefix="/settings", tags=["settings"])


def _out(user: User, row: UserSettings) -> SettingsOut:
    fields = {name: getattr(row, name) for name in SettingsOut.model_fields if hasattr(row, name)}
    return SettingsOut.model_validate(
        {**fields, "currency": user.currency, "timezone": user.timezone}
    )


@router.get("")
def read_settings(user: CurrentUser, session: SessionDep) -> SettingsOut:
    """The user's settings."""
    return _out(user, get_user_settings(session, user))


@router.put("")
def change_settings(body: SettingsIn, user: CurrentUser, session: SessionDep) -> SettingsOut:
    """Change some settings."""
    changes = {k: v for k, v in body.model_dump(exclude_unset=True).items() if v is not None}
    row = update_user_settings(session, user, changes)
    return _out(user, row)
