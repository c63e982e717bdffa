"""Households: the owner of money, the people in it, and which one a request acts in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.config import Settings
from domain.db.actors import act_as, actor_of, unaudited, user_actor
from domain.db.models import Household, HouseholdSettings, Membership, User
from domain.errors import ConflictError, ForbiddenError, InvalidInputError, NotFoundError
from domain.rules.roles import INVITABLE, MANAGE_MEMBERS, OWN, RANK, Role, allows, may_assign
from domain.rules.text import text_problem

NAME_MAX = 120


def check_name(name: str) -> str:
    """A household's name, trimmed: 1 to 120 characters of storable text."""
    name = name.strip()
    problem = text_problem(name)
    if problem is not None:
        raise InvalidInputError("name", problem)
    if not 1 <= len(name) <= NAME_MAX:
        raise InvalidInputError("name", f"must be 1 to {NAME_MAX} characters")
    return name


@dataclass(frozen=True)
class Scope:
    """A person acting in a household with a role: every request's point of view."""

    household: Household
    user: User
    role: Role

    def require(self, needed: Role) -> None:
        """Refuse (403) an action the role does not allow."""
        if not allows(self.role, needed):
            raise ForbiddenError(f"your role in this household ({self.role}) does not allow this")


def create_household(
    session: Session, settings: Settings, owner: User, *, name: str, currency: str | None = None
) -> Household:
    """A new household with its settings, owned by `owner`."""
    household = Household(
        name=check_name(name),
        currency=currency or settings.default_currency,
        timezone=settings.timezone,
    )
    if actor_of(session) is None:  # a sign-up: the new person starts their own household
        act_as(session, user_actor(owner.id))
    session.add(household)
    session.flush()
    session.add(Membership(household_id=household.id, user_id=owner.id, role=OWN))
    session.flush()
    with unaudited(session):  # the settings row every household has is not a change
        session.add(HouseholdSettings(household_id=household.id))
        session.flush()
    if owner.default_household_id is None:
        owner.default_household_id = household.id
    session.flush()
    return household


def memberships_of(session: Session, user: User) -> list[tuple[Household, str]]:
    """The households a person belongs to, with their role, oldest membership first."""
    rows = session.execute(
        select(Household, Membership.role)
        .join(Membership, Membership.household_id == Household.id)
        .where(Membership.user_id == user.id)
        .order_by(Membership.created_at, Household.id)
    ).all()
    return [(household, role) for household, role in rows]


def has_admin_member(session: Session, household: Household) -> bool:
    """Whether one of the household's people administers the installation (sees backups)."""
    return bool(
        session.scalar(
            select(Membership.user_id)
            .join(User, User.id == Membership.user_id)
            .where(Membership.household_id == household.id, User.is_admin, User.is_active)
            .limit(1)
        )
    )


def list_households(session: Session) -> list[Household]:
    """Every household, oldest first (the scheduler's passes walk them)."""
    return list(session.scalars(select(Household).order_by(Household.id)))


def get_household(session: Session, household_id: int) -> Household:
    """One household by id, for the scheduler and the command line (no person's scope)."""
    found = session.get(Household, household_id)
    if found is None:
        raise NotFoundError("household not found")
    return found


def open_scope(session: Session, user: User, household_id: int | None = None) -> Scope:
    """The household a person acts in: the one named, else their default, else their first.

    A household the person is not a member of answers 404, as if it did not exist. A
    household that requires two-factor login refuses (403) a person without it.
    """
    wanted = household_id if household_id is not None else user.default_household_id
    found: tuple[Household, str] | None = None
    if wanted is not None:
        found = session.execute(
            select(Household, Membership.role)
            .join(Membership, Membership.household_id == Household.id)
            .where(Membership.user_id == user.id, Household.id == wanted)
        ).first()
    if found is None and household_id is None:
        first = memberships_of(session, user)
        found = first[0] if first else None
    if found is None:
        raise NotFoundError("household not found")
    household, role = found[0], cast("Role", found[1])
    if household.require_two_factor and user.totp_enabled_at is None:
        raise ForbiddenError(
            "this household requires two-factor login: turn it on under Security first"
        )
    return Scope(household, user, role)


