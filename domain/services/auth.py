"""Authentication: login with throttling (two steps with 2FA), tokens, rotation, revocation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any, cast

from sqlalchemy import CursorResult, delete, exists, or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from domain.config import Settings
from domain.db.models import USERNAME_MAX, LoginThrottle, RevokedToken, User
from domain.errors import AuthenticationError, InvalidInputError, NotFoundError
from domain.i18n import N_
from domain.rules.passwords import (
    MAX_PASSWORD_BYTES,
    check_password_rules,
    dummy_hash,
    hash_password,
    verify_password,
)
from domain.rules.throttling import FORGET_AFTER
from domain.rules.tokens import IssuedToken, TokenClaims, TokenKind, decode_token, issue_token
from domain.services.attempts import claim_attempt, clear_attempts
from domain.services.second_factor import check_second_factor, is_enabled
from domain.services.ui_sessions import end_all_ui_sessions
from domain.services.users import find_user_by_username, normalise_username

BAD_CREDENTIALS = "incorrect username or password"
BAD_CODE = N_("incorrect or already used code")
CHALLENGE_TTL = timedelta(minutes=5)
"""How long a right password waits for its second factor."""


@dataclass(frozen=True)
class TokenPair:
    """An access token and the refresh token that renews it."""

    access: IssuedToken
    refresh: IssuedToken


@dataclass(frozen=True)
class LoggedIn:
    """A login that is complete: the user and a fresh token pair."""

    user: User
    tokens: TokenPair


@dataclass(frozen=True)
class SecondFactorDue:
    """A right password for a two-factor account: the challenge token the code step needs."""

    challenge: IssuedToken


@lru_cache(maxsize=4)
def _dummy_hash(rounds: int) -> str:
    return dummy_hash(rounds=rounds)


def login_scopes(username: str, client: str) -> list[tuple[str, bool]]:
    """The scopes a login attempt counts in: the account, and the account from this client."""
    key = normalise_username(username)[:USERNAME_MAX]
    return [(f"account:{key}", True), (f"client:{key}|{client[:64]}", False)]


def authenticate(
    session: Session,
    settings: Settings,
    username: str,
    password: str,
    now: datetime,
    *,
    client: str = "unknown",
) -> User:
    """Return the user for good credentials; count and refuse bad ones alike for all names."""
    if len(password.encode("utf-8")) > MAX_PASSWORD_BYTES:
        raise InvalidInputError("password", f"must be at most {MAX_PASSWORD_BYTES} bytes in UTF-8")
    counters = claim_attempt(session, settings, login_scopes(username, client), now)
    user = find_user_by_username(session, username)
    if user is None or not user.is_active:
        verify_password(password, _dummy_hash(settings.bcrypt_rounds))
    elif verify_password(password, user.password_hash):
        clear_attempts(counters)
        return user
    raise AuthenticationError(BAD_CREDENTIALS, keep_changes=True)


def _sign(
    settings: Settings, user: User, kind: TokenKind, ttl: timedelta, now: datetime
) -> IssuedToken:
    return issue_token(
        user_id=user.id,
        version=user.token_version,
        kind=kind,
        now=now,
        ttl=ttl,
        secret=settings.secret(),
        algorithm=settings.algorithm,
    )


def issue_pair(settings: Settings, user: User, now: datetime) -> TokenPair:
    """Sign a fresh access and refresh token for the user."""
    return TokenPair(
        access=_sign(
            settings, user, "access", timedelta(minutes=settings.access_token_expire_minutes), now
        ),
        refresh=_sign(
            settings, user, "refresh", timedelta(days=settings.refresh_token_expire_days), now
        ),
    )


def log_in(
    session: Session,
    settings: Settings,
    username: str,
    password: str,
    now: datetime,
    *,
    client: str = "unknown",
) -> LoggedIn | SecondFactorDue:
    """The password step: tokens, or a challenge when the account has two-factor login."""
    user = authenticate(session, settings, username, password, now, client=client)
    if is_enabled(user):
        return SecondFactorDue(_sign(settings, user, "challenge", CHALLENGE_TTL, now))
    return LoggedIn(user, issue_pair(settings, user, now))


def complete_login(
    session: Session, settings: Settings, challenge_token: str, code: str, now: datetime
) -> LoggedIn:
    """The code step: a TOTP or recovery code for a live challenge; the challenge is spent.

    Codes are throttled per user; a wrong one leaves the challenge usable until it expires.
    """
    user, claims = verify_token(session, settings, challenge_token, "challenge", now)
    if not check_second_factor(session, settings, user, code, now):
        raise AuthenticationError(BAD_CODE, keep_changes=True)
    if not _revoke(session, claims):  # spent meanwhile by a concurrent call
        raise AuthenticationError("token revoked")
    return LoggedIn(user, issue_pair(settings, user, now))


def _revoke(session: Session, claims: TokenClaims) -> bool:
    """Record a token as revoked; False when it already was."""
    inserted = session.execute(
        insert(RevokedToken)
        .values(jti=claims.jti, user_id=claims.user_id, expires_at=claims.expires_at)
        .on_conflict_do_nothing(index_elements=[RevokedToken.jti])
        .returning(RevokedToken.jti)
    ).first()
    return inserted is not None


def verify_token(
    session: Session, settings: Settings, token: str, kind: TokenKind, now: datetime
) -> tuple[User, TokenClaims]:
    """Return the live user and claims of a token that is valid, current and unrevoked."""
    claims = decode_token(
        token, kind=kind, now=now, secret=settings.secret(), algorithm=settings.algorithm
    )
    revoked = exists().where(RevokedToken.jti == claims.jti)
    found = session.execute(select(User, revoked).where(User.id == claims.user_id)).one_or_none()
    if found is None:
        raise AuthenticationError("token revoked")
    user, is_revoked = found
    if is_revoked or not user.is_active or user.token_version != claims.version:
        raise AuthenticationError("token revoked")
    return user, claims


def refresh_pair(
    session: Session, settings: Settings, refresh_token: str, now: datetime
) -> TokenPair:
    """Rotate a refresh token; presenting a spent one revokes every token of its user."""
    claims = decode_token(
        refresh_token,
        kind="refresh",
        now=now,
        secret=settings.secret(),
        algorithm=settings.algorithm,
    )
    user = session.get(User, claims.user_id)
    if user is None or not user.is_active or user.token_version != claims.version:
        raise AuthenticationError("token revoked")
    if not _revoke(session, claims):
        user.token_version += 1  # reuse detected: every token of this user stops working
        end_all_ui_sessions(session, user.id, now)  # and every browser logged in as them
        raise AuthenticationError("refresh token reused; all sessions ended", keep_changes=True)
    return issue_pair(settings, user, now)


def logout(
    session: Session,
    settings: Settings,
    access: TokenClaims,
    refresh_token: str | None,
    now: datetime,
) -> None:
    """Revoke the access token presented and, when given, its refresh token."""
    _revoke(session, access)
    if refresh_token:
        try:
            claims = decode_token(
                refresh_token,
                kind="refresh",
                now=now,
                secret=settings.secret(),
                algorithm=settings.algorithm,
            )
        except AuthenticationError:
            return  # an invalid refresh token cannot be used anyway
        if claims.user_id == access.user_id:
            _revoke(session, claims)


def change_password(
    session: Session, settings: Settings, user: User, *, current: str, new: str, now: datetime
) -> TokenPair:
    """Set a new password; every older token stops working, fresh ones are returned.

    Checking the current password is throttled like a login (its own counter), so a
    stolen token is no oracle for the password.
    """
    counters = claim_attempt(session, settings, [(f"password:{user.id}", False)], now)
    if not verify_password(current, user.password_hash):
        raise InvalidInputError(
            "current_password", "is not the current password", keep_changes=True
        )
    clear_attempts(counters)
    _set_password(session, settings, user, new, now, field="new_password")
    return issue_pair(settings, user, now)


def _set_password(
    session: Session, settings: Settings, user: User, new: str, now: datetime, *, field: str
) -> None:
    """Store a new password; every token and UI session of the person stops working."""
    check_password_rules(new, field=field)
    user.password_hash = hash_password(new, rounds=settings.bcrypt_rounds)
    user.token_version += 1
    end_all_ui_sessions(session, user.id, now)
    session.flush()


def reset_password(
    session: Session, settings: Settings, username: str, new: str, now: datetime
) -> User:
    """An admin sets a person's password (no e-mail when self-hosted); their logins all end."""
    user = find_user_by_username(session, username)
    if user is None:
        raise NotFoundError("user not found")
    _set_password(session, settings, user, new, now, field="password")
    return user


def prune_auth_records(session: Session, settings: Settings, now: datetime) -> int:
    """Delete revocations of expired tokens and login counters that count nothing any more."""
    statements = (
        delete(RevokedToken).where(RevokedToken.expires_at < now),
        delete(LoginThrottle).where(
            or_(
                LoginThrottle.last_failure_at.is_(None),
                LoginThrottle.last_failure_at < now - FORGET_AFTER,
            ),
            LoginThrottle.updated_at < now - FORGET_AFTER,
        ),
    )
    return sum(cast("CursorResult[Any]", session.execute(stmt)).rowcount for stmt in statements)
