"""Households over HTTP: two logins share one household; invitations, roles, leaving."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlalchemy.orm import Session

from domain.config import Settings
from domain.db.models import HouseholdInvitation, User
from tests.conftest import bearer, make_user

API = "/api/v1"
TX = {"date": "2026-03-01", "amount": "42.00", "type": "expense", "description": "Bread"}


def _in(household_id: int, headers: dict[str, str]) -> dict[str, str]:
    return {**headers, "X-Household-Id": str(household_id)}


def _invite(client: TestClient, headers: dict[str, str], **body: Any) -> dict[str, Any]:
    made = client.post(f"{API}/households/current/invitations", headers=headers, json=body)
    assert made.status_code == 201, made.text
    result: dict[str, Any] = made.json()
    return result


@pytest.fixture
def partner(session: Session, settings: Settings) -> User:
    """A second person with a login and a household of their own."""
    person = make_user(session, settings)
    session.commit()
    return person


def test_a_couple_shares_one_ledger_from_two_logins(
    client: TestClient, settings: Settings, user: User, partner: User, headers: dict[str, str]
) -> None:
    home = client.get(f"{API}/households/current", headers=headers).json()
    assert (home["role"], home["is_default"]) == ("owner", True)
    invited = _invite(client, headers, username=partner.username.upper(), role="member")
    assert invited["invitee"] == partner.username
    theirs = bearer(settings, partner)
    [waiting] = client.get(f"{API}/invitations", headers=theirs).json()
    assert (waiting["household_name"], waiting["role"]) == (home["name"], "member")
    accepted = client.post(f"{API}/invitations/{waiting['id']}/accept", headers=theirs)
    assert accepted.status_code == 200, accepted.text
    assert client.get(f"{API}/invitations", headers=theirs).json() == []
    made = client.post(f"{API}/transactions", headers=_in(home["id"], theirs), json=TX)
    assert made.status_code == 201, made.text
    mine = client.get(f"{API}/transactions", headers=headers).json()
    shared = client.get(f"{API}/transactions", headers=_in(home["id"], theirs)).json()
    assert (
        [t["id"] for t in mine["items"]]
        == [t["id"] for t in shared["items"]]
        == [made.json()["id"]]
    )
    # Joining made the shared household the partner's default; their own is still theirs.
    assert client.get(f"{API}/households/current", headers=theirs).json()["id"] == home["id"]
    own = next(
        h["id"]
        for h in client.get(f"{API}/households", headers=theirs).json()
        if h["id"] != home["id"]
    )
    assert client.get(f"{API}/transactions", headers=_in(own, theirs)).json()["items"] == []
    members = client.get(f"{API}/households/current/members", headers=headers).json()
    assert [(m["user_id"], m["role"]) for m in members] == [
        (user.id, "owner"),
        (partner.id, "member"),
    ]


def test_choosing_a_default_household_changes_where_plain_requests_act(
    client: TestClient, settings: Settings, partner: User, headers: dict[str, str]
) -> None:
    home = client.get(f"{API}/households/current", headers=headers).json()
    invited = _invite(client, headers, username=partner.username, role="viewer")
    theirs = bearer(settings, partner)
    client.post(f"{API}/invitations/{invited['id']}/accept", headers=theirs)
    listed = client.get(f"{API}/households", headers=theirs).json()
    assert sorted(h["role"] for h in listed) == ["owner", "viewer"]
    chosen = client.post(f"{API}/households/{home['id']}/default", headers=theirs)
    assert (chosen.status_code, chosen.json()["role"]) == (200, "viewer")
    assert client.get(f"{API}/households/current", headers=theirs).json()["id"] == home["id"]
    refused = client.post(f"{API}/transactions", headers=theirs, json=TX)
    assert refused.status_code == 403
    assert "viewer" in refused.json()["detail"]


def test_an_invitation_code_works_once_and_expires(
    client: TestClient, session: Session, settings: Settings, partner: User, headers: dict[str, str]
) -> None:
    made = _invite(client, headers, role="viewer")
    assert made["invitee"] is None
    code = made["code"]
    listed = client.get(f"{API}/households/current/invitations", headers=headers).json()
    assert [i.get("code") for i in listed] == [None]  # shown once, never again
    theirs = bearer(settings, partner)
    assert (
        client.post(f"{API}/invitations/redeem", headers=theirs, json={"code": code}).status_code
        == 200
    )
    third = make_user(session, settings)
    session.commit()
    again = client.post(
        f"{API}/invitations/redeem", headers=bearer(settings, third), json={"code": code}
    )
    assert again.status_code == 404
    late = _invite(client, headers, role="member")
    session.execute(
        update(HouseholdInvitation)
        .where(HouseholdInvitation.id == late["id"])
        .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
    )
    session.commit()
    expired = client.post(
        f"{API}/invitations/redeem", headers=bearer(settings, third), json={"code": late["code"]}
    )
    assert expired.status_code == 404


def test_declined_and_revoked_invitations_end(
    client: TestClient, settings: Settings, partner: User, headers: dict[str, str]
) -> None:
    theirs = bearer(settings, partner)
    first = _invite(client, headers, username=partner.username)
    assert (
        client.post(f"{API}/invitations/{first['id']}/decline", headers=theirs).status_code == 200
    )
    assert client.post(f"{API}/invitations/{first['id']}/accept", headers=theirs).status_code == 404
    second = _invite(client, headers, username=partner.username)
    twice = client.post(
        f"{API}/households/current/invitations",
        headers=headers,
        json={"username": partner.username},
    )
    assert twice.status_code == 409
    revoked = client.delete(f"{API}/households/current/invitations/{second['id']}", headers=headers)
    assert revoked.status_code == 204
    assert client.get(f"{API}/invitations", headers=theirs).json() == []
    unknown = client.post(
        f"{API}/households/current/invitations", headers=headers, json={"username": "nobody-here"}
    )
    assert unknown.status_code == 404
    owner_role = client.post(
        f"{API}/households/current/invitations", headers=headers, json={"role": "owner"}
    )
    assert owner_role.status_code == 422


def _join(
    client: TestClient, settings: Settings, headers: dict[str, str], person: User, role: str
) -> dict[str, str]:
    made = _invite(client, headers, username=person.username, role=role)
    theirs = bearer(settings, person)
    assert client.post(f"{API}/invitations/{made['id']}/accept", headers=theirs).status_code == 200
    home = client.get(f"{API}/households/current", headers=headers).json()["id"]
    return _in(home, theirs)


def test_roles_ownership_and_leaving(
    client: TestClient,
    session: Session,
    settings: Settings,
    user: User,
    partner: User,
    headers: dict[str, str],
) -> None:
    admin = _join(client, settings, headers, partner, "admin")
    helper = make_user(session, settings)
    session.commit()
    member = _join(client, settings, headers, helper, "member")
    # An admin manages members but never the owner.
    assert (
        client.put(
            f"{API}/households/current/members/{helper.id}", headers=admin, json={"role": "viewer"}
        ).status_code
        == 200
    )
    assert (
        client.put(
            f"{API}/households/current/members/{user.id}", headers=admin, json={"role": "viewer"}
        ).status_code
        == 403
    )
    assert (
        client.delete(f"{API}/households/current/members/{user.id}", headers=admin).status_code
        == 403
    )
    assert client.delete(f"{API}/households/current", headers=admin).status_code == 403
    # The last owner cannot leave; after a transfer they can.
    assert client.post(f"{API}/households/current/leave", headers=headers).status_code == 409
    moved = client.post(
        f"{API}/households/current/transfer-ownership",
        headers=headers,
        json={"user_id": partner.id},
    )
    assert moved.status_code == 200, moved.text
    roles = {
        m["user_id"]: m["role"]
        for m in client.get(f"{API}/households/current/members", headers=admin).json()
    }
    assert roles == {partner.id: "owner", user.id: "admin", helper.id: "viewer"}
    home = client.get(f"{API}/households/current", headers=admin).json()["id"]
    assert (
        client.post(f"{API}/households/current/leave", headers=_in(home, headers)).status_code
        == 200
    )
    # Leaving, the old owner falls back to a household of their own.
    back = client.get(f"{API}/households/current", headers=headers).json()
    assert (back["id"] != home, back["role"]) == (True, "owner")
    assert client.get(f"{API}/transactions", headers=_in(home, headers)).status_code == 404
    # The viewer removed by the new owner is out.
    assert (
        client.delete(f"{API}/households/current/members/{helper.id}", headers=admin).status_code
        == 204
    )
    assert client.get(f"{API}/transactions", headers=member).status_code == 404


def test_deleting_a_household_leaves_everyone_a_home(
    client: TestClient, settings: Settings, partner: User, headers: dict[str, str]
) -> None:
    created = client.post(f"{API}/households", headers=headers, json={"name": "Summer house"})
    assert created.status_code == 201, created.text
    summer = _in(created.json()["id"], headers)
    client.post(f"{API}/transactions", headers=summer, json=TX)
    theirs = _join(client, settings, summer, partner, "member")
    assert client.delete(f"{API}/households/current", headers=summer).status_code == 204
    assert client.get(f"{API}/transactions", headers=summer).status_code == 404
    assert client.get(f"{API}/transactions", headers=theirs).status_code == 404
    plain = {k: v for k, v in theirs.items() if k != "X-Household-Id"}
    assert client.get(f"{API}/households/current", headers=plain).json()["role"] == "owner"


def test_an_owner_may_require_two_factor_login_of_everyone(
    client: TestClient,
    session: Session,
    settings: Settings,
    user: User,
    partner: User,
    headers: dict[str, str],
) -> None:
    theirs = _join(client, settings, headers, partner, "member")
    refused = client.put(
        f"{API}/households/current", headers=headers, json={"require_two_factor": True}
    )
    assert refused.status_code == 422  # the owner turns it on for themselves first
    user.totp_enabled_at = datetime.now(UTC)
    session.commit()
    required = client.put(
        f"{API}/households/current", headers=headers, json={"require_two_factor": True}
    )
    assert required.status_code == 200, required.text
    assert client.get(f"{API}/transactions", headers=headers).status_code == 200
    blocked = client.get(f"{API}/transactions", headers=theirs)
    assert blocked.status_code == 403
    assert "two-factor" in blocked.json()["detail"]
    assert (
        client.put(
            f"{API}/households/current", headers=theirs, json={"require_two_factor": False}
        ).status_code
        == 403
    )
