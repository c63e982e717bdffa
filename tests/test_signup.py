"""Signing up under each REGISTRATION mode: the API, the UI's sign-up page, the command line."""

from __future__ import annotations

import re
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event, select
from sqlalchemy.orm import Session, sessionmaker
from streamlit.testing.v1 import AppTest

from api.app import create_app
from domain.config import PROJECT_ROOT, Settings, build_settings, get_settings
from domain.db.models import SignupCode, User
from domain.errors import ForbiddenError
from domain.rules.codes import digest_secret
from domain.services import signup
from domain.services.users import find_user_by_username
from tests.conftest import PASSWORD, forget_people

API = "/api/v1"
APP = str(PROJECT_ROOT / "streamlit_app" / "app.py")
Mode = str
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def api(
    settings: Settings, session_factory: sessionmaker[Session]
) -> Iterator[Callable[[Mode], TestClient]]:
    """An API client under a REGISTRATION mode, its units of work in the test's transaction."""
    with ExitStack() as stack:

        def make(mode: Mode) -> TestClient:
            app = create_app(settings.model_copy(update={"registration": mode}))
            app.state.session_factory = app.state.read_session_factory = session_factory
            stack.callback(app.state.engine.dispose)
            return stack.enter_context(TestClient(app))

        yield make


def _register(client: TestClient, **extra: str) -> tuple[int, dict[str, Any]]:
    body = {"username": f"s{uuid.uuid4().hex[:10]}", "password": PASSWORD, **extra}
    response = client.post(f"{API}/auth/register", json=body)
    return response.status_code, response.json()


def _code(session: Session, *, days: int = 7, now: datetime | None = None) -> str:
    return signup.create_signup_code(session, now or datetime.now(UTC), by=None, days=days).code


def test_open_registration_needs_no_code(api: Callable[[Mode], TestClient]) -> None:
    status, body = _register(api("open"))
    assert status == 201, body
    assert body["is_admin"] is False


def test_closed_registration_refuses_everyone(
    api: Callable[[Mode], TestClient], session: Session
) -> None:
    client = api("closed")
    assert _register(client)[0] == 403
    assert _register(client, code=_code(session))[0] == 403  # a code opens nothing


def test_invite_registration_takes_a_code_once(
    api: Callable[[Mode], TestClient], session: Session
) -> None:
    client = api("invite")
    status, body = _register(client)
    assert status == 422
    assert "code" in str(body)
    assert _register(client, code="not-a-real-code")[0] == 403
    code = _code(session)
    status, body = _register(client, code=f" {code} ")
    assert status == 201, body
    used = session.scalars(select(SignupCode).where(SignupCode.used_by_id == body["id"])).one()
    assert used.used_at is not None
    assert used.code_hash != code
    assert _register(client, code=code)[0] == 403  # single use


def test_an_expired_code_is_refused(api: Callable[[Mode], TestClient], session: Session) -> None:
    code = _code(session, days=1, now=datetime.now(UTC) - timedelta(days=2))
    assert _register(api("invite"), code=code)[0] == 403


def test_a_code_is_not_spent_by_a_refused_sign_up(
    api: Callable[[Mode], TestClient], session: Session
) -> None:
    client, code = api("invite"), _code(session)
    assert _register(client, code=code, password="short")[0] == 422
    assert _register(client, code=code)[0] == 201


def test_only_installation_admins_make_codes(session: Session, settings: Settings) -> None:
    person = signup.sign_up(
        session, settings, username=f"s{uuid.uuid4().hex[:8]}", password=PASSWORD, now=NOW
    )
    with pytest.raises(ForbiddenError):
        signup.create_signup_code(session, NOW, by=person)
    person.is_admin = True
    assert signup.create_signup_code(session, NOW, by=person).expires_at == NOW + timedelta(days=7)


def _cli(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cashflow", *argv], capture_output=True, text=True, check=False
    )


