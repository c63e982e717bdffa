"""Who may do what in a household: the roles, their order and the permissions they carry."""

from __future__ import annotations

from typing import Literal

Role = Literal["owner", "admin", "member", "viewer"]
ROLES: tuple[Role, ...] = ("owner", "admin", "member", "viewer")
INVITABLE: tuple[Role, ...] = ("admin", "member", "viewer")
RANK: dict[str, int] = {"viewer": 1, "member": 2, "admin": 3, "owner": 4}

# What each kind of action needs, at least.
READ: Role = "viewer"
WRITE: Role = "member"
MANAGE_MEMBERS: Role = "admin"
OWN: Role = "owner"


def allows(role: str, needed: Role) -> bool:
    """True when `role` carries every permission of `needed`."""
    return RANK.get(role, 0) >= RANK[needed]


def may_assign(actor: str, target_role: str, *, current: str | None = None) -> bool:
    """Whether `actor` may give a person `target_role` (from `current`, if a member already).

    Owners assign any role but owner (ownership is transferred, never assigned); admins
    manage admins, members and viewers, and never touch an owner.
    """
    if target_role not in INVITABLE or not allows(actor, MANAGE_MEMBERS):
        return False
    return current != "owner"
