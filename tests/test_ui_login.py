"""The UI's login, driven with Streamlit's AppTest."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from streamlit.testing.v1 import AppTest

from domain.config import PROJECT_ROOT, Settings, get_settings
from domain.db.models import User
from domain.services import auth, ui_sessions
from streamlit_app.auth import COOKIE
from tests.conftest import PASSWORD

APP = str(PROJECT_ROOT / "streamlit_app" / "app.py")


def _login(username: str, password: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert not at.exception
    at.text_input[0].input(username)
    at.text_input[1].input(password)
    at.button[0].click().run()
    return at


def test_login_with_right_password_then_logout(committed_user: User) -> None:
    at = _login(committed_user.username.upper(), PASSWORD)
    assert not at.exception
    assert at.title[0].value == f"Welcome, {committed_user.display_name}"
    at.sidebar.button[0].click().run()
    assert not at.exception
    assert [t.label for t in at.text_input] == ["Username", "Password"]
    assert not any(title.value.startswith("Welcome") for title in at.title)


def test_login_with_wrong_password_fails(committed_user: User) -> None:
    at = _login(committed_user.username, "not the password")
    assert at.error[0].value == "incorrect username or password"
    assert [t.label for t in at.text_input] == ["Username", "Password"]


def test_overlong_password_is_refused_with_a_message(committed_user: User) -> None:
    at = _login(committed_user.username, "p" * 80)
    assert not at.exception
    assert "72 bytes" in at.error[0].value


def _db(engine: Engine) -> Session:
    return sessionmaker(bind=engine, expire_on_commit=False)()


def test_the_login_form_asks_browsers_for_the_right_fields() -> None:
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert [t.proto.autocomplete for t in at.text_input] == ["username", "current-password"]


def test_logout_ends_the_session_row(committed_user: User, engine: Engine) -> None:
    at = _login(committed_user.username, PASSWORD)
    cookie = at.session_state[COOKIE]
    with _db(engine) as db:
        assert ui_sessions.resume_ui_session(db, get_settings(), cookie, datetime.now(UTC))
    at.sidebar.button[0].click().run()
    with _db(engine) as db:
        assert ui_sessions.resume_ui_session(db, get_settings(), cookie, datetime.now(UTC)) is None


def test_a_password_change_logs_the_browser_out(
    committed_user: User, engine: Engine, settings: Settings
) -> None:
    at = _login(committed_user.username, PASSWORD)
    assert at.title[0].value.startswith("Welcome")
    with _db(engine) as db, db.begin():
        auth.change_password(
            db,
            settings,
            db.get_one(User, committed_user.id),
            current=PASSWORD,
            new="another password",
            now=datetime.now(UTC),
        )
    at.run()  # the next click
    assert not at.exception
    assert [t.label for t in at.text_input] == ["Username", "Password"]
    assert not any(title.value.startswith("Welcome") for title in at.title)
