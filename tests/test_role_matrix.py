"""Every /api/v1 route, called by each role in a household and by an outsider.

One table states, for every route of the app's own OpenAPI paths, the status each of
owner, admin, member, viewer and outsider gets. Every call carries the household's id in
the X-Household-Id header and names the household's own rows. Each call runs in a
savepoint rolled back afterwards, so every role meets the same data; a refused call
(403 or 404) must change nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from api.app import API_PREFIX
from domain.config import Settings
from domain.db.base import Base
from domain.db.models import AuditEntry, Membership, User
from domain.services import households, invitations
from tests.conftest import bearer, home_of, make_user
from tests.test_route_matrix import PROTECTED, PUBLIC, Owned, _victim, api_routes

ROLES = ("owner", "admin", "member", "viewer", "outsider")
Expected = dict[str, int]


def reads(ok: int = 200) -> Expected:
    """Money reads: every member; an outsider is told the household does not exist."""
    return {"owner": ok, "admin": ok, "member": ok, "viewer": ok, "outsider": 404}


def writes(ok: int = 200) -> Expected:
    """Money writes: members and above; a viewer is refused, an outsider sees nothing."""
    return {"owner": ok, "admin": ok, "member": ok, "viewer": 403, "outsider": 404}


def managers(ok: int = 200) -> Expected:
    """Member management: owners and admins."""
    return {"owner": ok, "admin": ok, "member": 403, "viewer": 403, "outsider": 404}


def person(ok: int = 200) -> Expected:
    """A person's own route: the household plays no part, everyone gets the same."""
    return dict.fromkeys(ROLES, ok)


def owner_only(ok: int = 200) -> Expected:
    """Deleting the household, transferring ownership: the owner alone."""
    return {"owner": ok, "admin": 403, "member": 403, "viewer": 403, "outsider": 404}


