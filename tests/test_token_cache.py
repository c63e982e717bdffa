"""The verification cache of hot reads: what it keeps, what makes it forget, how fast, fail-safe."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar, Self

import httpx
import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine, update
from sqlalchemy.orm import Session, sessionmaker

from domain.config import Settings
from domain.db.auth_events import CHANNEL, EVERYONE, MAX_LAG, AuthListener, Forgetting
from domain.db.engine import create_db_engine, libpq_url
from domain.db.models import Household, User
from domain.rules.tokens import decode_token
from domain.services import auth, token_cache
from domain.services.token_cache import ReadScope, VerificationCache
from tests.builders import make_transaction
from tests.conftest import PASSWORD, bearer, forget_people, make_user
from tests.servers import api_process

API = "/api/v1"
TEST_LISTENER = "cashflow-test-listener"
SOON = datetime.now(UTC) + timedelta(hours=1)


class Switch:
    """A listener whose freshness a test turns on and off, and that hears nothing."""

    def __init__(self) -> None:
        self.on = True

    def subscribe(self, cache: Forgetting) -> None:
        """Nothing is announced through a switch."""

    def fresh(self) -> bool:
        """What the test set."""
        return self.on


@pytest.fixture
def switch() -> Switch:
    """Fresh until the test says otherwise."""
    return Switch()


@pytest.fixture
def cache(switch: Switch) -> VerificationCache:
    """A cache answering while `switch` is on."""
    return VerificationCache(switch)


def _scope(user_id: int, household_id: int = 7) -> ReadScope:
    return ReadScope(user_id, household_id, "owner", time.monotonic())


def test_a_kept_token_answers_until_its_person_changes(cache: VerificationCache) -> None:
    now = datetime.now(UTC)
    cache.keep_token(cache.ticket(), "a", 1, SOON)
    cache.keep_token(cache.ticket(), "b", 2, SOON)
    cache.keep_scope(cache.ticket(), _scope(1), None)
    cache.keep_scope(cache.ticket(), _scope(2), 7)
    assert (cache.user_of("a", now), cache.user_of("b", now)) == (1, 2)
    cache.forget("1")  # a change of person 1 only
    assert (cache.user_of("a", now), cache.user_of("b", now)) == (None, 2)
    assert cache.scope_of(1, None) is None
    assert cache.scope_of(2, 7) is not None
    cache.forget(EVERYONE)
    assert (cache.user_of("b", now), cache.scope_of(2, 7)) == (None, None)


def test_a_verification_that_read_before_a_change_is_not_kept(cache: VerificationCache) -> None:
    ticket = cache.ticket()  # taken before reading the database
    cache.forget("3")  # a change is announced while the read runs
    cache.keep_token(ticket, "c", 1, SOON)
    cache.keep_scope(ticket, _scope(1), None)
    assert (cache.user_of("c", datetime.now(UTC)), cache.scope_of(1, None)) == (None, None)


def test_a_stale_listener_makes_the_cache_answer_nothing(
    cache: VerificationCache, switch: Switch
) -> None:
    now = datetime.now(UTC)
    cache.keep_token(cache.ticket(), "d", 1, SOON)
    switch.on = False
    assert cache.ticket() is None
    assert cache.user_of("d", now) is None
    cache.keep_token(cache.ticket(), "e", 1, SOON)  # verified while stale: not kept
    switch.on = True
    assert (cache.user_of("d", now), cache.user_of("e", now)) == (1, None)


def test_an_expired_or_old_entry_is_verified_again(
    cache: VerificationCache, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = datetime.now(UTC)
    cache.keep_token(cache.ticket(), "f", 1, now + timedelta(seconds=1))
    assert cache.user_of("f", now) == 1
    assert cache.user_of("f", now + timedelta(seconds=1)) is None  # expiry, as decode_token
    monkeypatch.setattr(token_cache, "ENTRY_TTL", -1.0)
    assert cache.user_of("f", now) is None


def test_the_cache_keeps_at_most_max_entries(
    cache: VerificationCache, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(token_cache, "MAX_ENTRIES", 2)
    for token in ("g", "h", "i"):
        cache.keep_token(cache.ticket(), token, 1, SOON)
    now = datetime.now(UTC)
    assert [cache.user_of(t, now) for t in ("g", "h", "i")] == [None, 1, 1]


# The announcements, on the real database.


@pytest.fixture
def raw_listener(database_url: str) -> Iterator[psycopg.Connection[Any]]:
    """A plain LISTEN on the channel, to see what writers announce."""
    with psycopg.connect(libpq_url(database_url), autocommit=True) as conn:
        conn.execute(f"LISTEN {CHANNEL}")
        yield conn


def _heard(conn: psycopg.Connection[Any], seconds: float = 1.0) -> set[str]:
    return {notice.payload for notice in conn.notifies(timeout=seconds)}


def test_a_committed_revocation_announces_its_person_and_a_rollback_nothing(
    engine: Engine,
    settings: Settings,
    raw_listener: psycopg.Connection[Any],
    committed_user: User,
) -> None:
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    now = datetime.now(UTC)
    claims = decode_token(
        auth.issue_pair(settings, committed_user, now).access.token,
        kind="access",
        now=now,
        secret=settings.secret(),
        algorithm=settings.algorithm,
    )
    _heard(raw_listener, 0.3)  # the person's own making
    with factory() as session:
        auth.logout(session, settings, claims, None, now)
        session.rollback()
    assert _heard(raw_listener, 0.3) == set()
    with factory() as session, session.begin():
        auth.logout(session, settings, claims, None, now)
    assert _heard(raw_listener) == {str(committed_user.id)}


def test_changes_to_people_memberships_and_households_announce_everyone(
    engine: Engine, raw_listener: psycopg.Connection[Any], committed_user: User
) -> None:
    _heard(raw_listener, 0.3)  # the person's own making
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    with factory() as session, session.begin():
        session.execute(
            update(User).where(User.id == committed_user.id).values(display_name="Renamed")
        )
    assert _heard(raw_listener) == {EVERYONE}
    with factory() as session, session.begin():
        person = session.get(User, committed_user.id)
        assert person is not None
        home = session.get(Household, person.default_household_id)
        assert home is not None
        home.require_two_factor = False  # an ORM flush, not a statement of ours
        session.flush()
        session.execute(update(Household).where(Household.id == home.id).values(name="Ours"))
    assert _heard(raw_listener) == {EVERYONE}


def test_writes_outside_the_application_are_announced_by_the_database(
    database_url: str, raw_listener: psycopg.Connection[Any], committed_user: User
) -> None:
    """Written by psql or a script: the triggers announce what commits, nothing else."""
    _heard(raw_listener, 0.3)  # the person's own making
    with psycopg.connect(libpq_url(database_url)) as other:
        other.execute("UPDATE users SET is_active = false WHERE id = %s", (committed_user.id,))
        other.rollback()
        assert _heard(raw_listener, 0.3) == set()
        other.execute("UPDATE users SET is_active = false WHERE id = %s", (committed_user.id,))
        other.commit()
        assert _heard(raw_listener) == {EVERYONE}
        other.execute(
            "INSERT INTO revoked_tokens (jti, user_id, expires_at)"
            " VALUES (%s, %s, %s), (%s, %s, %s)",
            (uuid.uuid4(), committed_user.id, SOON, uuid.uuid4(), committed_user.id, SOON),
        )
        other.commit()
        assert _heard(raw_listener) == {str(committed_user.id)}  # its person, once
        other.execute("DELETE FROM revoked_tokens WHERE user_id = %s", (committed_user.id,))
        other.commit()
        assert _heard(raw_listener) == {EVERYONE}
        other.execute("UPDATE memberships SET role = role WHERE user_id = %s", (committed_user.id,))
        other.commit()
        assert _heard(raw_listener) == {EVERYONE}


def test_a_user_disabled_by_hand_loses_a_warm_token_at_once(
    listener: AuthListener, database_url: str, committed_user: User
) -> None:
    cache = VerificationCache(listener)
    cache.keep_token(cache.ticket(), "n", committed_user.id, SOON)
    with psycopg.connect(libpq_url(database_url), autocommit=True) as other:
        other.execute("UPDATE users SET is_active = false WHERE id = %s", (committed_user.id,))
    assert listener.sync()
    assert cache.user_of("n", datetime.now(UTC)) is None


def test_a_write_tells_this_process_at_once_even_before_it_commits(
    session: Session, settings: Settings, switch: Switch
) -> None:
    cache = VerificationCache(switch)
    person = make_user(session, settings)
    cache.keep_token(cache.ticket(), "j", person.id, SOON)
    person.token_version += 1
    session.flush()  # inside the test's transaction, never committed
    assert cache.user_of("j", datetime.now(UTC)) is None


@pytest.fixture
def listener_name() -> str:
    """The test listener's application_name, its own (tests run side by side)."""
    return f"{TEST_LISTENER}-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def listener(database_url: str, listener_name: str) -> Iterator[AuthListener]:
    """A listener of its own on the test database, apart from this process's shared one."""
    found = AuthListener(libpq_url(database_url), name=listener_name)
    found.start()
    assert found.sync(), "the listener did not connect"
    yield found
    found.stop()


