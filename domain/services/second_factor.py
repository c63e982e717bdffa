"""Two-factor login: enrolment, recovery codes, turning it off, and checking a second factor.

Every code check is throttled like a password (one counter per user, `totp:{id}`), and a
TOTP code is accepted once: its time step must come after the last step accepted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from domain.config import Settings
from domain.db.models import RecoveryCode, User
from domain.errors import ConflictError, InvalidInputError
from domain.i18n import N_
from domain.rules.passwords import verify_password
from domain.rules.second_factor import (
    hash_recovery_code,
    matching_step,
    new_recovery_codes,
    new_secret,
    normalise_recovery_code,
    provisioning_uri,
)
from domain.services.attempts import claim_attempt, clear_attempts

BAD_CODE = N_("is wrong, expired or already used")
ALREADY_ON = N_("two-factor login is already on")
NOT_BEGUN = N_("start two-factor enrolment first")
NOT_ON = N_("two-factor login is off")
WRONG_PASSWORD = N_("is not the current password")


@dataclass(frozen=True)
class TwoFactorStatus:
    """Whether a user's login asks for a code, and how many recovery codes are left."""

    enabled: bool
    enabled_at: datetime | None
    pending: bool
    recovery_codes_left: int


@dataclass(frozen=True)
class Enrolment:
    """A new secret to put into an authenticator app, as text and as an otpauth:// URI."""

    secret: str
    provisioning_uri: str


def is_enabled(user: User) -> bool:
    """Whether the user's login needs a second factor."""
    return user.totp_enabled_at is not None and user.totp_secret is not None


def _codes_left(session: Session, user: User) -> int:
    found = session.scalar(
        select(func.count())
        .select_from(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    )
    return int(found or 0)


def two_factor_status(session: Session, user: User) -> TwoFactorStatus:
    """The user's two-factor state."""
    enabled = is_enabled(user)
    return TwoFactorStatus(
        enabled=enabled,
        enabled_at=user.totp_enabled_at,
        pending=not enabled and user.totp_secret is not None,
        recovery_codes_left=_codes_left(session, user) if enabled else 0,
    )


def pending_enrolment(user: User) -> Enrolment | None:
    """The enrolment awaiting its first code, to show again; None when there is none."""
    if is_enabled(user) or user.totp_secret is None:
        return None
    return Enrolment(user.totp_secret, provisioning_uri(user.totp_secret, user.username))


def begin_enrolment(session: Session, user: User) -> Enrolment:
    """Give the user a new secret; a code from it confirms the enrolment (a restart replaces it)."""
    if is_enabled(user):
        raise ConflictError(ALREADY_ON)
    secret = new_secret()
    user.totp_secret = secret
    user.totp_enabled_at = None
    user.totp_last_step = None
    session.flush()
    return Enrolment(secret, provisioning_uri(secret, user.username))


def _replace_recovery_codes(session: Session, user: User) -> list[str]:
    """Ten new recovery codes for the user, stored hashed; the old ones stop working."""
    codes = new_recovery_codes()
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    session.add_all(
        RecoveryCode(user_id=user.id, code_hash=hash_recovery_code(user.id, code.replace("-", "")))
        for code in codes
    )
    session.flush()
    return codes


def _accept_totp(session: Session, user: User, code: str, now: datetime) -> bool:
    """Accept a TOTP code once: its step must come after the last step accepted.

    The caller holds the user's code counter locked, so the last step is read again here:
    a concurrent check of the same code has committed its step by then.
    """
    if user.totp_secret is None:
        return False
    step = matching_step(user.totp_secret, code, now)
    if step is None:
        return False
    last = session.scalar(select(User.totp_last_step).where(User.id == user.id))
    if last is not None and step <= last:
        return False  # a replay within the window
    user.totp_last_step = step
    return True


def _spend_recovery_code(session: Session, user: User, code: str, now: datetime) -> bool:
    """Mark an unused recovery code as used; False when there is none such."""
    compact = normalise_recovery_code(code)
    if compact is None:
        return False
    spent = session.execute(
        update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == hash_recovery_code(user.id, compact),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=now)
        .returning(RecoveryCode.id)
    ).first()
    return spent is not None


def _throttled_check(
    session: Session, settings: Settings, user: User, code: str, now: datetime
) -> bool:
    """Check a TOTP or recovery code, counted against the user's code counter."""
    counters = claim_attempt(session, settings, [(f"totp:{user.id}", False)], now)
    accepted = _accept_totp(session, user, code, now) or (
        is_enabled(user) and _spend_recovery_code(session, user, code, now)
    )
    if accepted:
        clear_attempts(counters)
        session.flush()
    return accepted


def check_second_factor(
    session: Session, settings: Settings, user: User, code: str, now: datetime
) -> bool:
    """Whether a code is the user's current TOTP code or an unused recovery code (then spent).

    A refused code counts as a failure; the caller raises with `keep_changes` so the count
    is committed.
    """
    return is_enabled(user) and _throttled_check(session, settings, user, code, now)


def confirm_enrolment(
    session: Session, settings: Settings, user: User, code: str, now: datetime
) -> list[str]:
    """Turn two-factor login on with a code from the new secret; return the recovery codes.

    The codes are shown this once: only their hashes are stored.
    """
    if is_enabled(user):
        raise ConflictError(ALREADY_ON)
    if user.totp_secret is None:
        raise ConflictError(NOT_BEGUN)
    if not _throttled_check(session, settings, user, code, now):
        raise InvalidInputError("code", BAD_CODE, keep_changes=True)
    user.totp_enabled_at = now
    return _replace_recovery_codes(session, user)


def regenerate_recovery_codes(
    session: Session, settings: Settings, user: User, code: str, now: datetime
) -> list[str]:
    """Replace the user's recovery codes after a valid code; return the new ones (shown once)."""
    if not is_enabled(user):
        raise ConflictError(NOT_ON)
    if not check_second_factor(session, settings, user, code, now):
        raise InvalidInputError("code", BAD_CODE, keep_changes=True)
    return _replace_recovery_codes(session, user)


def disable_two_factor(
    session: Session, settings: Settings, user: User, *, password: str, code: str, now: datetime
) -> None:
    """Turn two-factor login off; it needs the password and a TOTP or recovery code.

    Both are counted (the password as `change_password` counts it); the code is checked
    only after the password, so a mistyped password never spends a recovery code.
    """
    if not is_enabled(user):
        raise ConflictError(NOT_ON)
    counters = claim_attempt(session, settings, [(f"password:{user.id}", False)], now)
    if not verify_password(password, user.password_hash):
        raise InvalidInputError("password", WRONG_PASSWORD, keep_changes=True)
    clear_attempts(counters)
    if not check_second_factor(session, settings, user, code, now):
        raise InvalidInputError("code", BAD_CODE, keep_changes=True)
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    session.flush()