# The one table: (method, path) -> the status each role gets.
MATRIX: dict[tuple[str, str], Expected] = {
    # The card holds a transfer: it is archived, not deleted.
    ("DELETE", "/accounts/{account_id}"): writes(409),
    ("DELETE", "/budgets/{budget_id}"): writes(),
    ("DELETE", "/categories/{category_id}"): writes(),
    ("DELETE", "/fixed/{fixed_id}"): writes(204),
    ("DELETE", "/forecast/scenarios/{scenario_id}"): writes(204),
    ("DELETE", "/households/current"): owner_only(204),
    ("DELETE", "/households/current/invitations/{invitation_id}"): managers(204),
    # The viewer's membership: the viewer removing themselves is leaving.
    ("DELETE", "/households/current/members/{user_id}"): {**managers(204), "viewer": 204},
    ("DELETE", "/installments/{plan_id}"): writes(204),
    ("DELETE", "/loans/{loan_id}"): writes(204),
    ("DELETE", "/rates/{rate_id}"): writes(),
    ("DELETE", "/transactions/{transaction_id}"): writes(204),
    ("DELETE", "/transfers/{transfer_id}"): writes(204),
    ("GET", "/accounts"): reads(),
    ("GET", "/accounts/{account_id}"): reads(),
    ("GET", "/accounts/{account_id}/statements"): reads(),
    ("GET", "/alerts"): reads(),
    ("GET", "/alerts/unread"): reads(),
    ("GET", "/audit"): reads(),
    ("GET", "/auth/me"): person(),
    ("GET", "/auth/two-factor"): person(),
    ("GET", "/balance"): reads(),
    ("GET", "/balance/history"): reads(),
    ("GET", "/budgets"): reads(),
    ("GET", "/budgets/settings"): reads(),
    ("GET", "/budgets/summary"): reads(),
    ("GET", "/categories"): reads(),
    ("GET", "/categories/{category_id}"): reads(),
    ("GET", "/dashboard/booking-preview"): reads(),
    ("GET", "/dashboard/category-breakdown"): reads(),
    ("GET", "/dashboard/financial-health"): reads(),
    ("GET", "/dashboard/installments-summary"): reads(),
    ("GET", "/dashboard/job-status"): reads(),
    ("GET", "/dashboard/loans-summary"): reads(),
    ("GET", "/dashboard/monthly"): reads(),
    ("GET", "/dashboard/quarterly"): reads(),
    ("GET", "/dashboard/summary"): reads(),
    ("GET", "/dashboard/top-expenses"): reads(),
    ("GET", "/dashboard/upcoming-payments"): reads(),
    ("GET", "/dashboard/weekly"): reads(),
    ("GET", "/export/report.pdf"): reads(),
    ("GET", "/export/transactions.csv"): reads(),
    ("GET", "/export/workbook.xlsx"): reads(),
    ("GET", "/fixed"): reads(),
    ("GET", "/fixed/{fixed_id}"): reads(),
    ("GET", "/forecast"): reads(),
    ("GET", "/forecast/daily"): reads(),
    ("GET", "/forecast/explain"): reads(),
    ("GET", "/forecast/scenarios"): reads(),
    ("GET", "/forecast/scenarios/{scenario_id}"): reads(),
    ("GET", "/forecast/scenarios/{scenario_id}/compute"): reads(),
    ("GET", "/forecast/summary"): reads(),
    ("GET", "/forecast/weekly"): reads(),
    ("GET", "/households"): person(),
    ("GET", "/households/current"): reads(),
    ("GET", "/households/current/invitations"): managers(),
    ("GET", "/households/current/members"): reads(),
    ("GET", "/installments"): reads(),
    ("GET", "/installments/{plan_id}"): reads(),
    ("GET", "/installments/{plan_id}/payments"): reads(),
    ("GET", "/invitations"): person(),
    ("GET", "/loans"): reads(),
    ("GET", "/loans/{loan_id}"): reads(),
    ("GET", "/loans/{loan_id}/breakdown"): reads(),
    ("GET", "/rates"): reads(),
    ("GET", "/rates/{rate_id}"): reads(),
    ("GET", "/settings"): reads(),
    ("GET", "/transactions"): reads(),
    ("GET", "/transactions/totals"): reads(),
    ("GET", "/transactions/{transaction_id}"): reads(),
    ("GET", "/transfers"): reads(),
    ("GET", "/transfers/{transfer_id}"): reads(),
    ("PATCH", "/accounts/{account_id}"): writes(),
    ("PATCH", "/transfers/{transfer_id}"): writes(),
    ("POST", "/accounts"): writes(201),
    ("POST", "/accounts/{account_id}/archive"): writes(),
    # The default is a bank account; the household's card is refused.
    ("POST", "/accounts/{account_id}/default"): writes(422),
    ("POST", "/accounts/{account_id}/restore"): writes(),
    ("POST", "/auth/logout"): person(),
    ("POST", "/auth/two-factor/confirm"): person(409),
    ("POST", "/auth/two-factor/disable"): person(409),
    ("POST", "/auth/two-factor/enrol"): person(),
    ("POST", "/auth/two-factor/recovery-codes"): person(409),
    ("POST", "/balance"): writes(201),
    ("POST", "/budgets/copy-previous"): writes(),
    ("POST", "/categories"): writes(201),
    ("POST", "/categories/reorder"): writes(),
    ("POST", "/categories/{category_id}/restore"): writes(),
    ("POST", "/fixed"): writes(422),
    ("POST", "/fixed/{fixed_id}/pause"): writes(),
    ("POST", "/fixed/{fixed_id}/resume"): writes(409),
    ("POST", "/forecast/affordability"): reads(),
    ("POST", "/forecast/compare"): reads(),
    ("POST", "/forecast/scenarios"): writes(201),
    ("POST", "/forecast/what-if"): reads(),
    ("POST", "/households"): person(201),
    ("POST", "/households/current/invitations"): managers(201),
    # The owner transfers ownership before leaving.
    ("POST", "/households/current/leave"): {**reads(), "owner": 409},
    ("POST", "/households/current/transfer-ownership"): owner_only(),
    ("POST", "/households/{household_id}/default"): reads(),
    ("POST", "/import/transactions"): writes(422),
    ("POST", "/installments"): writes(422),
    ("POST", "/installments/{plan_id}/mark-paid"): writes(),
    ("POST", "/installments/{plan_id}/reverse-payment"): writes(),
    ("POST", "/invitations/redeem"): {**person(409), "outsider": 200},
    # An invitation addressed to the outsider: nobody else sees it.
    ("POST", "/invitations/{invitation_id}/accept"): {**person(404), "outsider": 200},
    ("POST", "/invitations/{invitation_id}/decline"): {**person(404), "outsider": 200},
    ("POST", "/loans"): writes(422),
    ("POST", "/loans/{loan_id}/payment"): writes(),
    ("POST", "/loans/{loan_id}/prepayment"): writes(),
    ("POST", "/loans/{loan_id}/reverse-payment"): writes(),
    ("POST", "/rates/import"): writes(422),
    ("POST", "/transactions"): writes(422),
    ("POST", "/transactions/bulk"): writes(422),
    ("POST", "/transactions/bulk-delete"): writes(),
    ("POST", "/transactions/{transaction_id}/duplicate"): writes(201),
    ("POST", "/transfers"): writes(201),
    ("PUT", "/accounts/order"): writes(),
    ("PUT", "/alerts/read-all"): writes(),
    ("PUT", "/alerts/{alert_id}/dismiss"): writes(),
    ("PUT", "/alerts/{alert_id}/read"): writes(),
    ("PUT", "/alerts/{alert_id}/snooze"): writes(),
    ("PUT", "/alerts/{alert_id}/unread"): writes(),
    ("PUT", "/auth/me"): person(),
    ("PUT", "/auth/password"): person(422),
    ("PUT", "/balance"): writes(409),
    ("PUT", "/budgets"): writes(),
    ("PUT", "/budgets/settings/{category_id}"): writes(422),
    ("PUT", "/categories/{category_id}"): writes(),
    ("PUT", "/fixed/{fixed_id}"): writes(),
    ("PUT", "/forecast/scenarios/{scenario_id}"): writes(),
    ("PUT", "/households/current"): managers(),
    ("PUT", "/households/current/members/{user_id}"): managers(),
    ("PUT", "/installments/{plan_id}"): writes(),
    ("PUT", "/loans/{loan_id}"): writes(),
    ("PUT", "/rates"): writes(),
    ("PUT", "/settings"): writes(),
    ("PUT", "/transactions/bulk-update"): writes(),
    ("PUT", "/transactions/{transaction_id}"): writes(),
}