def test_the_listener_forgets_what_another_process_announces(
    listener: AuthListener, database_url: str
) -> None:
    cache = VerificationCache(listener)
    now = datetime.now(UTC)
    cache.keep_token(cache.ticket(), "k", 41, SOON)
    cache.keep_token(cache.ticket(), "m", 42, SOON)
    with psycopg.connect(libpq_url(database_url), autocommit=True) as other:
        other.execute("SELECT pg_notify(%s, %s)", (CHANNEL, "41"))
    assert listener.sync()
    assert (cache.user_of("k", now), cache.user_of("m", now)) == (None, 42)


def test_a_lost_listener_connection_fails_safe_and_recovers(
    listener: AuthListener, listener_name: str, database_url: str
) -> None:
    cache = VerificationCache(listener)
    cache.keep_token(cache.ticket(), "n", 43, SOON)
    with psycopg.connect(libpq_url(database_url), autocommit=True) as admin:
        ended = admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = %s",
            (listener_name,),
        ).fetchall()
    assert ended == [(True,)]
    deadline = time.monotonic() + MAX_LAG + 1.0
    while listener.fresh() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not listener.fresh()
    assert cache.user_of("n", datetime.now(UTC)) is None  # and it was forgotten, not kept
    assert listener.sync(timeout=10.0)  # reconnected
    assert listener.fresh()
    assert cache.user_of("n", datetime.now(UTC)) is None