def choose_default(session: Session, user: User, household_id: int) -> Scope:
    """Make a household the one the person's logins open (they must be a member)."""
    scope = open_scope(session, user, household_id)
    user.default_household_id = scope.household.id
    session.flush()
    return scope


def rename_household(session: Session, scope: Scope, name: str) -> Household:
    """Change the household's name (admins and owners)."""
    scope.require("admin")
    scope.household.name = check_name(name)
    session.flush()
    return scope.household


def set_two_factor_rule(session: Session, scope: Scope, *, required: bool) -> Household:
    """Require (or stop requiring) two-factor login of every member: the owner decides."""
    scope.require(OWN)
    if required and scope.user.totp_enabled_at is None:
        raise InvalidInputError("require_two_factor", "turn on two-factor login for yourself first")
    scope.household.require_two_factor = required
    session.flush()
    return scope.household


@dataclass(frozen=True)
class Member:
    """A person in a household, as its other members see them."""

    user_id: int
    username: str
    display_name: str
    role: str
    joined_at: datetime
    two_factor: bool


def list_members(session: Session, scope: Scope) -> list[Member]:
    """The household's people, owners first."""
    rows = session.execute(
        select(User, Membership.role, Membership.created_at)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.household_id == scope.household.id)
    ).all()
    members = [
        Member(u.id, u.username, u.display_name, role, joined, u.totp_enabled_at is not None)
        for u, role, joined in rows
    ]
    return sorted(members, key=lambda m: (-RANK[m.role], m.joined_at, m.user_id))


def _membership(session: Session, scope: Scope, user_id: int) -> Membership:
    found = session.get(Membership, (scope.household.id, user_id))
    if found is None:
        raise NotFoundError("member not found")
    return found


def change_role(session: Session, scope: Scope, user_id: int, role: str) -> Membership:
    """Give a member another role: admins and owners, never to or from owner."""
    scope.require(MANAGE_MEMBERS)
    membership = _membership(session, scope, user_id)
    if role not in INVITABLE:
        raise InvalidInputError(
            "role", "must be admin, member or viewer (ownership is transferred)"
        )
    if not may_assign(scope.role, role, current=membership.role):
        raise ForbiddenError("the owner's role changes only by a transfer of ownership")
    membership.role = role
    session.flush()
    return membership


def _ensure_home(session: Session, settings: Settings, user: User) -> None:
    """A person left without any household gets a new personal one."""
    remaining = memberships_of(session, user)
    if not remaining:
        create_household(session, settings, user, name=user.display_name or user.username)
    elif user.default_household_id not in {h.id for h, _ in remaining}:
        user.default_household_id = remaining[0][0].id


def remove_member(session: Session, settings: Settings, scope: Scope, user_id: int) -> None:
    """Take a person out of the household (admins and owners; the owner stays)."""
    if user_id == scope.user.id:
        leave_household(session, settings, scope)
        return
    scope.require(MANAGE_MEMBERS)
    membership = _membership(session, scope, user_id)
    if membership.role == OWN:
        raise ForbiddenError("the owner cannot be removed")
    session.delete(membership)
    session.flush()
    _ensure_home(session, settings, session.get_one(User, user_id))


def leave_household(session: Session, settings: Settings, scope: Scope) -> None:
    """Leave the household; its owner must first transfer ownership."""
    if scope.role == OWN:
        raise ConflictError("transfer ownership to another member before leaving")
    session.delete(_membership(session, scope, scope.user.id))
    session.flush()
    _ensure_home(session, settings, scope.user)


def transfer_ownership(session: Session, scope: Scope, user_id: int) -> Membership:
    """Make another member the owner; the old owner stays as an admin."""
    scope.require(OWN)
    if user_id == scope.user.id:
        raise InvalidInputError("user_id", "you own this household already")
    target = _membership(session, scope, user_id)
    _membership(session, scope, scope.user.id).role = "admin"
    session.flush()  # one owner at a time, even inside the transaction
    target.role = OWN
    session.flush()
    return target


def delete_household(session: Session, settings: Settings, scope: Scope) -> None:
    """Delete the household and all its money (the owner only); its people keep a home."""
    scope.require(OWN)
    people = [session.get_one(User, m.user_id) for m in list_members(session, scope)]
    session.delete(scope.household)
    session.flush()
    for person in people:
        session.refresh(person)
        _ensure_home(session, settings, person)
    session.flush()
