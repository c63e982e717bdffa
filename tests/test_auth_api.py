"""Authentication over HTTP: registration, tokens, rotation, revocation, throttling."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta

import jwt
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from domain.config import Settings
from domain.errors import AuthenticationError, ThrottledError
from domain.rules.tokens import TokenKind, issue_token
from domain.services import auth
from tests.conftest import PASSWORD, make_user

API = "/api/v1"


def _register(client: TestClient, username: str, password: str = PASSWORD) -> int:
    response = client.post(
        f"{API}/auth/register", json={"username": username, "password": password}
    )
    code: int = response.status_code
    return code


def _login(client: TestClient, username: str, password: str = PASSWORD) -> dict[str, str]:
    response = client.post(f"{API}/auth/login", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    body: dict[str, str] = response.json()
    return body


def _me(client: TestClient, access: str) -> int:
    response = client.get(f"{API}/auth/me", headers={"Authorization": f"Bearer {access}"})
    code: int = response.status_code
    return code


def _name() -> str:
    return f"u{uuid.uuid4().hex[:10]}"


def test_register_login_and_me(client: TestClient) -> None:
    name = _name()
    assert _register(client, name) == 201
    tokens = _login(client, name.upper())  # usernames are case-insensitive
    assert tokens["token_type"] == "bearer"
    me = client.get(f"{API}/auth/me", headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert me.json()["username"] == name
    assert me.json()["language"] == "en"  # DEFAULT_LANGUAGE; money settings are households'


def test_username_unique_regardless_of_case(client: TestClient) -> None:
    name = _name()
    assert _register(client, name) == 201
    assert _register(client, name.upper()) == 409


@pytest.mark.parametrize(
    ("password", "expected"),
    [
        ("short", 422),  # under 8 bytes
        ("x" * 73, 422),  # over bcrypt's 72 bytes
        ("א" * 37, 422),  # 74 bytes in UTF-8 though only 37 characters
        ("x" * 72, 201),  # exactly the limit
    ],
)
def test_password_length_in_bytes(client: TestClient, password: str, expected: int) -> None:
    response = client.post(f"{API}/auth/register", json={"username": _name(), "password": password})
    assert response.status_code == expected
    if expected == 422:
        assert response.json()["detail"][0]["loc"][-1] == "password"


def test_overlong_password_at_login_is_422_not_500(client: TestClient) -> None:
    name = _name()
    _register(client, name)
    response = client.post(f"{API}/auth/login", json={"username": name, "password": "y" * 100})
    assert response.status_code == 422


def test_wrong_password_and_unknown_user_answer_alike(client: TestClient) -> None:
    name = _name()
    _register(client, name)
    wrong = client.post(f"{API}/auth/login", json={"username": name, "password": "wrong-password"})
    unknown = client.post(f"{API}/auth/login", json={"username": _name(), "password": "whatever1"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()


def test_throttling_after_five_failures_for_known_and_unknown_alike(client: TestClient) -> None:
    name, ghost = _name(), _name()
    _register(client, name)
    for who in (name, ghost):
        codes = [
            client.post(
                f"{API}/auth/login", json={"username": who, "password": "bad-pass1"}
            ).status_code
            for _ in range(5)
        ]
        assert codes == [401] * 5
        blocked = client.post(f"{API}/auth/login", json={"username": who, "password": PASSWORD})
        assert blocked.status_code == 429
        assert int(blocked.headers["Retry-After"]) > 0
    # another account is not affected
    other = _name()
    _register(client, other)
    _login(client, other)


def test_throttle_waits_grow_after_five_failures_then_a_success_clears_them(
    session: Session, settings: Settings
) -> None:
    user = make_user(session, settings)
    start = datetime.now(UTC)
    for _ in range(5):
        with pytest.raises(AuthenticationError, match="incorrect"):
            auth.authenticate(session, settings, user.username, "bad-password", start)
    # failure 5 costs a 1-minute wait, even for the right password
    with pytest.raises(ThrottledError) as waited:
        auth.authenticate(session, settings, user.username, PASSWORD, start + timedelta(seconds=30))
    assert waited.value.retry_after == 30
    sixth = start + timedelta(minutes=1)
    with pytest.raises(AuthenticationError):
        auth.authenticate(session, settings, user.username, "bad-password", sixth)
    # failure 6 doubles the wait to 2 minutes
    with pytest.raises(ThrottledError) as doubled:
        auth.authenticate(session, settings, user.username, PASSWORD, sixth + timedelta(minutes=1))
    assert doubled.value.retry_after == 60
    later = sixth + timedelta(minutes=2)
    assert auth.authenticate(session, settings, user.username, PASSWORD, later).id == user.id
    # the success cleared the counters: five more failures are free again
    for _ in range(5):
        with pytest.raises(AuthenticationError, match="incorrect"):
            auth.authenticate(session, settings, user.username, "bad-password", later)


def test_refresh_rotates_and_reuse_revokes_everything(client: TestClient) -> None:
    name = _name()
    _register(client, name)
    first = _login(client, name)
    other_session = _login(client, name)
    rotated = client.post(f"{API}/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert rotated.status_code == 200
    second = rotated.json()
    assert _me(client, second["access_token"]) == 200
    # the spent refresh token is presented again: reuse detected
    reuse = client.post(f"{API}/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert reuse.status_code == 401
    assert _me(client, second["access_token"]) == 401
    assert _me(client, other_session["access_token"]) == 401
    again = client.post(f"{API}/auth/refresh", json={"refresh_token": second["refresh_token"]})
    assert again.status_code == 401
    assert _me(client, _login(client, name)["access_token"]) == 200


def test_logout_revokes_both_tokens(client: TestClient) -> None:
    name = _name()
    _register(client, name)
    tokens = _login(client, name)
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    out = client.post(
        f"{API}/auth/logout", headers=headers, json={"refresh_token": tokens["refresh_token"]}
    )
    assert out.status_code == 200
    assert _me(client, tokens["access_token"]) == 401
    refresh = client.post(f"{API}/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert refresh.status_code == 401


def test_password_change_revokes_older_tokens(client: TestClient) -> None:
    name = _name()
    _register(client, name)
    old = _login(client, name)
    headers = {"Authorization": f"Bearer {old['access_token']}"}
    wrong = client.put(
        f"{API}/auth/password",
        headers=headers,
        json={"current_password": "not-it-at-all", "new_password": "new password 1"},
    )
    assert wrong.status_code == 422
    assert wrong.json()["detail"][0]["loc"][-1] == "current_password"
    changed = client.put(
        f"{API}/auth/password",
        headers=headers,
        json={"current_password": PASSWORD, "new_password": "new password 1"},
    )
    assert changed.status_code == 200
    assert _me(client, old["access_token"]) == 401
    assert (
        client.post(f"{API}/auth/refresh", json={"refresh_token": old["refresh_token"]}).status_code
        == 401
    )
    assert _me(client, changed.json()["access_token"]) == 200
    assert _login(client, name, "new password 1")["access_token"]


def test_update_profile(client: TestClient) -> None:
    name = _name()
    _register(client, name)
    headers = {"Authorization": f"Bearer {_login(client, name)['access_token']}"}
    updated = client.put(f"{API}/auth/me", headers=headers, json={"display_name": "Dana"})
    assert updated.json()["display_name"] == "Dana"
    unknown = client.put(f"{API}/auth/me", headers=headers, json={"is_admin": True})
    assert unknown.status_code == 422


def _claims(user_id: int, kind: str, exp: datetime) -> dict[str, object]:
    return {
        "sub": str(user_id),
        "jti": str(uuid.uuid4()),
        "iat": int(time.time()),
        "exp": int(exp.timestamp()),
        "type": kind,
        "ver": 0,
    }


def test_forged_and_misused_tokens_are_refused(
    client: TestClient, session: Session, settings: Settings
) -> None:
    user = make_user(session, settings)
    session.commit()
    later = datetime.now(UTC) + timedelta(minutes=5)
    unsigned = jwt.encode(_claims(user.id, "access", later), key="", algorithm="none")
    other_key = jwt.encode(
        _claims(user.id, "access", later), "another-secret-key-of-enough-length-32b", "HS256"
    )
    expired = jwt.encode(
        _claims(user.id, "access", datetime.now(UTC) - timedelta(seconds=1)),
        settings.secret(),
        "HS256",
    )
    for token in (unsigned, other_key, expired, "not-a-jwt"):
        assert _me(client, token) == 401
    now = datetime.now(UTC)

    def sign(kind: TokenKind, ttl: timedelta) -> str:
        return issue_token(
            user_id=user.id,
            version=0,
            kind=kind,
            now=now,
            ttl=ttl,
            secret=settings.secret(),
            algorithm=settings.algorithm,
        ).token

    access, refresh = sign("access", timedelta(minutes=5)), sign("refresh", timedelta(days=1))
    assert client.post(f"{API}/auth/refresh", json={"refresh_token": access}).status_code == 401
    assert _me(client, refresh) == 401
    assert _me(client, access) == 200
