"""The demo account that a first run shows."""

from __future__ import annotations

from sqlalchemy.orm import Session

from domain.config import Settings
from domain.db.models import User
from domain.services.users import create_user, find_user_by_username

DEMO_USERNAME = "demo"


def ensure_demo_user(session: Session, settings: Settings, password: str) -> tuple[User, bool]:
    """Return the demo user, creating it (as an admin) when missing; True when created."""
    user = find_user_by_username(session, DEMO_USERNAME)
    if user is not None:
        return user, False
    user = create_user(
        session,
        settings,
        username=DEMO_USERNAME,
        password=password,
        display_name="Demo household",
        is_admin=True,
    )
    return user, True
