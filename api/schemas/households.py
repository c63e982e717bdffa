"""Households, their people, invitations and the audit log on the wire."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import Field, StrictBool

from api.schemas.common import Id, Offset, QueryModel, RequestBody, ResponseBody, UserDate

Role = Literal["owner", "admin", "member", "viewer"]
InvitableRole = Literal["admin", "member", "viewer"]


class HouseholdIn(RequestBody):
    """A new household (you become its owner)."""

    name: str = Field(min_length=1, max_length=120)


class HouseholdPatch(RequestBody):
    """Changes to the current household: its name (admins), the 2FA rule (the owner)."""

    name: str | None = Field(default=None, min_length=1, max_length=120)
    require_two_factor: StrictBool | None = None


class HouseholdOut(ResponseBody):
    """A household and your role in it."""

    id: int
    name: str
    currency: str
    timezone: str
    require_two_factor: bool
    role: Role
    is_default: bool


class MemberOut(ResponseBody):
    """A person in the household."""

    user_id: int
    username: str
    display_name: str
    role: Role
    joined_at: dt.datetime
    two_factor: bool


class RoleIn(RequestBody):
    """A member's new role."""

    role: InvitableRole


class OwnerIn(RequestBody):
    """The member who becomes the owner."""

    user_id: Id


class InvitationIn(RequestBody):
    """An invitation: to a person by username, or (without one) by a single-use code."""

    username: str | None = Field(default=None, min_length=1, max_length=64)
    role: InvitableRole = "member"


class InvitationOut(ResponseBody):
    """An open invitation; `code` only in the answer that created a code invitation."""

    id: int
    household_id: int
    household_name: str
    role: InvitableRole
    invitee: str | None
    invited_by: str | None
    expires_at: dt.datetime
    code: str | None = None


class CodeIn(RequestBody):
    """An invitation code to redeem."""

    code: str = Field(min_length=1, max_length=64)


class AuditQuery(QueryModel):
    """Which entries: by person, entity and days (inclusive), a page at a time."""

    actor_id: Id | None = None
    entity: str | None = Field(default=None, min_length=1, max_length=40)
    date_from: UserDate | None = None
    date_to: UserDate | None = None
    limit: int = Field(default=100, ge=1, le=500)
    offset: Offset = 0


class AuditEntryOut(ResponseBody):
    """One change: who, when, what, and the fields before and after."""

    id: int
    at: dt.datetime
    actor_id: int | None
    actor_kind: Literal["user", "scheduler", "system"]
    actor_name: str | None
    entity: str
    entity_id: int | None
    action: Literal["create", "update", "delete", "import"]
    before: dict[str, Any] | None
    after: dict[str, Any] | None


class AuditPageOut(ResponseBody):
    """A page of the audit log, newest first, and the filter's total."""

    items: list[AuditEntryOut]
    total: int