# Over HTTP, in-process: a warm cache never outlives a change.


def _list(client: TestClient, headers: dict[str, str]) -> int:
    code: int = client.get(f"{API}/transactions", headers=headers).status_code
    return code


def _warm(client: TestClient, headers: dict[str, str]) -> None:
    """Answer a few times so the process's cache holds the token and the scope."""
    for _ in range(3):
        assert _list(client, headers) == 200


class RecordingCursor(psycopg.Cursor[Any]):
    """A driver cursor that notes every statement sent through it."""

    seen: ClassVar[list[str]] = []

    def execute(self, query: Any, params: Any = None, **kwargs: Any) -> Self:
        """Note the statement, then run it."""
        RecordingCursor.seen.append(str(query))
        return super().execute(query, params, **kwargs)


def test_a_warm_list_request_sends_the_database_only_its_page(
    client: TestClient,
    connection: Connection,
    session: Session,
    household: Household,
    headers: dict[str, str],
) -> None:
    make_transaction(session, household, description="Bakery")
    session.commit()
    _warm(client, headers)
    driver = connection.connection.driver_connection
    assert isinstance(driver, psycopg.Connection)
    RecordingCursor.seen.clear()
    driver.cursor_factory = RecordingCursor
    try:
        page = client.get(f"{API}/transactions", headers=headers)
    finally:
        driver.cursor_factory = psycopg.Cursor
    assert [item["description"] for item in page.json()["items"]] == ["Bakery"]
    sent = [s for s in RecordingCursor.seen if "SAVEPOINT" not in s]  # the test's own
    assert len(sent) == 1
    assert sent[0].startswith("SELECT transactions.id")