@dataclass(frozen=True)
class Household:
    """The household under test, its people and rows, and an outsider."""

    id: int
    people: dict[str, User]
    owned: Owned
    invitation_id: int
    code: str


# Calls whose body or query differs from the route matrix's (they name this household's people).
BODIES: dict[tuple[str, str], Any] = {
    ("POST", "/households/current/transfer-ownership"): lambda h: {"user_id": h.people["admin"].id},
    ("POST", "/invitations/redeem"): lambda h: {"code": h.code},
}
QUERIES = {
    ("GET", "/budgets/summary"): "?month=2027-01",
    ("GET", "/forecast/explain"): "?month=2027-01",
}


def concrete(path: str, home: Household) -> str:
    """Fill the path's ids with the household's own."""
    ids = {
        **{k: str(v) for k, v in vars(home.owned).items()},
        "household_id": str(home.id),
        "user_id": str(home.people["viewer"].id),
        "invitation_id": str(home.invitation_id),
    }
    return re.sub(r"\{([^}]+)\}", lambda m: ids[m.group(1)], path)


def snapshot(session: Session, household_id: int) -> list[tuple[str, ...]]:
    """Every row that carries the household's id (money, members, invitations, settings)."""
    session.expire_all()
    rows: list[tuple[str, ...]] = []
    for table in Base.metadata.sorted_tables:
        column = table.c.get("household_id")
        if column is None or table.name == AuditEntry.__tablename__:
            continue
        for row in session.execute(select(table).where(column == household_id)):
            rows.append((table.name, *(str(v) for v in row)))
    return sorted(rows)


@pytest.fixture
def home(client: TestClient, session: Session, settings: Settings) -> Household:
    """An owner's household with an admin, a member and a viewer; an outsider beside it."""
    people = {role: make_user(session, settings) for role in ROLES}
    session.commit()
    household = home_of(session, people["owner"])
    for role in ("admin", "member", "viewer"):
        session.add(Membership(household_id=household.id, user_id=people[role].id, role=role))
    session.commit()
    owned = _victim(client, settings, people["owner"])
    scope = households.open_scope(session, people["owner"], household.id)
    now = datetime.now(UTC)
    invited = invitations.invite_person(session, scope, people["outsider"].username, "member", now)
    code = invitations.invite_by_code(session, scope, "viewer", now).code
    session.commit()
    assert code is not None
    return Household(household.id, people, owned, invited.id, code)


def _call(
    client: TestClient, settings: Settings, home: Household, role: str, route: tuple[str, str]
) -> int:
    method, path = route
    headers = {**bearer(settings, home.people[role]), "X-Household-Id": str(home.id)}
    if route in BODIES:
        payload = BODIES[route](home)
    else:
        body = PROTECTED[route]
        payload = body(home.owned) if body else None
    url = API_PREFIX + concrete(path, home) + QUERIES.get(route, "")
    status: int = client.request(method, url, headers=headers, json=payload).status_code
    return status


def test_matrix_states_every_route(settings: Settings) -> None:
    assert set(MATRIX) == api_routes(settings) - PUBLIC


def test_each_role_gets_its_status_and_refusals_change_nothing(
    client: TestClient,
    session: Session,
    connection: Connection,
    settings: Settings,
    home: Household,
) -> None:
    before = snapshot(session, home.id)
    seen: dict[tuple[str, str], dict[str, int]] = {}
    for route in sorted(api_routes(settings) - PUBLIC):
        for role in ROLES:
            point = connection.begin_nested()
            try:
                status = _call(client, settings, home, role, route)
                seen.setdefault(route, {})[role] = status
                if status in (403, 404) and MATRIX.get(route, {}).get(role) in (403, 404):
                    assert snapshot(session, home.id) == before, (route, role, status)
            finally:
                point.rollback()
    wrong = {r: s for r, s in seen.items() if MATRIX.get(r) != s}
    assert not wrong, "\n".join(f"{r}: {s}" for r, s in sorted(wrong.items()))
