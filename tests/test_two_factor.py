"""Two-factor login: the TOTP and recovery-code rules, and enrolment and login over HTTP."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session, sessionmaker

from api.app import create_app
from api.deps import get_now
from domain.config import Settings
from domain.db.models import LoginThrottle, RecoveryCode, User
from domain.rules.second_factor import (
    RECOVERY_CODE_COUNT,
    format_recovery_code,
    hash_recovery_code,
    matching_step,
    new_recovery_codes,
    normalise_recovery_code,
    normalise_totp,
    provisioning_uri,
    time_step,
    totp_at,
)
from domain.services import second_factor
from tests.conftest import PASSWORD, bearer

API = "/api/v1"
# RFC 6238 appendix B: the SHA-1 seed "12345678901234567890" in base32.
RFC_SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"


def _at(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


# The RFC's 8-digit SHA-1 values; a 6-digit code is the same number modulo 10^6.
@pytest.mark.parametrize(
    ("unix_time", "rfc_value"),
    [
        (59, "94287082"),
        (1111111109, "07081804"),
        (1111111111, "14050471"),
        (1234567890, "89005924"),
        (2000000000, "69279037"),
        (20000000000, "65353130"),
    ],
)
def test_totp_matches_the_rfc_6238_vectors(unix_time: int, rfc_value: str) -> None:
    assert totp_at(RFC_SECRET, time_step(_at(unix_time))) == rfc_value[-6:]


@pytest.mark.parametrize(
    ("offset_seconds", "typed", "expected_offset"),
    [
        (0, "050471", 0),  # the current step
        (30, "050471", 0),  # the next step still accepts the previous code
        (-30, "050471", 0),  # and the previous step the next code (clock drift)
        (60, "050471", None),  # two steps later it is gone
        (-60, "050471", None),
        (0, " 050 471 ", 0),  # spaces are ignored
        (0, "050472", None),
        (0, "05047", None),
        (0, "0504710", None),
        (0, "०५०४७१", None),  # other scripts' digits are no code
        (0, "", None),
    ],
)
def test_matching_step_accepts_one_step_either_side(
    offset_seconds: int, typed: str, expected_offset: int | None
) -> None:
    base = time_step(_at(1111111111))
    found = matching_step(RFC_SECRET, typed, _at(1111111111 + offset_seconds))
    assert found == (None if expected_offset is None else base + expected_offset)


def test_the_first_steps_have_no_step_before_them() -> None:
    assert matching_step(RFC_SECRET, "287082", _at(1)) == 1  # step 0 at t=1, step 1's code


def test_time_step_refuses_a_naive_instant() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        time_step(datetime(2026, 1, 1))  # noqa: DTZ001 - the point of the test


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("abcd-efgh-jk", "abcdefghjk"),
        ("ABCD-EFGH-JK", "abcdefghjk"),
        (" abcd efgh jk ", "abcdefghjk"),
        ("abcdefghjk", "abcdefghjk"),
        ("ab-cd-ef-gh-jk", "abcdefghjk"),
        ("abcd-efgh-j", None),  # too short
        ("abcd-efgh-jkm", None),  # too long
        ("abcd-efgh-i1", None),  # look-alikes are never issued
        ("123456", None),
    ],
)
def test_recovery_codes_are_read_in_any_case_with_spaces_or_dashes(
    typed: str, expected: str | None
) -> None:
    assert normalise_recovery_code(typed) == expected


def test_new_recovery_codes_are_ten_distinct_readable_codes() -> None:
    codes = new_recovery_codes()
    assert len(codes) == RECOVERY_CODE_COUNT == len(set(codes))
    for code in codes:
        assert re.fullmatch(r"[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{2}", code)
        compact = normalise_recovery_code(code)
        assert compact is not None
        assert format_recovery_code(compact) == code


def test_recovery_code_hashes_differ_per_user_and_hide_the_code() -> None:
    assert hash_recovery_code(1, "abcdefghjk") == hash_recovery_code(1, "abcdefghjk")
    assert hash_recovery_code(1, "abcdefghjk") != hash_recovery_code(2, "abcdefghjk")
    assert "abcdefghjk" not in hash_recovery_code(1, "abcdefghjk")


def test_provisioning_uri_names_the_issuer_and_account() -> None:
    uri = urlsplit(provisioning_uri(RFC_SECRET, "dana"))
    assert (uri.scheme, uri.netloc, uri.path) == ("otpauth", "totp", "/Cashflow:dana")
    query = parse_qs(uri.query)
    assert query["secret"] == [RFC_SECRET]
    assert query["issuer"] == ["Cashflow"]


def test_normalise_totp_keeps_six_ascii_digits_only() -> None:
    assert [normalise_totp(t) for t in ("123456", "12 34 56", "12345a", "1234567")] == [
        "123456",
        "123456",
        None,
        None,
    ]


# Over HTTP, with the API's clock in the test's hand, so that time steps can pass.


@dataclass
class Clock:
    """The instant the API reads as now."""

    now: datetime = field(default_factory=lambda: datetime.now(UTC))

    def advance(self, seconds: float) -> None:
        """Move the clock on."""
        self.now += timedelta(seconds=seconds)

    def code(self, secret: str, steps: int = 0) -> str:
        """The TOTP code of `steps` after the current step."""
        return totp_at(secret, time_step(self.now) + steps)


@pytest.fixture
def clock() -> Clock:
    """A clock that starts at the real now."""
    return Clock()


@pytest.fixture
def api(
    settings: Settings, session_factory: sessionmaker[Session], clock: Clock
) -> Iterator[TestClient]:
    """The API over HTTP with `clock` as its now, inside the test's transaction."""
    app = create_app(settings)
    app.state.session_factory = app.state.read_session_factory = session_factory
    app.dependency_overrides[get_now] = lambda: clock.now
    with TestClient(app) as client:
        yield client
    app.state.engine.dispose()


