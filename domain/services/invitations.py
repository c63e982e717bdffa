"""Invitations into a household: to a person by username, or by a single-use code.

An invitation lasts seven days. The invitee accepts or declines; an admin or owner may
revoke it while it is open. A code is shown once; only its SHA-256 is stored.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, select
from sqlalchemy.orm import Session

from domain.db.models import Household, HouseholdInvitation, Membership, User
from domain.errors import ConflictError, ForbiddenError, InvalidInputError, NotFoundError
from domain.rules.codes import digest_secret
from domain.rules.roles import MANAGE_MEMBERS, may_assign
from domain.services.households import Scope
from domain.services.users import find_user_by_username

VALID_FOR = timedelta(days=7)
CODE_BYTES = 12


@dataclass(frozen=True)
class Invitation:
    """An open invitation as its household or its invitee sees it."""

    id: int
    household_id: int
    household_name: str
    role: str
    invitee: str | None
    invited_by: str | None
    expires_at: datetime
    code: str | None = None  # only in the answer that created it


def _open(now: datetime) -> ColumnElement[bool]:
    return and_(HouseholdInvitation.answer.is_(None), HouseholdInvitation.expires_at > now)


def _check_role(scope: Scope, role: str) -> None:
    scope.require(MANAGE_MEMBERS)
    if not may_assign(scope.role, role):
        raise InvalidInputError("role", "must be admin, member or viewer")


def _view(row: HouseholdInvitation, household: Household, invitee: str | None) -> Invitation:
    session = Session.object_session(row)
    inviter = session.get(User, row.invited_by_id) if session and row.invited_by_id else None
    return Invitation(
        row.id,
        household.id,
        household.name,
        row.role,
        invitee,
        inviter.display_name if inviter is not None else None,
        row.expires_at,
    )


def invite_person(
    session: Session, scope: Scope, username: str, role: str, now: datetime
) -> Invitation:
    """Invite a person with a login into the household, with a role."""
    _check_role(scope, role)
    invitee = find_user_by_username(session, username)
    if invitee is None or not invitee.is_active:
        raise NotFoundError("no user with this username")
    if session.get(Membership, (scope.household.id, invitee.id)) is not None:
        raise ConflictError("this person is a member already")
    pending = session.scalar(
        select(HouseholdInvitation.id).where(
            HouseholdInvitation.household_id == scope.household.id,
            HouseholdInvitation.invitee_id == invitee.id,
            _open(now),
        )
    )
    if pending is not None:
        raise ConflictError("this person has an open invitation already")
    row = HouseholdInvitation(
        household_id=scope.household.id,
        role=role,
        invitee_id=invitee.id,
        invited_by_id=scope.user.id,
        expires_at=now + VALID_FOR,
    )
    session.add(row)
    session.flush()
    return _view(row, scope.household, invitee.username)


def invite_by_code(session: Session, scope: Scope, role: str, now: datetime) -> Invitation:
    """A single-use code anyone with a login can redeem within seven days; shown only now."""
    _check_role(scope, role)
    code = secrets.token_urlsafe(CODE_BYTES)
    row = HouseholdInvitation(
        household_id=scope.household.id,
        role=role,
        code_hash=digest_secret(code),
        invited_by_id=scope.user.id,
        expires_at=now + VALID_FOR,
    )
    session.add(row)
    session.flush()
    view = _view(row, scope.household, None)
    return Invitation(**{**view.__dict__, "code": code})


def household_invitations(session: Session, scope: Scope, now: datetime) -> list[Invitation]:
    """The household's open invitations (admins and owners)."""
    scope.require(MANAGE_MEMBERS)
    rows = session.execute(
        select(HouseholdInvitation, User.username)
        .outerjoin(User, User.id == HouseholdInvitation.invitee_id)
        .where(HouseholdInvitation.household_id == scope.household.id, _open(now))
        .order_by(HouseholdInvitation.id)
    ).all()
    return [_view(row, scope.household, name) for row, name in rows]


def revoke_invitation(session: Session, scope: Scope, invitation_id: int, now: datetime) -> None:
    """Withdraw an open invitation (admins and owners)."""
    scope.require(MANAGE_MEMBERS)
    row = session.scalar(
        select(HouseholdInvitation).where(
            HouseholdInvitation.id == invitation_id,
            HouseholdInvitation.household_id == scope.household.id,
            _open(now),
        )
    )
    if row is None:
        raise NotFoundError("invitation not found")
    row.answer, row.answered_at = "revoked", now
    session.flush()


def my_invitations(session: Session, user: User, now: datetime) -> list[Invitation]:
    """The open invitations addressed to a person."""
    rows = session.execute(
        select(HouseholdInvitation, Household)
        .join(Household, Household.id == HouseholdInvitation.household_id)
        .where(HouseholdInvitation.invitee_id == user.id, _open(now))
        .order_by(HouseholdInvitation.id)
    ).all()
    return [_view(row, household, user.username) for row, household in rows]


def _join(session: Session, user: User, row: HouseholdInvitation, now: datetime) -> Membership:
    if session.get(Membership, (row.household_id, user.id)) is not None:
        raise ConflictError("you are a member of this household already")
    household = session.get_one(Household, row.household_id)
    if household.require_two_factor and user.totp_enabled_at is None:
        raise ForbiddenError("this household requires two-factor login: turn it on first")
    row.answer, row.answered_at = "accepted", now
    membership = Membership(household_id=row.household_id, user_id=user.id, role=row.role)
    session.add(membership)
    user.default_household_id = row.household_id  # joined to share: the next login opens it
    session.flush()
    return membership


def _addressed(
    session: Session, user: User, invitation_id: int, now: datetime
) -> HouseholdInvitation:
    row = session.scalar(
        select(HouseholdInvitation)
        .where(
            HouseholdInvitation.id == invitation_id,
            HouseholdInvitation.invitee_id == user.id,
            _open(now),
        )
        .with_for_update()
    )
    if row is None:
        raise NotFoundError("invitation not found")
    return row


def accept_invitation(
    session: Session, user: User, invitation_id: int, now: datetime
) -> Membership:
    """Join the household an invitation addressed to you opens."""
    return _join(session, user, _addressed(session, user, invitation_id, now), now)


def decline_invitation(session: Session, user: User, invitation_id: int, now: datetime) -> None:
    """Say no to an invitation addressed to you."""
    row = _addressed(session, user, invitation_id, now)
    row.answer, row.answered_at = "declined", now
    session.flush()


def redeem_code(session: Session, user: User, code: str, now: datetime) -> Membership:
    """Join a household with an invitation code; the code then stops working."""
    row = session.scalar(
        select(HouseholdInvitation)
        .where(HouseholdInvitation.code_hash == digest_secret(code), _open(now))
        .with_for_update()
    )
    if row is None:
        raise NotFoundError("this code is unknown, used or expired")
    return _join(session, user, row, now)