def test_logout_and_a_password_change_end_a_warm_token(client: TestClient) -> None:
    name = f"c{uuid.uuid4().hex[:10]}"
    client.post(f"{API}/auth/register", json={"username": name, "password": PASSWORD})

    def login() -> dict[str, str]:
        body = client.post(f"{API}/auth/login", json={"username": name, "password": PASSWORD})
        return {"Authorization": f"Bearer {body.json()['access_token']}"}

    first, second = login(), login()
    _warm(client, first)
    _warm(client, second)
    assert client.post(f"{API}/auth/logout", headers=first).status_code == 200
    assert (_list(client, first), _list(client, second)) == (401, 200)
    changed = client.put(
        f"{API}/auth/password",
        headers=second,
        json={"current_password": PASSWORD, "new_password": "another password 2"},
    )
    assert changed.status_code == 200
    assert _list(client, second) == 401


def test_a_removed_member_and_a_two_factor_rule_end_a_warm_scope(
    client: TestClient,
    session: Session,
    settings: Settings,
    household: Household,
    headers: dict[str, str],
) -> None:
    partner = make_user(session, settings)
    session.commit()
    made = client.post(
        f"{API}/households/current/invitations",
        headers=headers,
        json={"username": partner.username, "role": "viewer"},
    ).json()
    theirs = bearer(settings, partner)
    assert client.post(f"{API}/invitations/{made['id']}/accept", headers=theirs).status_code == 200
    shared = {**theirs, "X-Household-Id": str(household.id)}
    _warm(client, shared)
    _warm(client, headers)
    removed = client.delete(f"{API}/households/current/members/{partner.id}", headers=headers)
    assert removed.status_code == 204
    assert (_list(client, shared), _list(client, headers)) == (404, 200)
    ruled = update(Household).where(Household.id == household.id).values(require_two_factor=True)
    session.execute(ruled)  # the owner has no second factor yet
    session.commit()
    assert _list(client, headers) == 403


# Two workers, two processes: a logout through one holds on the other within MAX_LAG.


@pytest.fixture(scope="module")
def two_workers(database_url: str) -> Iterator[str]:
    """`cashflow api --workers 2` against the test database."""
    with api_process(database_url, workers=2) as base:
        time.sleep(1.0)  # let both workers start accepting
        yield base


def test_a_logout_through_one_worker_ends_the_warm_list_on_the_other(
    two_workers: str, engine: Engine
) -> None:
    name = f"w{uuid.uuid4().hex[:8]}"
    fresh = httpx.Limits(max_keepalive_connections=0)  # a new connection each: both workers
    with httpx.Client(base_url=two_workers, limits=fresh) as http:
        http.post(f"{API}/auth/register", json={"username": name, "password": PASSWORD})
        token = http.post(
            f"{API}/auth/login", json={"username": name, "password": PASSWORD}
        ).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        person = http.get(f"{API}/auth/me", headers=headers).json()["id"]
        warm = {http.get(f"{API}/transactions", headers=headers).status_code for _ in range(30)}
        assert http.post(f"{API}/auth/logout", headers=headers).status_code == 200
        logged_out = time.monotonic()
        first = [http.get(f"{API}/transactions", headers=headers).status_code]
        while first[-1] != 401 and time.monotonic() - logged_out < 2 * MAX_LAG:
            first.append(http.get(f"{API}/transactions", headers=headers).status_code)
        refused_after = time.monotonic() - logged_out
        later = {http.get(f"{API}/transactions", headers=headers).status_code for _ in range(20)}
    forget_people(engine, [person])
    assert warm == {200}
    assert refused_after <= MAX_LAG, first
    assert later == {401}


def test_the_engine_replaces_a_pooled_connection_the_server_ended(database_url: str) -> None:
    engine = create_db_engine(database_url)
    try:
        with engine.connect() as conn:
            pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar()
        with psycopg.connect(libpq_url(database_url), autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        time.sleep(0.2)  # the server's last word reaches the pooled connection's socket
        with engine.connect() as conn:  # no error: the dead connection is not handed out
            assert conn.exec_driver_sql("SELECT pg_backend_pid()").scalar() != pid
    finally:
        engine.dispose()
