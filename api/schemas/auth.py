"""Bodies of the auth routes."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from api.schemas.common import RequestBody, ResponseBody


class RegisterIn(RequestBody):
    """A new account."""

    username: str = Field(min_length=3, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    password: str = Field(min_length=1, max_length=200, description="8 to 72 bytes in UTF-8")
    display_name: str = Field(default="", max_length=120)
    email: str | None = Field(default=None, max_length=254)


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


class UserOut(ResponseBody):
    """An account as its owner sees it."""

    id: int
    username: str
    display_name: str
    email: str | None
    is_admin: bool
    currency: str
    timezone: str
    created_at: datetime
