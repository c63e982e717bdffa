"""Two-factor login rules: TOTP codes (RFC 6238) and single-use recovery codes.

A TOTP code is six digits from a shared base32 secret and the 30-second time step; a code
of the step before or after is accepted too (clocks drift), and the step it matched is
returned so that the caller can refuse any step at or before the last one accepted
(a code read over a shoulder is worthless once used). Recovery codes are ten random
characters shown as `abcd-efgh-ij`; people may type them in any case, with spaces or
dashes.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

import pyotp

ISSUER = "Cashflow"
TOTP_DIGITS = 6
TOTP_PERIOD_SECONDS = 30
TOTP_WINDOW_STEPS = 1
"""Steps accepted on either side of the current one."""
SECRET_LENGTH = 32
"""Base32 characters of a new secret: 160 bits, as RFC 4226 recommends."""
RECOVERY_CODE_COUNT = 10
# Lower-case letters and digits without the look-alikes 0/o, 1/l/i: 31 symbols, ~49.5 bits.
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
RECOVERY_GROUPS = (4, 4, 2)
RECOVERY_LENGTH = sum(RECOVERY_GROUPS)
CODE_INPUT_MAX = 64
"""The longest code input worth reading; anything longer is no code."""


def new_secret() -> str:
    """A fresh random base32 TOTP secret."""
    return pyotp.random_base32(SECRET_LENGTH)


def provisioning_uri(secret: str, username: str) -> str:
    """The otpauth:// URI an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret, digits=TOTP_DIGITS, interval=TOTP_PERIOD_SECONDS).provisioning_uri(
        name=username, issuer_name=ISSUER
    )


def time_step(now: datetime) -> int:
    """The TOTP time step (counter) of an aware instant."""
    if now.tzinfo is None:
        raise ValueError("the instant must be timezone-aware")
    return int(now.timestamp()) // TOTP_PERIOD_SECONDS


def totp_at(secret: str, step: int) -> str:
    """The code of a secret at a time step."""
    return pyotp.TOTP(secret, digits=TOTP_DIGITS, interval=TOTP_PERIOD_SECONDS).generate_otp(step)


def normalise_totp(code: str) -> str | None:
    """A typed TOTP code without spaces, or None when it is not six digits."""
    compact = "".join(code.split())
    is_code = len(compact) == TOTP_DIGITS and compact.isascii() and compact.isdigit()
    return compact if is_code else None


def matching_step(secret: str, code: str, now: datetime) -> int | None:
    """The time step within ±1 of `now` whose code this is, or None (compared in constant time)."""
    typed = normalise_totp(code[:CODE_INPUT_MAX])
    if typed is None:
        return None
    current = time_step(now)
    nearby = range(max(0, current - TOTP_WINDOW_STEPS), current + TOTP_WINDOW_STEPS + 1)
    matches = [step for step in nearby if hmac.compare_digest(totp_at(secret, step), typed)]
    return matches[-1] if matches else None


def new_recovery_codes() -> list[str]:
    """Ten fresh recovery codes, shown as `abcd-efgh-ij`."""
    return [format_recovery_code(_random_code()) for _ in range(RECOVERY_CODE_COUNT)]


def _random_code() -> str:
    return "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_LENGTH))


def format_recovery_code(compact: str) -> str:
    """A compact recovery code in its readable groups."""
    groups, start = [], 0
    for size in RECOVERY_GROUPS:
        groups.append(compact[start : start + size])
        start += size
    return "-".join(groups)


def normalise_recovery_code(code: str) -> str | None:
    """A typed recovery code in lower case without spaces or dashes; None when it cannot be one."""
    compact = "".join(code[:CODE_INPUT_MAX].split()).replace("-", "").lower()
    if len(compact) != RECOVERY_LENGTH or any(ch not in RECOVERY_ALPHABET for ch in compact):
        return None
    return compact


def hash_recovery_code(user_id: int, compact: str) -> str:
    """The stored form of a normalised recovery code: SHA-256, salted with its user.

    The codes are random (about 50 bits), so a fast hash is enough; a key from the
    server's secret would lock every user out of their codes when the secret rotates.
    """
    digest = hashlib.sha256(f"cashflow-recovery:{user_id}:{compact}".encode()).hexdigest()
    return f"sha256:{digest}"
