"""Login, logout and the browser's session, kept in the database (domain.services.ui_sessions).

The cookie carries only a signed random id. Every run looks up that one session (and its
person), so a logout, a password change or a reused refresh token ends the login on the
next click, and a reload after logout shows the login page whatever the browser kept.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import streamlit as st
from sqlalchemy.orm import Session

from domain.db.models import User
from domain.errors import AuthenticationError, InvalidInputError, ThrottledError
from domain.rules.throttling import client_address
from domain.services import auth, ui_sessions
from streamlit_app.db import USER_ID, settings, transaction
from streamlit_app.i18n import _

COOKIE_NAME = "cashflow_session"
COOKIE = "ui_session_cookie"  # the signed session id this browser session runs on
COOKIE_EXPIRES = "ui_session_expires"  # set when this run must (re)write the browser's cookie
DEAD_COOKIE = "ui_dead_cookie"  # a browser cookie found ended: not looked up again
CHALLENGE = "login_challenge"  # a right password's challenge token, awaiting the code
# Hides the zero-size element that carries the cookie script.
_HIDE = (
    "<style>.stElementContainer:has(.cashflow-cookie),"
    "[data-testid='stElementContainer']:has(.cashflow-cookie){display:none}</style>"
    "<span class='cashflow-cookie'></span>"
)


def _cookie_script(assignment: str) -> None:
    """Run `document.cookie = assignment` in the page (HTTPS adds Secure)."""
    st.html(
        f"{_HIDE}<script>document.cookie = {json.dumps(assignment)} + "
        "(location.protocol === 'https:' ? '; Secure' : '');</script>",
        unsafe_allow_javascript=True,
    )


def _write_cookie(value: str, expires: datetime) -> None:
    stamp = expires.astimezone(UTC).strftime("%a, %d %b %Y %H:%M:%S GMT")
    _cookie_script(f"{COOKIE_NAME}={value}; Path=/; Expires={stamp}; SameSite=Strict")


def _delete_cookie() -> None:
    _cookie_script(f"{COOKIE_NAME}=; Path=/; Max-Age=0; SameSite=Strict")


def _sign_in(user: User, started: ui_sessions.StartedSession | None, cookie: str) -> None:
    st.session_state.update(
        username=user.username.lower(), name=user.display_name, **{USER_ID: user.id, COOKIE: cookie}
    )
    if started is not None:
        st.session_state[COOKIE_EXPIRES] = started.expires_at


def _sign_out(dead_cookie: str | None) -> None:
    for key in (COOKIE, COOKIE_EXPIRES, "username", "name"):
        st.session_state.pop(key, None)
    st.session_state[USER_ID] = None
    if dead_cookie:
        st.session_state[DEAD_COOKIE] = dead_cookie


def _browser_cookie() -> str | None:
    """The cookie the browser sent when this session connected, unless it is known dead."""
    value = st.context.cookies.get(COOKIE_NAME)
    if not isinstance(value, str) or not value or value == st.session_state.get(DEAD_COOKIE):
        return None
    return value


def restore_session() -> None:
    """Check this run's login against its session row; keep the browser's cookie in step."""
    cookie: str | None = st.session_state.get(COOKIE) or _browser_cookie()
    user = None
    if cookie:
        with transaction() as session:
            user = ui_sessions.resume_ui_session(session, settings(), cookie, datetime.now(UTC))
            if user is not None:
                _sign_in(user, None, cookie)
    if user is None or cookie is None:
        _sign_out(cookie)
        _delete_cookie()
    elif expires := st.session_state.get(COOKIE_EXPIRES):
        _write_cookie(cookie, expires)


def current_user_id() -> int | None:
    """The logged-in user's id, or None."""
    value = st.session_state.get(USER_ID)
    return int(value) if value else None


def client() -> str:
    """The browser's address as Streamlit sees it (or a trusted proxy's X-Forwarded-For)."""
    forwarded, address = st.context.headers.get("X-Forwarded-For"), st.context.ip_address
    return client_address(
        address if isinstance(address, str) and address else "local",
        forwarded if isinstance(forwarded, str) else None,
        settings().trusted_proxies,
    )


def start_session(session: Session, user: User) -> None:
    """Open the database session of a completed login and sign this browser in."""
    started = ui_sessions.start_ui_session(
        session, settings(), user, datetime.now(UTC), client=client()
    )
    _sign_in(user, started, started.cookie)
    st.session_state.pop(DEAD_COOKIE, None)


def _on_login() -> None:
    """The password step: signed in, or (with two-factor login) on to the code step."""
    username = str(st.session_state.get("login_username", ""))
    password = str(st.session_state.get("login_password", ""))
    st.session_state.pop("login_error", None)
    try:
        with transaction() as session:
            step = auth.log_in(
                session, settings(), username, password, datetime.now(UTC), client=client()
            )
            if isinstance(step, auth.LoggedIn):
                start_session(session, step.user)
    except (AuthenticationError, ThrottledError, InvalidInputError) as exc:
        st.session_state["login_error"] = _(exc.message)
        return
    st.session_state["login_password"] = ""
    if isinstance(step, auth.SecondFactorDue):
        st.session_state[CHALLENGE] = step.challenge.token


def _on_code() -> None:
    """The code step: a TOTP or recovery code completes the login the password began."""
    code = str(st.session_state.get("login_code", ""))
    st.session_state["login_code"] = ""
    st.session_state.pop("login_error", None)
    try:
        with transaction() as session:
            done = auth.complete_login(
                session, settings(), str(st.session_state.get(CHALLENGE)), code, datetime.now(UTC)
            )
            start_session(session, done.user)
    except ThrottledError as exc:
        st.session_state["login_error"] = _(exc.message)
        return
    except AuthenticationError as exc:
        if exc.message != auth.BAD_CODE:  # the challenge expired or was spent: start again
            st.session_state.pop(CHALLENGE, None)
            st.session_state["login_error"] = _("The login took too long; please log in again.")
            return
        st.session_state["login_error"] = _(exc.message)
        return
    st.session_state.pop(CHALLENGE, None)


def _on_cancel_code() -> None:
    st.session_state.pop(CHALLENGE, None)
    st.session_state.pop("login_error", None)


def _code_form() -> None:
    """The second step of a two-factor login."""
    with st.form("login_code_form"):
        st.subheader(_("Two-factor login"))
        st.caption(_("Enter the 6-digit code from your authenticator app, or a recovery code."))
        st.text_input(_("Code"), key="login_code", autocomplete="one-time-code", max_chars=64)
        st.form_submit_button(_("Verify"), on_click=_on_code, type="primary")
    st.button(_("Back"), on_click=_on_cancel_code, key="login_code_back")


def login_form() -> None:
    """The login form, then the code form when the account has two-factor login."""
    if st.session_state.get(CHALLENGE):
        _code_form()
    else:
        with st.form("login"):
            st.subheader(_("Log in"))
            st.text_input(_("Username"), key="login_username", autocomplete="username")
            st.text_input(
                _("Password"),
                type="password",
                key="login_password",
                autocomplete="current-password",
            )
            st.form_submit_button(_("Log in"), on_click=_on_login, type="primary")
    if error := st.session_state.get("login_error"):
        st.error(error)


def _on_logout() -> None:
    cookie = st.session_state.get(COOKIE)
    if cookie:
        with transaction() as session:
            ui_sessions.end_ui_session(session, settings(), cookie, datetime.now(UTC))
    _sign_out(cookie)


def logout_button() -> None:
    """A logout button in the sidebar: the session ends on the server, the cookie is deleted."""
    st.sidebar.button(_("Log out"), on_click=_on_logout, key="logout_button")
