"""Login, logout and cookie re-authentication, backed by the users table."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime
from typing import Any

import streamlit as st
import streamlit_authenticator as stauth
from streamlit_authenticator.utilities.exceptions import LoginError

from domain.errors import AuthenticationError, InvalidInputError, ThrottledError
from domain.rules.throttling import client_address
from domain.services import auth, users
from streamlit_app.db import settings, transaction
from streamlit_app.i18n import _

COOKIE_NAME = "cashflow_session"
COOKIE_DAYS = 7.0
USER_ID = "user_id"
COOKIE_EXPIRES = "cookie_expires"  # identifies this login's cookie, to end it at logout
CHALLENGE = "login_challenge"  # a right password's challenge token, awaiting the code


def cookie_key() -> str:
    """The cookie signing key, derived from SECRET_KEY (64 hex characters)."""
    secret = settings().secret().encode()
    return hmac.new(secret, b"cashflow-streamlit-cookie", hashlib.sha256).hexdigest()


def _credentials() -> dict[str, Any]:
    """streamlit-authenticator's credentials, read from the users table."""
    with transaction() as session:
        active = users.list_active_users(session)
        return {
            "usernames": {
                user.username.lower(): {
                    "name": user.display_name,
                    "email": user.email or "",
                    "password": user.password_hash,
                    "user_id": user.id,
                }
                for user in active
            }
        }


def build_authenticator() -> stauth.Authenticate:
    """Build the authenticator once per run (it renders the cookie component)."""
    return stauth.Authenticate(
        _credentials(),
        cookie_name=COOKIE_NAME,
        cookie_key=cookie_key(),
        cookie_expiry_days=COOKIE_DAYS,
        auto_hash=False,
    )


def _sign_in(user_id: int, username: str, name: str) -> None:
    st.session_state.update(
        authentication_status=True,
        username=username.lower(),
        name=name,
        logout=None,
        **{USER_ID: user_id},
    )


def restore_session(authenticator: stauth.Authenticate) -> None:
    """Apply pending cookie work, then log in from a valid cookie when not logged in."""
    if st.session_state.pop("cookie_pending", False):
        authenticator.cookie_controller.set_cookie()
        st.session_state[COOKIE_EXPIRES] = authenticator.cookie_controller.cookie_model.exp_date
    if st.session_state.pop("logout_pending", False):
        authenticator.cookie_controller.delete_cookie()
    if st.session_state.get(USER_ID):
        return
    token = authenticator.cookie_controller.get_cookie()
    if not token:
        return
    with transaction() as session:
        ended = auth.ui_cookie_revoked(session, token["username"], token["exp_date"])
    if ended:  # logged out, though the browser kept the cookie
        authenticator.cookie_controller.delete_cookie()
        return
    try:
        authenticator.authentication_controller.login(token=token)
    except LoginError:
        authenticator.cookie_controller.delete_cookie()
        return
    record = authenticator.authentication_controller.authentication_model.credentials["usernames"][
        token["username"]
    ]
    _sign_in(record["user_id"], token["username"], record["name"])
    st.session_state[COOKIE_EXPIRES] = token["exp_date"]


def current_user_id() -> int | None:
    """The logged-in user's id, or None."""
    value = st.session_state.get(USER_ID)
    return int(value) if value else None


def _client() -> str:
    """The browser's address as Streamlit sees it (or a trusted proxy's X-Forwarded-For)."""
    forwarded = st.context.headers.get("X-Forwarded-For")
    return client_address(st.context.ip_address or "local", forwarded, settings().trusted_proxies)


def _on_login() -> None:
    """The password step: signed in, or (with two-factor login) on to the code step."""
    username = str(st.session_state.get("login_username", ""))
    password = str(st.session_state.get("login_password", ""))
    st.session_state.pop("login_error", None)
    try:
        with transaction() as session:
            step = auth.log_in(
                session, settings(), username, password, datetime.now(UTC), client=_client()
            )
            if isinstance(step, auth.LoggedIn):
                _sign_in(step.user.id, step.user.username, step.user.display_name)
    except (AuthenticationError, ThrottledError, InvalidInputError) as exc:
        st.session_state["login_error"] = _(exc.message)
        return
    st.session_state["login_password"] = ""
    if isinstance(step, auth.SecondFactorDue):
        st.session_state[CHALLENGE] = step.challenge.token
        return
    st.session_state["cookie_pending"] = True


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
            _sign_in(done.user.id, done.user.username, done.user.display_name)
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
    st.session_state["cookie_pending"] = True


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


def login_page() -> None:
    """The login form, then the code form when the account has two-factor login."""
    st.title(_("Cashflow"))
    st.caption(_("Your balance, day by day: what it will be, why, and what is safe to spend."))
    if st.session_state.get(CHALLENGE):
        _code_form()
    else:
        with st.form("login"):
            st.subheader(_("Log in"))
            st.text_input(_("Username"), key="login_username", autocomplete="username")
            st.text_input(_("Password"), type="password", key="login_password")
            st.form_submit_button(_("Log in"), on_click=_on_login, type="primary")
    if error := st.session_state.get("login_error"):
        st.error(error)


def _on_logout() -> None:
    user_id, expires = st.session_state.get(USER_ID), st.session_state.pop(COOKIE_EXPIRES, None)
    if user_id and expires is not None:
        with transaction() as session:
            auth.revoke_ui_cookie(
                session, int(user_id), str(st.session_state.get("username")), float(expires)
            )
    st.session_state.update(
        authentication_status=None, username=None, name=None, logout=True, logout_pending=True
    )
    st.session_state[USER_ID] = None


def logout_button() -> None:
    """A logout button in the sidebar; the session ends and the cookie is deleted."""
    st.sidebar.button(_("Log out"), on_click=_on_logout, key="logout_button")
