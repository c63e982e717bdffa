"""The UI's login, driven with Streamlit's AppTest."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from domain.config import PROJECT_ROOT
from domain.db.models import User
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
