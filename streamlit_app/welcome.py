"""The pages people see before logging in: log in, and sign up as REGISTRATION allows."""

from __future__ import annotations

from datetime import UTC, datetime

import streamlit as st

from domain.errors import DomainError, InvalidInputError
from domain.i18n import N_
from domain.services import signup
from streamlit_app.auth import login_form, start_session
from streamlit_app.db import settings, transaction
from streamlit_app.i18n import _

SIGNUP_ERROR = "signup_error"
# A refused field, as the form calls it; the password's rule as a sentence.
FIELDS = {
    "username": N_("Username"),
    "code": N_("Sign-up code"),
    "display_name": N_("Your name"),
}
PASSWORD_RULE = N_("The password must be 8 to 72 bytes long.")


def _header() -> None:
    st.title(_("Cashflow"))
    st.caption(_("Your balance, day by day: what it will be, why, and what is safe to spend."))


def login_page() -> None:
    """The login form, and the way to sign up unless sign-up is closed."""
    _header()
    login_form()
    if settings().registration_mode() != "closed":
        st.caption(_("No account yet?"))
        if st.button(_("Create an account"), key="to_signup"):
            st.switch_page(_signup())


def _refusal(exc: DomainError) -> str:
    if isinstance(exc, InvalidInputError):
        if exc.field == "password":
            return _(PASSWORD_RULE)
        if exc.field in FIELDS:
            return f"{_(FIELDS[exc.field])}: {_(exc.message)}"
    return _(exc.message)


def _on_signup() -> None:
    state = st.session_state
    state.pop(SIGNUP_ERROR, None)
    if state.get("signup_password") != state.get("signup_repeat"):
        state[SIGNUP_ERROR] = _("The two passwords differ.")
        return
    try:
        with transaction() as session:
            user = signup.sign_up(
                session,
                settings(),
                username=str(state.get("signup_username", "")),
                password=str(state.get("signup_password", "")),
                now=datetime.now(UTC),
                code=state.get("signup_code"),
                display_name=str(state.get("signup_name", "")).strip(),
            )
            start_session(session, user)
    except DomainError as exc:
        state[SIGNUP_ERROR] = _refusal(exc)
        return
    for key in ("signup_password", "signup_repeat", "signup_code"):
        state[key] = ""


def signup_page() -> None:
    """A new account, opened at once (the first household comes with it)."""
    _header()
    mode = settings().registration_mode()
    if mode == "closed":
        st.info(_("Sign-up is closed here: ask the administrator for an account."))
    else:
        with st.form("signup"):
            st.subheader(_("Create an account"))
            st.text_input(_("Username"), key="signup_username", autocomplete="username")
            st.text_input(_("Your name"), key="signup_name", autocomplete="name", max_chars=120)
            st.text_input(
                _("Password"), type="password", key="signup_password", autocomplete="new-password"
            )
            st.text_input(
                _("Repeat the password"),
                type="password",
                key="signup_repeat",
                autocomplete="new-password",
            )
            if mode == "invite":
                st.text_input(_("Sign-up code"), key="signup_code", max_chars=64)
                st.caption(_("Sign-up here takes a code from the administrator."))
            st.form_submit_button(_("Sign up"), on_click=_on_signup, type="primary")
        if error := st.session_state.get(SIGNUP_ERROR):
            st.error(error)
    if st.button(_("I have an account: log in"), key="to_login"):
        st.switch_page(_login())


def _login() -> st.Page:
    return st.Page(login_page, title=_("Log in"), url_path="login", default=True)


def _signup() -> st.Page:
    return st.Page(signup_page, title=_("Sign up"), url_path="signup")


def public_pages() -> list[st.Page]:
    """The pages of a browser that is not logged in."""
    return [_login(), _signup()]
