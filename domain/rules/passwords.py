"""Password rules and bcrypt hashing."""

from __future__ import annotations

import bcrypt

from domain.errors import InvalidInputError

MIN_PASSWORD_BYTES = 8
MAX_PASSWORD_BYTES = 72  # bcrypt's limit; bcrypt 5 raises beyond it


def check_password_rules(password: str, *, field: str = "password") -> bytes:
    """Return the password's UTF-8 bytes, or refuse one outside 8 to 72 bytes."""
    raw = password.encode("utf-8")
    if len(raw) < MIN_PASSWORD_BYTES:
        raise InvalidInputError(field, f"must be at least {MIN_PASSWORD_BYTES} bytes")
    if len(raw) > MAX_PASSWORD_BYTES:
        raise InvalidInputError(field, f"must be at most {MAX_PASSWORD_BYTES} bytes in UTF-8")
    return raw


def hash_password(password: str, *, rounds: int) -> str:
    """Hash a password that passes the rules."""
    raw = check_password_rules(password)
    return bcrypt.hashpw(raw, bcrypt.gensalt(rounds=rounds)).decode("ascii")


def verify_password(password: str, hashed: str) -> bool:
    """Check a password against its hash; over-long passwords simply do not match."""
    raw = password.encode("utf-8")
    if len(raw) > MAX_PASSWORD_BYTES:
        return False
    return bcrypt.checkpw(raw, hashed.encode("ascii"))


def dummy_hash(*, rounds: int) -> str:
    """A hash to check against when the user is unknown, so timing reveals nothing."""
    return bcrypt.hashpw(b"no-such-user-password", bcrypt.gensalt(rounds=rounds)).decode("ascii")
