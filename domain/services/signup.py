"""Signing up: REGISTRATION decides who may (anyone, holders of an admin's code, nobody).

Sign-up codes are single use and expire; only their SHA-256 is stored, and the code itself
is shown once, to the admin who made it.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from domain.config import Settings
from domain.db.models import SignupCode, User
from domain.errors import ForbiddenError, InvalidInputError
from domain.i18n import N_
from domain.rules.codes import digest_secret
from domain.services.users import create_user

CODE_BYTES = 12
CODE_DAYS = 7
CLOSED = N_("sign-up is closed; ask the administrator for an account")
BAD_CODE = N_("this sign-up code is unknown, used or expired")
CODE_REQUIRED = N_("a sign-up code is required")
ADMINS_ONLY = N_("only an administrator may create sign-up codes")


@dataclass(frozen=True)
class IssuedCode:
    """A new sign-up code, shown only now, and when it stops working."""

    code: str
    expires_at: datetime


def create_signup_code(
    session: Session, now: datetime, *, by: User | None, days: int = CODE_DAYS
) -> IssuedCode:
    """A single-use code for one sign-up; `by` None is the command line (the operator)."""
    if by is not None and not by.is_admin:
        raise ForbiddenError(ADMINS_ONLY)
    code = secrets.token_urlsafe(CODE_BYTES)
    expires_at = now + timedelta(days=days)
    session.add(
        SignupCode(
            code_hash=digest_secret(code),
            created_by_id=by.id if by else None,
            created_at=now,
            expires_at=expires_at,
        )
    )
    session.flush()
    return IssuedCode(code, expires_at)


def open_code_count(session: Session, now: datetime) -> int:
    """How many sign-up codes are unused and unexpired."""
    return (
        session.scalar(
            select(func.count())
            .select_from(SignupCode)
            .where(SignupCode.used_at.is_(None), SignupCode.expires_at > now)
        )
        or 0
    )


def _spend_code(session: Session, code: str | None, now: datetime) -> int:
    """Mark a code used (once, even under concurrent sign-ups); its id."""
    if not code or not code.strip():
        raise InvalidInputError("code", CODE_REQUIRED)
    spent: int | None = session.scalar(
        update(SignupCode)
        .where(
            SignupCode.code_hash == digest_secret(code),
            SignupCode.used_at.is_(None),
            SignupCode.expires_at > now,
        )
        .values(used_at=now)
        .returning(SignupCode.id)
    )
    if spent is None:
        raise ForbiddenError(BAD_CODE)
    return spent


def sign_up(
    session: Session,
    settings: Settings,
    *,
    username: str,
    password: str,
    now: datetime,
    code: str | None = None,
    display_name: str = "",
    email: str | None = None,
) -> User:
    """Create an account as REGISTRATION allows: openly, with a code, or not at all."""
    mode = settings.registration_mode()
    if mode == "closed":
        raise ForbiddenError(CLOSED)
    code_id = _spend_code(session, code, now) if mode == "invite" else None
    user = create_user(
        session,
        settings,
        username=username,
        password=password,
        display_name=display_name,
        email=email,
    )
    if code_id is not None:
        session.execute(
            update(SignupCode).where(SignupCode.id == code_id).values(used_by_id=user.id)
        )
    return user
