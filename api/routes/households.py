"""Household routes: yours, the current one, its people and its invitations.

The household a request acts in is named by the `X-Household-Id` header; without it, the
person's default household (the last one chosen with POST /households/{id}/default).
"""

from __future__ import annotations

from fastapi import APIRouter, status

from api.deps import CurrentUser, NowDep, ScopeDep, SessionDep, SettingsDep
from api.schemas.common import Message, PathId
from api.schemas.households import (
    CodeIn,
    HouseholdIn,
    HouseholdOut,
    HouseholdPatch,
    InvitationIn,
    InvitationOut,
    MemberOut,
    OwnerIn,
    RoleIn,
)
from domain.db.models import Household, User
from domain.services import households, invitations
from domain.services.households import Scope

router = APIRouter(prefix="/households", tags=["households"])
invitations_router = APIRouter(prefix="/invitations", tags=["households"])


def _out(household: Household, role: str, user: User) -> HouseholdOut:
    return HouseholdOut.model_validate(
        {
            "id": household.id,
            "name": household.name,
            "currency": household.currency,
            "timezone": household.timezone,
            "require_two_factor": household.require_two_factor,
            "role": role,
            "is_default": household.id == user.default_household_id,
        }
    )


def _current(scope: Scope) -> HouseholdOut:
    return _out(scope.household, scope.role, scope.user)


@router.get("")
def list_households(user: CurrentUser, session: SessionDep) -> list[HouseholdOut]:
    """The households you belong to, with your role in each."""
    return [_out(h, role, user) for h, role in households.memberships_of(session, user)]


@router.post("", status_code=status.HTTP_201_CREATED)
def create_household(
    body: HouseholdIn, user: CurrentUser, session: SessionDep, settings: SettingsDep
) -> HouseholdOut:
    """Start a new household; you are its owner."""
    made = households.create_household(session, settings, user, name=body.name)
    return _out(made, "owner", user)


@router.post("/{household_id:int}/default")
def choose_default(household_id: PathId, user: CurrentUser, session: SessionDep) -> HouseholdOut:
    """Make a household of yours the one requests without the header act in."""
    return _current(households.choose_default(session, user, household_id))


@router.get("/current")
def read_current(scope: ScopeDep) -> HouseholdOut:
    """The household this request acts in, and your role."""
    return _current(scope)


@router.put("/current")
def change_current(body: HouseholdPatch, scope: ScopeDep, session: SessionDep) -> HouseholdOut:
    """Rename the household (admins) or require two-factor login of everyone (the owner)."""
    if body.name is not None:
        households.rename_household(session, scope, body.name)
    if body.require_two_factor is not None:
        households.set_two_factor_rule(session, scope, required=body.require_two_factor)
    return _current(scope)


@router.delete("/current", status_code=status.HTTP_204_NO_CONTENT)
def delete_current(scope: ScopeDep, session: SessionDep, settings: SettingsDep) -> None:
    """Delete the household and all its money (the owner only)."""
    households.delete_household(session, settings, scope)


@router.get("/current/members")
def list_members(scope: ScopeDep, session: SessionDep) -> list[MemberOut]:
    """The household's people and their roles."""
    return [MemberOut.model_validate(m) for m in households.list_members(session, scope)]


@router.put("/current/members/{user_id:int}")
def change_role(user_id: PathId, body: RoleIn, scope: ScopeDep, session: SessionDep) -> Message:
    """Give a member another role (admins and owners)."""
    households.change_role(session, scope, user_id, body.role)
    return Message(detail="role changed")


@router.delete("/current/members/{user_id:int}", status_code=status.HTTP_204_NO_CONTENT)
def remove_member(
    user_id: PathId, scope: ScopeDep, session: SessionDep, settings: SettingsDep
) -> None:
    """Take a person out of the household (admins and owners; yourself: leave)."""
    households.remove_member(session, settings, scope, user_id)


@router.post("/current/leave")
def leave(scope: ScopeDep, session: SessionDep, settings: SettingsDep) -> Message:
    """Leave the household (an owner transfers ownership first)."""
    households.leave_household(session, settings, scope)
    return Message(detail="left the household")


@router.post("/current/transfer-ownership")
def transfer_ownership(body: OwnerIn, scope: ScopeDep, session: SessionDep) -> Message:
    """Make another member the owner; you stay as an admin."""
    households.transfer_ownership(session, scope, body.user_id)
    return Message(detail="ownership transferred")


@router.get("/current/invitations")
def list_invitations(scope: ScopeDep, session: SessionDep, now: NowDep) -> list[InvitationOut]:
    """The household's open invitations (admins and owners)."""
    found = invitations.household_invitations(session, scope, now)
    return [InvitationOut.model_validate(i) for i in found]


@router.post("/current/invitations", status_code=status.HTTP_201_CREATED)
def invite(body: InvitationIn, scope: ScopeDep, session: SessionDep, now: NowDep) -> InvitationOut:
    """Invite a person by username, or make a single-use code valid for 7 days."""
    if body.username is not None:
        made = invitations.invite_person(session, scope, body.username, body.role, now)
    else:
        made = invitations.invite_by_code(session, scope, body.role, now)
    return InvitationOut.model_validate(made)


@router.delete("/current/invitations/{invitation_id:int}", status_code=status.HTTP_204_NO_CONTENT)
def revoke_invitation(
    invitation_id: PathId, scope: ScopeDep, session: SessionDep, now: NowDep
) -> None:
    """Withdraw an open invitation (admins and owners)."""
    invitations.revoke_invitation(session, scope, invitation_id, now)


@invitations_router.get("")
def my_invitations(user: CurrentUser, session: SessionDep, now: NowDep) -> list[InvitationOut]:
    """The open invitations addressed to you."""
    return [InvitationOut.model_validate(i) for i in invitations.my_invitations(session, user, now)]


@invitations_router.post("/{invitation_id:int}/accept")
def accept(invitation_id: PathId, user: CurrentUser, session: SessionDep, now: NowDep) -> Message:
    """Join the household that invited you."""
    invitations.accept_invitation(session, user, invitation_id, now)
    return Message(detail="joined the household")


@invitations_router.post("/{invitation_id:int}/decline")
def decline(invitation_id: PathId, user: CurrentUser, session: SessionDep, now: NowDep) -> Message:
    """Say no to an invitation."""
    invitations.decline_invitation(session, user, invitation_id, now)
    return Message(detail="declined")


@invitations_router.post("/redeem")
def redeem(body: CodeIn, user: CurrentUser, session: SessionDep, now: NowDep) -> Message:
    """Join a household with an invitation code."""
    invitations.redeem_code(session, user, body.code, now)
    return Message(detail="joined the household")