@dataclass(frozen=True)
class Enrolled:
    """A user with two-factor login on."""

    user: User
    headers: dict[str, str]
    secret: str
    recovery_codes: list[str]


def _enrol(api: TestClient, clock: Clock, headers: dict[str, str]) -> tuple[str, list[str]]:
    begun = api.post(f"{API}/auth/two-factor/enrol", headers=headers)
    assert begun.status_code == 200, begun.text
    secret = begun.json()["secret"]
    confirmed = api.post(
        f"{API}/auth/two-factor/confirm", headers=headers, json={"code": clock.code(secret)}
    )
    assert confirmed.status_code == 200, confirmed.text
    codes: list[str] = confirmed.json()["recovery_codes"]
    return secret, codes


@pytest.fixture
def enrolled(api: TestClient, clock: Clock, settings: Settings, user: User) -> Enrolled:
    """The `user` fixture, enrolled; its confirmation used the clock's current step."""
    headers = bearer(settings, user)
    secret, codes = _enrol(api, clock, headers)
    return Enrolled(user, headers, secret, codes)


def _challenge(api: TestClient, user: User) -> str:
    response = api.post(f"{API}/auth/login", json={"username": user.username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["two_factor_required"] is True
    assert "access_token" not in body
    assert "refresh_token" not in body
    token: str = body["challenge_token"]
    return token


def _second(api: TestClient, challenge: str, code: str) -> tuple[int, dict[str, object]]:
    response = api.post(
        f"{API}/auth/login/second-factor", json={"challenge_token": challenge, "code": code}
    )
    return response.status_code, response.json()


def _status(api: TestClient, headers: dict[str, str]) -> dict[str, object]:
    response = api.get(f"{API}/auth/two-factor", headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    return body


def test_enrolment_needs_a_right_code_and_shows_ten_recovery_codes_once(
    api: TestClient, clock: Clock, settings: Settings, user: User, session: Session
) -> None:
    headers = bearer(settings, user)
    assert _status(api, headers) == {
        "enabled": False,
        "enabled_at": None,
        "pending": False,
        "recovery_codes_left": 0,
    }
    begun = api.post(f"{API}/auth/two-factor/enrol", headers=headers).json()
    assert begun["provisioning_uri"].startswith("otpauth://totp/Cashflow:")
    assert _status(api, headers)["pending"] is True
    wrong = api.post(f"{API}/auth/two-factor/confirm", headers=headers, json={"code": "000000"})
    assert wrong.status_code == 422
    [problem] = wrong.json()["detail"]
    assert problem["loc"] == ["body", "code"]
    right = clock.code(begun["secret"])
    confirmed = api.post(f"{API}/auth/two-factor/confirm", headers=headers, json={"code": right})
    assert confirmed.status_code == 200, confirmed.text
    codes = confirmed.json()["recovery_codes"]
    assert len(set(codes)) == 10
    state = _status(api, headers)
    assert (state["enabled"], state["pending"], state["recovery_codes_left"]) == (True, False, 10)
    stored = session.scalars(select(RecoveryCode.code_hash).where(RecoveryCode.user_id == user.id))
    assert not {c.replace("-", "") for c in codes} & {h.removeprefix("sha256:") for h in stored}
    # on is on: a second enrolment or confirmation conflicts
    assert api.post(f"{API}/auth/two-factor/enrol", headers=headers).status_code == 409
    again = api.post(f"{API}/auth/two-factor/confirm", headers=headers, json={"code": right})
    assert again.status_code == 409


def test_confirm_before_enrolment_and_changes_while_off_conflict(
    api: TestClient, settings: Settings, user: User
) -> None:
    headers = bearer(settings, user)
    for path, body in (
        ("confirm", {"code": "123456"}),
        ("recovery-codes", {"code": "123456"}),
        ("disable", {"password": PASSWORD, "code": "123456"}),
    ):
        response = api.post(f"{API}/auth/two-factor/{path}", headers=headers, json=body)
        assert response.status_code == 409, (path, response.text)


def test_login_with_two_factor_takes_two_steps(
    api: TestClient, clock: Clock, enrolled: Enrolled
) -> None:
    challenge = _challenge(api, enrolled.user)
    clock.advance(30)  # the enrolment spent the previous step's code
    status, tokens = _second(api, challenge, clock.code(enrolled.secret))
    assert status == 200, tokens
    me = api.get(f"{API}/auth/me", headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert me.json()["id"] == enrolled.user.id
    refreshed = api.post(f"{API}/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert refreshed.status_code == 200


def test_challenge_answers_with_its_lifetime_and_expires(
    api: TestClient, clock: Clock, enrolled: Enrolled
) -> None:
    response = api.post(
        f"{API}/auth/login", json={"username": enrolled.user.username, "password": PASSWORD}
    )
    assert response.json()["expires_in"] == 300
    clock.advance(301)
    status, body = _second(api, response.json()["challenge_token"], clock.code(enrolled.secret))
    assert (status, body["detail"]) == (401, "token expired")


def test_wrong_password_gives_no_challenge(api: TestClient, enrolled: Enrolled) -> None:
    response = api.post(
        f"{API}/auth/login", json={"username": enrolled.user.username, "password": "wrong-one"}
    )
    assert response.status_code == 401


def test_a_replayed_code_is_refused_within_its_window(
    api: TestClient, clock: Clock, enrolled: Enrolled
) -> None:
    used_at_enrolment = clock.code(enrolled.secret)
    challenge = _challenge(api, enrolled.user)
    assert _second(api, challenge, used_at_enrolment)[0] == 401
    clock.advance(30)
    fresh = clock.code(enrolled.secret)
    assert _second(api, challenge, fresh)[0] == 200
    clock.advance(15)  # same step, and the next one would still accept it: once is once
    assert _second(api, _challenge(api, enrolled.user), fresh)[0] == 401
    clock.advance(30)
    assert _second(api, _challenge(api, enrolled.user), clock.code(enrolled.secret))[0] == 200


def test_a_recovery_code_works_once_in_any_case(
    api: TestClient, clock: Clock, enrolled: Enrolled
) -> None:
    code = enrolled.recovery_codes[3]
    typed = code.upper().replace("-", " ")
    assert _second(api, _challenge(api, enrolled.user), typed)[0] == 200
    assert _second(api, _challenge(api, enrolled.user), code)[0] == 401
    assert _status(api, enrolled.headers)["recovery_codes_left"] == 9
    other = enrolled.recovery_codes[4]
    assert _second(api, _challenge(api, enrolled.user), other)[0] == 200


def test_repeated_wrong_codes_are_throttled(
    api: TestClient, clock: Clock, enrolled: Enrolled
) -> None:
    challenge = _challenge(api, enrolled.user)
    clock.advance(30)
    codes = [_second(api, challenge, "000000")[0] for _ in range(5)]
    assert codes == [401] * 5
    blocked = api.post(
        f"{API}/auth/login/second-factor",
        json={"challenge_token": challenge, "code": clock.code(enrolled.secret)},
    )
    assert blocked.status_code == 429
    assert int(blocked.headers["Retry-After"]) > 0
    # the same counter guards the code checks of the signed-in routes
    regenerate = api.post(
        f"{API}/auth/two-factor/recovery-codes",
        headers=enrolled.headers,
        json={"code": clock.code(enrolled.secret)},
    )
    assert regenerate.status_code == 429
    clock.advance(61)
    assert _second(api, challenge, clock.code(enrolled.secret))[0] == 200


def test_a_challenge_opens_nothing_else_and_only_once(
    api: TestClient, clock: Clock, enrolled: Enrolled
) -> None:
    challenge = _challenge(api, enrolled.user)
    as_access = api.get(f"{API}/auth/me", headers={"Authorization": f"Bearer {challenge}"})
    assert as_access.status_code == 401
    as_refresh = api.post(f"{API}/auth/refresh", json={"refresh_token": challenge})
    assert as_refresh.status_code == 401
    assert _second(api, challenge, enrolled.recovery_codes[0])[0] == 200
    status, body = _second(api, challenge, enrolled.recovery_codes[1])
    assert (status, body["detail"]) == (401, "token revoked")
    assert _status(api, enrolled.headers)["recovery_codes_left"] == 9  # the second not spent


def test_an_access_token_is_no_challenge(api: TestClient, clock: Clock, enrolled: Enrolled) -> None:
    access = enrolled.headers["Authorization"].removeprefix("Bearer ")
    assert _second(api, access, enrolled.recovery_codes[0])[0] == 401


def test_regenerating_recovery_codes_needs_a_code_and_ends_the_old_ones(
    api: TestClient, clock: Clock, enrolled: Enrolled
) -> None:
    url = f"{API}/auth/two-factor/recovery-codes"
    wrong = api.post(url, headers=enrolled.headers, json={"code": "000000"})
    assert wrong.status_code == 422
    assert "input" not in wrong.json()["detail"][0]
    clock.advance(30)
    fresh = api.post(url, headers=enrolled.headers, json={"code": clock.code(enrolled.secret)})
    assert fresh.status_code == 200, fresh.text
    new_codes = fresh.json()["recovery_codes"]
    assert set(new_codes).isdisjoint(enrolled.recovery_codes)
    assert _second(api, _challenge(api, enrolled.user), enrolled.recovery_codes[0])[0] == 401
    assert _second(api, _challenge(api, enrolled.user), new_codes[0])[0] == 200


def test_disabling_needs_the_password_and_a_code(
    api: TestClient, clock: Clock, enrolled: Enrolled
) -> None:
    url = f"{API}/auth/two-factor/disable"
    recovery = enrolled.recovery_codes[0]
    no_password = api.post(
        url, headers=enrolled.headers, json={"password": "wrong-password", "code": recovery}
    )
    assert no_password.status_code == 422
    assert no_password.json()["detail"][0]["loc"] == ["body", "password"]
    assert _status(api, enrolled.headers)["recovery_codes_left"] == 10  # not spent on a typo
    no_code = api.post(url, headers=enrolled.headers, json={"password": PASSWORD, "code": "1"})
    assert no_code.status_code == 422
    assert no_code.json()["detail"][0]["loc"] == ["body", "code"]
    assert _status(api, enrolled.headers)["enabled"] is True
    done = api.post(url, headers=enrolled.headers, json={"password": PASSWORD, "code": recovery})
    assert done.status_code == 200, done.text
    assert done.json()["enabled"] is False
    login = api.post(
        f"{API}/auth/login", json={"username": enrolled.user.username, "password": PASSWORD}
    )
    assert "access_token" in login.json()


def test_codes_and_secrets_are_never_echoed_in_a_422(api: TestClient, enrolled: Enrolled) -> None:
    long_code = "7" * 65
    for url, body, headers in (
        (f"{API}/auth/login/second-factor", {"challenge_token": "x", "code": long_code}, {}),
        (f"{API}/auth/two-factor/confirm", {"code": long_code}, enrolled.headers),
        (
            f"{API}/auth/two-factor/disable",
            {"password": "p" * 201, "code": long_code},
            enrolled.headers,
        ),
    ):
        response = api.post(url, json=body, headers=headers)
        assert response.status_code == 422, url
        assert "777" not in response.text
        assert "ppp" not in response.text


def test_a_password_change_ends_open_challenges(
    api: TestClient, clock: Clock, enrolled: Enrolled
) -> None:
    challenge = _challenge(api, enrolled.user)
    changed = api.put(
        f"{API}/auth/password",
        headers=enrolled.headers,
        json={"current_password": PASSWORD, "new_password": "another password"},
    )
    assert changed.status_code == 200
    assert _second(api, challenge, enrolled.recovery_codes[0])[0] == 401


def test_the_same_code_sent_twice_at_once_is_accepted_once(
    engine: Engine, settings: Settings, committed_user: User
) -> None:
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    now = datetime.now(UTC)
    with factory() as session, session.begin():
        row = session.get(User, committed_user.id)
        assert row is not None
        secret = second_factor.begin_enrolment(session, row).secret
        second_factor.confirm_enrolment(
            session, settings, row, totp_at(secret, time_step(now)), now
        )
    code = totp_at(secret, time_step(now) + 1)
    ready = threading.Barrier(2)

    def attempt() -> bool:
        with factory() as session, session.begin():
            user = session.get(User, committed_user.id)
            assert user is not None
            ready.wait(timeout=10)
            return second_factor.check_second_factor(session, settings, user, code, now)

    try:
        with ThreadPoolExecutor(max_workers=2) as pool:
            results = sorted(pool.map(lambda _: attempt(), range(2)))
        assert results == [False, True]
    finally:
        with engine.begin() as conn:
            conn.execute(
                delete(LoginThrottle).where(LoginThrottle.scope_key == f"totp:{committed_user.id}")
            )
