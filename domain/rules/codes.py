"""Random secrets handed to people (invitation and sign-up codes, session ids), stored hashed.

They are random, so a plain SHA-256 suffices to store them: nothing guessable to stretch.
"""

from __future__ import annotations

import hashlib


def digest_secret(secret: str) -> str:
    """The stored form of a random secret: the SHA-256 of its trimmed text, in hex."""
    return hashlib.sha256(secret.strip().encode("utf-8")).hexdigest()
