"""Every /api/v1 route, taken from the app's own route table, refuses anonymous callers.

The table below must list every route: a route added without a line here fails
`test_matrix_knows_every_route`, so it is covered the day it is added.
"""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from api.app import API_PREFIX, create_app
from domain.config import Settings
from tests.conftest import PASSWORD, make_user

PUBLIC = {
    ("POST", "/auth/register"),
    ("POST", "/auth/login"),
    ("POST", "/auth/refresh"),
}
PROTECTED = {
    ("POST", "/auth/logout"),
    ("GET", "/auth/me"),
    ("PUT", "/auth/me"),
    ("PUT", "/auth/password"),
}


def api_routes(settings: Settings) -> set[tuple[str, str]]:
    """(method, path under the prefix) of every API route of a fresh app, from its schema."""
    app = create_app(settings)
    found = {
        (method.upper(), path.removeprefix(API_PREFIX))
        for path, operations in app.openapi()["paths"].items()
        if path.startswith(API_PREFIX)
        for method in operations
    }
    app.state.engine.dispose()
    return found


def concrete(path: str) -> str:
    """Fill every path parameter with an id that could exist."""
    return re.sub(r"\{[^}]+\}", "1", path)


def test_matrix_knows_every_route(settings: Settings) -> None:
    assert api_routes(settings) == PUBLIC | PROTECTED


@pytest.mark.parametrize(("method", "path"), sorted(PROTECTED))
def test_anonymous_call_is_401(client: TestClient, method: str, path: str) -> None:
    response = client.request(method, API_PREFIX + concrete(path), json={})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_revoked_token_is_401_everywhere(
    client: TestClient, session: Session, settings: Settings
) -> None:
    user = make_user(session, settings)
    session.commit()
    login = client.post(
        f"{API_PREFIX}/auth/login", json={"username": user.username, "password": PASSWORD}
    ).json()
    headers = {"Authorization": f"Bearer {login['access_token']}"}
    assert client.post(f"{API_PREFIX}/auth/logout", headers=headers).status_code == 200
    for method, path in sorted(PROTECTED):
        response = client.request(method, API_PREFIX + concrete(path), headers=headers, json={})
        assert response.status_code == 401, (method, path)
