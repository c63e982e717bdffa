"""UI logins kept in the database: started after the last login step, checked every run, ended.

The browser's cookie carries a signed random id; only its SHA-256 is stored. Logging out
revokes the one session; a password change or a reused refresh token revokes them all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, delete, or_, select, update
from sqlalchemy.orm import Session

from domain.config import Settings
from domain.db.models import UiSession, User
from domain.rules.session_cookies import (
    hash_session_id,
    new_session_id,
    read_session_cookie,
    sign_session_id,
)

SEEN_EVERY = timedelta(minutes=5)
"""How stale `last_seen_at` may get before a check writes it again (not a write per click)."""


@dataclass(frozen=True)
class StartedSession:
    """A new UI session: the cookie value to hand the browser and when it expires."""

    cookie: str
    expires_at: datetime


def start_ui_session(
    session: Session, settings: Settings, user: User, now: datetime, *, client: str = ""
) -> StartedSession:
    """Open a UI session for a person whose login is complete."""
    session_id = new_session_id()
    expires_at = now + timedelta(days=settings.ui_session_days)
    session.add(
        UiSession(
            id_hash=hash_session_id(session_id),
            user_id=user.id,
            created_at=now,
            last_seen_at=now,
            expires_at=expires_at,
            client=client[:64],
        )
    )
    session.flush()
    return StartedSession(sign_session_id(session_id, settings.secret()), expires_at)


def _id_hash(settings: Settings, cookie: str) -> str | None:
    session_id = read_session_cookie(cookie, settings.secret())
    return hash_session_id(session_id) if session_id else None


def resume_ui_session(
    session: Session, settings: Settings, cookie: str, now: datetime
) -> User | None:
    """The person a cookie's live session belongs to, or None (one row and one user read)."""
    id_hash = _id_hash(settings, cookie)
    if id_hash is None:
        return None
    found = session.execute(
        select(UiSession, User)
        .join(User, User.id == UiSession.user_id)
        .where(
            UiSession.id_hash == id_hash,
            UiSession.revoked_at.is_(None),
            UiSession.expires_at > now,
            User.is_active,
        )
    ).one_or_none()
    if found is None:
        return None
    row, user = found
    if now - row.last_seen_at > SEEN_EVERY:
        row.last_seen_at = now
    return user


def end_ui_session(session: Session, settings: Settings, cookie: str, now: datetime) -> None:
    """Log one browser out: its session stops working whatever the browser keeps."""
    id_hash = _id_hash(settings, cookie)
    if id_hash is not None:
        session.execute(
            update(UiSession)
            .where(UiSession.id_hash == id_hash, UiSession.revoked_at.is_(None))
            .values(revoked_at=now)
        )


def end_all_ui_sessions(session: Session, user_id: int, now: datetime) -> int:
    """End every UI session of a person (password changed, a token stolen); how many ended."""
    result = session.execute(
        update(UiSession)
        .where(UiSession.user_id == user_id, UiSession.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return cast("CursorResult[Any]", result).rowcount


def prune_ui_sessions(session: Session, now: datetime) -> int:
    """Delete sessions that ended or expired; how many."""
    result = session.execute(
        delete(UiSession).where(or_(UiSession.revoked_at.is_not(None), UiSession.expires_at <= now))
    )
    return cast("CursorResult[Any]", result).rowcount
