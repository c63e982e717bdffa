"""The UI's login cookie: a random session id and an HMAC of it under the signing secret.

The id alone opens a session (only its SHA-256 is stored); the signature lets a forged or
mangled cookie be refused without asking the database.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from domain.rules.codes import digest_secret

SESSION_ID_BYTES = 32
_PURPOSE = b"cashflow-ui-session"


def new_session_id() -> str:
    """A fresh random session id (URL-safe text)."""
    return secrets.token_urlsafe(SESSION_ID_BYTES)


def hash_session_id(session_id: str) -> str:
    """The stored form of a session id (ids are random: a plain digest suffices)."""
    return digest_secret(session_id)


def _mac(session_id: str, secret: str) -> str:
    key = hmac.new(secret.encode("utf-8"), _PURPOSE, hashlib.sha256).digest()
    return hmac.new(key, session_id.encode("ascii"), hashlib.sha256).hexdigest()


def sign_session_id(session_id: str, secret: str) -> str:
    """The cookie value: the id, a dot, and its signature."""
    return f"{session_id}.{_mac(session_id, secret)}"


def read_session_cookie(value: str, secret: str) -> str | None:
    """The session id a cookie carries, or None when it is not one we signed."""
    session_id, _dot, signature = value.strip().rpartition(".")
    if not session_id or not session_id.isascii() or not signature.isascii():
        return None
    if not hmac.compare_digest(signature, _mac(session_id, secret)):
        return None
    return session_id