def test_cli_invite_prints_a_working_code(database_url: str, engine: Engine) -> None:
    done = _cli("user", "invite", "--days", "2")
    assert done.returncode == 0, done.stderr
    code = done.stdout.strip()
    assert "single-use sign-up code" in done.stderr
    with sessionmaker(bind=engine)() as session:
        row = session.scalars(
            select(SignupCode).where(SignupCode.code_hash == digest_secret(code))
        ).one()
        assert row.created_by_id is None
        assert timedelta(days=2) - (row.expires_at - row.created_at) < timedelta(minutes=1)
    assert _cli("user", "invite", "--days", "0").returncode != 0


def test_cli_reset_password(
    committed_people: Callable[[], User], settings: Settings, engine: Engine
) -> None:
    person = committed_people()
    done = _cli("user", "reset-password", person.username, "--password", "fresh password 9")
    assert done.returncode == 0, done.stderr
    assert "logins (API and UI) have ended" in done.stdout
    with sessionmaker(bind=engine)() as session:
        from domain.services.auth import authenticate

        assert authenticate(session, settings, person.username, "fresh password 9", NOW)
    missing = _cli("user", "reset-password", "no-such-person", "--password", "fresh password 9")
    assert missing.returncode == 1
    assert "user not found" in missing.stderr


# --- the UI -------------------------------------------------------------------------------


@pytest.fixture
def registration(
    monkeypatch: pytest.MonkeyPatch, engine: Engine
) -> Iterator[Callable[[Mode], None]]:
    """Run the UI under a REGISTRATION mode; forget the people it signs up."""

    def use(mode: Mode) -> None:
        monkeypatch.setenv("REGISTRATION", mode)
        get_settings.cache_clear()

    yield use
    get_settings.cache_clear()
    with sessionmaker(bind=engine)() as session:
        made = session.scalars(select(User.id).where(User.username.like("ui_%"))).all()
    forget_people(engine, list(made))


def _buttons(at: AppTest) -> list[str]:
    return [b.label for b in at.button]


def _to_signup(at: AppTest) -> AppTest:
    [button] = [b for b in at.button if b.label == "Create an account"]
    button.click().run()
    assert not at.exception, at.exception
    return at


def _fill(at: AppTest, **values: str) -> AppTest:
    inputs = {t.label: t for t in at.text_input}
    for label, value in values.items():
        inputs[label].input(value)
    [submit] = [b for b in at.button if b.label == "Sign up"]
    submit.click().run()
    assert not at.exception, at.exception
    return at


def _new_person(name: str) -> dict[str, str]:
    return {
        "Username": name,
        "Your name": "New Person",
        "Password": PASSWORD,
        "Repeat the password": PASSWORD,
    }


def _welcomed(at: AppTest) -> bool:
    return any(t.value == "Welcome, New Person" for t in at.title)


def test_open_sign_up_in_the_ui(registration: Callable[[Mode], None], engine: Engine) -> None:
    registration("open")
    at = _to_signup(AppTest.from_file(APP, default_timeout=60).run())
    assert "Sign-up code" not in [t.label for t in at.text_input]
    name = f"ui_{uuid.uuid4().hex[:8]}"
    _fill(at, **{**_new_person(name), "Repeat the password": "something else"})
    assert at.error[0].value == "The two passwords differ."
    _fill(at, **{**_new_person(name), "Password": "short", "Repeat the password": "short"})
    assert at.error[0].value == "The password must be 8 to 72 bytes long."
    _fill(at, **_new_person(name))
    assert _welcomed(at)  # signed up and logged in, on the home page
    with sessionmaker(bind=engine)() as session:
        assert find_user_by_username(session, name) is not None


def test_invite_sign_up_in_the_ui(registration: Callable[[Mode], None], engine: Engine) -> None:
    registration("invite")
    with sessionmaker(bind=engine)() as session, session.begin():
        code = _code(session)
    at = _to_signup(AppTest.from_file(APP, default_timeout=60).run())
    name = f"ui_{uuid.uuid4().hex[:8]}"
    _fill(at, **_new_person(name))
    assert at.error[0].value == "Sign-up code: a sign-up code is required"
    _fill(at, **_new_person(name), **{"Sign-up code": "wrong"})
    assert at.error[0].value == "this sign-up code is unknown, used or expired"
    _fill(at, **_new_person(name), **{"Sign-up code": code})
    assert _welcomed(at)


