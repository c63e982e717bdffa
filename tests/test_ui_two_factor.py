"""Two-factor login in the UI, driven with Streamlit's AppTest: the code step and Security."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine
from sqlalchemy.orm import sessionmaker
from streamlit.testing.v1 import AppTest

from domain.config import PROJECT_ROOT, Settings
from domain.db.models import User
from domain.rules.second_factor import time_step, totp_at
from domain.services import second_factor
from tests.conftest import PASSWORD

APP = str(PROJECT_ROOT / "streamlit_app" / "app.py")


def _enrol(engine: Engine, settings: Settings, user: User) -> tuple[str, list[str]]:
    """Turn two-factor login on for a committed user, with the current step's code."""
    with sessionmaker(bind=engine)() as session, session.begin():
        row = session.get(User, user.id)
        assert row is not None
        secret = second_factor.begin_enrolment(session, row).secret
        now = datetime.now(UTC)
        codes = second_factor.confirm_enrolment(
            session, settings, row, totp_at(secret, time_step(now)), now
        )
    return secret, codes


def _password_step(username: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.text_input[0].input(username)
    at.text_input[1].input(PASSWORD)
    at.button[0].click().run()
    assert not at.exception, at.exception
    return at


def _button(at: AppTest, label: str) -> object:
    return next(b for b in at.button if b.label == label)


def test_a_two_factor_login_asks_for_a_code_after_the_password(
    committed_user: User, engine: Engine, settings: Settings
) -> None:
    secret, _codes = _enrol(engine, settings, committed_user)
    at = _password_step(committed_user.username)
    assert [t.label for t in at.text_input] == ["Code"]
    assert not any(title.value.startswith("Welcome") for title in at.title)
    at.text_input[0].input("000000")
    _button(at, "Verify").click().run()  # type: ignore[attr-defined]
    assert at.error[0].value == "incorrect or already used code"
    assert [t.label for t in at.text_input] == ["Code"]  # the challenge still stands
    next_step = time_step(datetime.now(UTC)) + 1  # the enrolment spent the current one
    at.text_input[0].input(totp_at(secret, next_step))
    _button(at, "Verify").click().run()  # type: ignore[attr-defined]
    assert not at.exception, at.exception
    assert at.title[0].value == f"Welcome, {committed_user.display_name}"


def test_a_recovery_code_opens_the_ui_and_back_returns_to_the_password(
    committed_user: User, engine: Engine, settings: Settings
) -> None:
    _secret, codes = _enrol(engine, settings, committed_user)
    at = _password_step(committed_user.username)
    _button(at, "Back").click().run()  # type: ignore[attr-defined]
    assert [t.label for t in at.text_input] == ["Username", "Password"]
    at = _password_step(committed_user.username)
    at.text_input[0].input(codes[0].upper())
    _button(at, "Verify").click().run()  # type: ignore[attr-defined]
    assert at.title[0].value == f"Welcome, {committed_user.display_name}"


def test_security_page_enrols_shows_codes_once_and_turns_off(committed_user: User) -> None:
    at = _password_step(committed_user.username)
    at.switch_page("page_scripts/security.py").run()
    assert at.title[0].value == "Security"
    _button(at, "Set up two-factor login").click().run()  # type: ignore[attr-defined]
    assert not at.exception, at.exception
    assert len(at.image) == 1  # the QR code
    secret = at.code[0].value
    code_input = next(t for t in at.text_input if t.label == "Code from the app")
    code_input.input(totp_at(secret, time_step(datetime.now(UTC))))
    _button(at, "Turn on two-factor login").click().run()  # type: ignore[attr-defined]
    assert not at.exception, at.exception
    codes = at.code[0].value.splitlines()
    assert len(codes) == 10
    _button(at, "I have saved them").click().run()  # type: ignore[attr-defined]
    assert at.success[0].value.startswith("Two-factor login is on since")
    assert all(c.value not in codes for c in at.code)  # shown once
    password = next(t for t in at.text_input if t.label == "Password")
    recovery = next(t for t in at.text_input if t.label == "Code from the app, or a recovery code")
    password.input("not the password")
    recovery.input(codes[0])
    _button(at, "Turn off").click().run()  # type: ignore[attr-defined]
    assert at.error[0].value == "The password is not right."
    next(t for t in at.text_input if t.label == "Password").input(PASSWORD)
    next(t for t in at.text_input if t.label.endswith("recovery code")).input(codes[0])
    _button(at, "Turn off").click().run()  # type: ignore[attr-defined]
    assert not at.exception, at.exception
    assert any(b.label == "Set up two-factor login" for b in at.button)
