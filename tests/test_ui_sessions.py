"""UI sessions in the database: started, resumed by one signed cookie, ended, pruned."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from domain.config import Settings
from domain.db.models import UiSession, User
from domain.errors import AuthenticationError, NotFoundError
from domain.rules.session_cookies import (
    hash_session_id,
    new_session_id,
    read_session_cookie,
    sign_session_id,
)
from domain.services import auth, ui_sessions
from jobs.passes import heartbeat_pass
from tests.conftest import PASSWORD, make_user

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
SECRET = "a-secret-that-is-at-least-thirty-two-bytes-long"


def _start(session: Session, settings: Settings, user: User, now: datetime = NOW) -> str:
    return ui_sessions.start_ui_session(session, settings, user, now, client="10.0.0.1").cookie


def _resume(session: Session, settings: Settings, cookie: str, now: datetime = NOW) -> int | None:
    user = ui_sessions.resume_ui_session(session, settings, cookie, now)
    return user.id if user else None


@pytest.mark.parametrize(
    ("mangle", "accepted"),
    [
        (lambda c: c, True),
        (lambda c: c + "0", False),  # a changed signature
        (lambda c: "x" + c, False),  # a changed id
        (lambda c: c.split(".")[0], False),  # the id without a signature
        (lambda c: "", False),
        (lambda c: "..", False),
        (lambda c: "é." + c.split(".")[1], False),  # not ASCII
    ],
)
def test_cookie_signature(mangle: Callable[[str], str], accepted: bool) -> None:
    session_id = new_session_id()
    cookie = mangle(sign_session_id(session_id, SECRET))
    assert (read_session_cookie(cookie, SECRET) == session_id) is accepted


def test_a_cookie_signed_with_another_secret_is_refused() -> None:
    session_id = new_session_id()
    assert read_session_cookie(sign_session_id(session_id, SECRET + "x"), SECRET) is None


def test_only_the_hash_of_the_id_is_stored(session: Session, settings: Settings) -> None:
    user = make_user(session, settings)
    cookie = _start(session, settings, user)
    session_id = read_session_cookie(cookie, settings.secret())
    assert session_id is not None
    row = session.scalars(select(UiSession).where(UiSession.user_id == user.id)).one()
    assert row.id_hash == hash_session_id(session_id) != session_id
    assert session_id not in cookie.split(".")[1]
    assert row.expires_at == NOW + timedelta(days=settings.ui_session_days)
    assert row.client == "10.0.0.1"


def test_resume_logout_and_expiry(session: Session, settings: Settings) -> None:
    user = make_user(session, settings)
    cookie, other = _start(session, settings, user), _start(session, settings, user)
    assert _resume(session, settings, cookie) == user.id
    ui_sessions.end_ui_session(session, settings, cookie, NOW)
    assert _resume(session, settings, cookie) is None  # logged out, whatever the browser kept
    assert _resume(session, settings, other) == user.id  # another browser stays logged in
    expiry = NOW + timedelta(days=settings.ui_session_days)
    assert _resume(session, settings, other, expiry - timedelta(seconds=1)) == user.id
    assert _resume(session, settings, other, expiry) is None


def test_last_seen_is_written_only_every_few_minutes(session: Session, settings: Settings) -> None:
    user = make_user(session, settings)
    cookie = _start(session, settings, user)
    row = session.scalars(select(UiSession).where(UiSession.user_id == user.id)).one()
    _resume(session, settings, cookie, NOW + timedelta(minutes=4))
    assert row.last_seen_at == NOW
    _resume(session, settings, cookie, NOW + timedelta(minutes=6))
    assert row.last_seen_at == NOW + timedelta(minutes=6)


def test_a_deactivated_person_is_logged_out(session: Session, settings: Settings) -> None:
    user = make_user(session, settings)
    cookie = _start(session, settings, user)
    user.is_active = False
    session.flush()
    assert _resume(session, settings, cookie) is None


def test_a_password_change_ends_every_ui_session(session: Session, settings: Settings) -> None:
    user, bystander = make_user(session, settings), make_user(session, settings)
    cookies = [_start(session, settings, user) for _n in range(2)]
    kept = _start(session, settings, bystander)
    auth.change_password(session, settings, user, current=PASSWORD, new="a new password", now=NOW)
    assert [_resume(session, settings, c) for c in cookies] == [None, None]
    assert _resume(session, settings, kept) == bystander.id


def test_a_reused_refresh_token_ends_every_ui_session(session: Session, settings: Settings) -> None:
    user = make_user(session, settings)
    cookie = _start(session, settings, user)
    pair = auth.issue_pair(settings, user, NOW)
    auth.refresh_pair(session, settings, pair.refresh.token, NOW)
    with pytest.raises(AuthenticationError, match="reused"):
        auth.refresh_pair(session, settings, pair.refresh.token, NOW)
    assert _resume(session, settings, cookie) is None


def test_reset_password_ends_tokens_and_ui_sessions(session: Session, settings: Settings) -> None:
    user = make_user(session, settings)
    cookie = _start(session, settings, user)
    version = user.token_version
    auth.reset_password(session, settings, user.username.upper(), "reset password 1", NOW)
    assert user.token_version == version + 1
    assert _resume(session, settings, cookie) is None
    assert (
        auth.authenticate(session, settings, user.username, "reset password 1", NOW).id == user.id
    )
    with pytest.raises(NotFoundError):
        auth.reset_password(session, settings, "nobody-such", "reset password 1", NOW)


def test_the_heartbeat_prunes_ended_and_expired_sessions(
    session: Session, session_factory: sessionmaker[Session], settings: Settings
) -> None:
    user = make_user(session, settings)
    now = datetime.now(UTC)
    live = _start(session, settings, user, now)
    ended = _start(session, settings, user, now)
    ui_sessions.end_ui_session(session, settings, ended, now)
    _start(session, settings, user, now - timedelta(days=settings.ui_session_days + 1))
    session.commit()
    heartbeat_pass(session_factory, settings)
    left = session.scalar(
        select(func.count()).select_from(UiSession).where(UiSession.user_id == user.id)
    )
    assert left == 1
    assert _resume(session, settings, live, now) == user.id