def test_closed_sign_up_in_the_ui(registration: Callable[[Mode], None]) -> None:
    registration("closed")
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert "Create an account" not in _buttons(at)

    def signup_script() -> None:
        from streamlit_app.welcome import signup_page

        signup_page()

    page = AppTest.from_function(signup_script, default_timeout=60).run()
    assert not page.exception, page.exception
    assert "Sign up" not in _buttons(page)
    assert page.info[0].value == "Sign-up is closed here: ask the administrator for an account."


def _log_in(person: User) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.text_input[0].input(person.username)
    at.text_input[1].input(PASSWORD)
    at.button[0].click().run()
    assert not at.exception, at.exception
    return at


def test_an_admin_makes_a_sign_up_code_on_the_security_page(
    committed_people: Callable[[], User], engine: Engine
) -> None:
    admin, person = committed_people(), committed_people()
    with sessionmaker(bind=engine)() as session, session.begin():
        session.get_one(User, admin.id).is_admin = True
    at = _log_in(person).switch_page("page_scripts/security.py").run()
    assert "Create a sign-up code" not in _buttons(at)  # not an installation admin
    at = _log_in(admin).switch_page("page_scripts/security.py").run()
    [make] = [b for b in at.button if b.label == "Create a sign-up code"]
    make.click().run()
    assert not at.exception, at.exception
    code = at.code[0].value
    with sessionmaker(bind=engine)() as session:
        row = session.scalars(
            select(SignupCode).where(SignupCode.code_hash == digest_secret(code))
        ).one()
        assert row.created_by_id == admin.id
        assert row.used_at is None


def test_a_rerun_reads_no_other_person(committed_people: Callable[[], User]) -> None:
    person, _other = committed_people(), committed_people()
    at = _log_in(person)
    statements: list[tuple[str, Any]] = []

    def record(conn: Any, cursor: Any, statement: str, parameters: Any, *_rest: Any) -> None:
        statements.append((statement, parameters))

    event.listen(Engine, "before_cursor_execute", record)
    try:
        at.run()  # a rerun of the home page, as a click makes
    finally:
        event.remove(Engine, "before_cursor_execute", record)
    assert not at.exception, at.exception
    assert any("ui_sessions.id_hash =" in s for s, _p in statements)  # the one session
    readers = [(s, p) for s, p in statements if re.search(r"\b(FROM|JOIN) users\b", s)]
    assert readers
    for statement, parameters in readers:
        assert _bounded_to(person, statement, parameters), statement


def _bounded_to(person: User, statement: str, parameters: dict[str, Any]) -> bool:
    """Whether a statement reading users reads only this person (or their household's)."""
    if "WHERE ui_sessions.id_hash =" in statement:
        return True
    by_id = re.search(r"WHERE users\.id = %\((\w+)\)s", statement)
    if by_id:
        return bool(parameters[by_id.group(1)] == person.id)
    household = re.search(r"WHERE memberships\.household_id = %\((\w+)\)s", statement)
    if household is None:
        return False
    return bool(parameters[household.group(1)] == person.default_household_id)


@pytest.mark.parametrize(
    ("database_url", "registration", "expected"),
    [
        (None, None, "open"),  # the embedded database: a person's own machine
        ("postgresql+psycopg://db/cashflow", None, "invite"),
        ("postgresql+psycopg://db/cashflow", "open", "open"),
        (None, "closed", "closed"),
    ],
)
def test_registration_default_follows_the_database(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    database_url: str | None,
    registration: str | None,
    expected: str,
) -> None:
    monkeypatch.chdir(tmp_path)  # no .env
    for key, value in (("DATABASE_URL", database_url), ("REGISTRATION", registration)):
        if value is None:
            monkeypatch.delenv(key, raising=False)
        else:
            monkeypatch.setenv(key, value)
    built = build_settings()
    built.database_url = "postgresql+psycopg://embedded/cashflow"  # as the embedded server does
    assert built.registration_mode() == expected
