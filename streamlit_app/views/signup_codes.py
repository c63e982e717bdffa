"""An installation admin's sign-up codes (REGISTRATION=invite): make one, see it once."""

from __future__ import annotations

from datetime import UTC, datetime

import streamlit as st

from domain.errors import DomainError
from domain.services import signup
from streamlit_app.db import settings, transaction
from streamlit_app.i18n import _, show_date
from streamlit_app.session import load_user, require_user_id

NEW_CODE = "signup_new_code"  # the code just made, shown until the next one
REFUSED = "signup_code_refused"


def _make_code(user_id: int) -> None:
    st.session_state.pop(NEW_CODE, None)
    try:
        with transaction() as session:
            issued = signup.create_signup_code(
                session, datetime.now(UTC), by=load_user(session, user_id)
            )
    except DomainError as exc:
        st.session_state[REFUSED] = _(exc.message)
        return
    st.session_state[NEW_CODE] = (issued.code, issued.expires_at)


def signup_codes_section() -> None:
    """For installation admins only: single-use codes that let one person each sign up."""
    user_id = require_user_id()
    with transaction() as session:
        if not load_user(session, user_id).is_admin:
            return
        waiting = signup.open_code_count(session, datetime.now(UTC))
    st.subheader(_("Sign-up codes"))
    mode = settings().registration_mode()
    st.caption(
        {
            "open": _("Sign-up is open: anyone who reaches Cashflow may create an account."),
            "invite": _("Sign-up takes a code: give each new person one code, used once."),
            "closed": _("Sign-up is closed: new accounts come from the command line."),
        }[mode]
    )
    st.write(_("Unused codes: {count}").format(count=waiting))
    st.button(
        _("Create a sign-up code"), key="signup_code_create", on_click=_make_code, args=(user_id,)
    )
    if error := st.session_state.pop(REFUSED, None):
        st.error(error)
    if shown := st.session_state.get(NEW_CODE):
        code, expires_at = shown
        st.code(code, language=None)
        st.caption(
            _("Shown only now. It works once, until {date}.").format(
                date=show_date(expires_at.date())
            )
        )
