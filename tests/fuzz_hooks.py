"""schemathesis hooks of `make fuzz`: every request carries a freshly signed access token.

A generated logout revokes the token it was sent with; the next request signs a new one,
so the run is never locked out. Nothing here knows the user's password.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from typing import Any

import schemathesis

from domain.rules.tokens import issue_token


@schemathesis.auth(refresh_interval=None)
class FreshToken:
    """Sign an access token for the fuzzing user, per request."""

    def get(self, case: Any, ctx: Any) -> str:
        """A new token (its own jti), valid for a few minutes."""
        return issue_token(
            user_id=int(os.environ["FUZZ_USER_ID"]),
            version=int(os.environ["FUZZ_TOKEN_VERSION"]),
            kind="access",
            now=datetime.now(UTC),
            ttl=timedelta(minutes=10),
            secret=os.environ["FUZZ_SECRET_KEY"],
            algorithm="HS256",
        ).token

    def set(self, case: Any, data: str, ctx: Any) -> None:
        """Put the token on the request (the ignored_auth check strips it by itself)."""
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}
