"""Bodies of the auth routes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field

from api.schemas.common import RequestBody, ResponseBody


class RegisterIn(RequestBody):
    """A new account."""

    username: str = Field(min_length=3, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    password: str = Field(min_length=1, max_length=200, description="8 to 72 bytes in UTF-8")
    display_name: str = Field(default="", max_length=120)
    email: str | None = Field(default=None, max_length=254)
    code: str | None = Field(
        default=None,
        max_length=64,
        description="An administrator's single-use sign-up code (required when REGISTRATION is"
        " `invite`)",
    )


class LoginIn(RequestBody):
    """Credentials."""

    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=200)


class RefreshIn(RequestBody):
    """A refresh token to rotate."""

    refresh_token: str = Field(min_length=1, max_length=2000)


class LogoutIn(RequestBody):
    """The refresh token to revoke with the access token (optional)."""

    refresh_token: str | None = Field(default=None, max_length=2000)


class PasswordIn(RequestBody):
    """A password change."""

    current_password: str = Field(min_length=1, max_length=200)
    new_password: str = Field(min_length=1, max_length=200, description="8 to 72 bytes in UTF-8")


class ProfileIn(RequestBody):
    """Profile fields that may change."""

    display_name: str | None = Field(default=None, max_length=120)
    email: str | None = Field(default=None, max_length=254)


class TokenOut(ResponseBody):
    """A token pair."""

    access_token: str
    refresh_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 - the scheme name
    expires_in: int


class ChallengeOut(ResponseBody):
    """A right password for a two-factor account: no tokens yet, a challenge for the code step.

    Send the challenge token with a code to `POST /api/v1/auth/login/second-factor` within
    `expires_in` seconds; it is good for one completed login and nothing else.
    """

    two_factor_required: Literal[True] = True
    challenge_token: str
    expires_in: int


LoginOut = TokenOut | ChallengeOut
"""The password step's answer: a token pair, or (`two_factor_required` true) a challenge."""

Code = Annotated[
    str,
    Field(
        min_length=1,
        max_length=64,
        description="The 6-digit code of the authenticator app, or an unused recovery code",
    ),
]


class SecondFactorIn(RequestBody):
    """The code step of a two-factor login."""

    challenge_token: str = Field(min_length=1, max_length=2000)
    code: Code


class CodeIn(RequestBody):
    """A code that proves the second factor."""

    code: Code


class DisableTwoFactorIn(RequestBody):
    """Turning two-factor login off takes the password and a code."""

    password: str = Field(min_length=1, max_length=200)
    code: Code


class TwoFactorStatusOut(ResponseBody):
    """Whether login asks for a code; `pending` while an enrolment awaits its first code."""

    enabled: bool
    enabled_at: datetime | None
    pending: bool
    recovery_codes_left: int


class EnrolmentOut(ResponseBody):
    """A new TOTP secret: type it, or scan `provisioning_uri` as a QR code, then confirm a code."""

    secret: str
    provisioning_uri: str


class RecoveryCodesOut(ResponseBody):
    """Ten single-use recovery codes, shown this once (only their hashes are kept)."""

    recovery_codes: list[str]


class UserOut(ResponseBody):
    """An account as its owner sees it."""

    id: int
    username: str
    display_name: str
    email: str | None
    is_admin: bool
    language: str
    created_at: datetime
