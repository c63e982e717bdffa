"""JWT tokens: issuing and strict decoding (clock passed in).

An access token opens the API, a refresh token renews the pair, and a challenge token
stands between a right password and the second factor of a two-factor login: it opens
nothing but the code step.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

import jwt

from domain.errors import AuthenticationError

TokenKind = Literal["access", "refresh", "challenge"]
REQUIRED_CLAIMS = ("sub", "jti", "exp", "iat", "type", "ver")


@dataclass(frozen=True)
class IssuedToken:
    """A signed token with the identity and expiry it carries."""

    token: str
    jti: uuid.UUID
    expires_at: datetime


@dataclass(frozen=True)
class TokenClaims:
    """The checked claims of a decoded token."""

    user_id: int
    jti: uuid.UUID
    kind: TokenKind
    version: int
    expires_at: datetime


def issue_token(
    *,
    user_id: int,
    version: int,
    kind: TokenKind,
    now: datetime,
    ttl: timedelta,
    secret: str,
    algorithm: str,
) -> IssuedToken:
    """Sign a token of the given kind for a user, valid for `ttl` from `now`."""
    jti = uuid.uuid4()
    expires_at = now + ttl
    claims = {
        "sub": str(user_id),
        "jti": str(jti),
        "iat": int(now.timestamp()),
        "exp": int(expires_at.timestamp()),
        "type": kind,
        "ver": version,
    }
    return IssuedToken(jwt.encode(claims, secret, algorithm=algorithm), jti, expires_at)


def decode_token(
    token: str, *, kind: TokenKind, now: datetime, secret: str, algorithm: str
) -> TokenClaims:
    """Verify signature (algorithm pinned), claims, kind and expiry against `now`."""
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[algorithm],
            options={"require": list(REQUIRED_CLAIMS), "verify_exp": False, "verify_iat": False},
        )
        parsed = TokenClaims(
            user_id=int(claims["sub"]),
            jti=uuid.UUID(str(claims["jti"])),
            kind=claims["type"],
            version=int(claims["ver"]),
            expires_at=datetime.fromtimestamp(int(claims["exp"]), tz=now.tzinfo),
        )
    except (jwt.PyJWTError, ValueError, TypeError) as exc:
        raise AuthenticationError("invalid token") from exc
    if parsed.kind != kind:
        raise AuthenticationError(f"expected a token of kind {kind}")
    if parsed.expires_at <= now:
        raise AuthenticationError("token expired")
    return parsed
