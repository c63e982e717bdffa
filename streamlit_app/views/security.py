"""The security page: turn two-factor login on with a QR code, keep recovery codes, turn it off."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TypeVar

import qrcode
import streamlit as st

from domain.errors import DomainError, InvalidInputError
from domain.i18n import N_
from domain.services import second_factor
from streamlit_app.db import settings, transaction
from streamlit_app.i18n import _, show_date
from streamlit_app.session import load_user, require_user_id

SHOWN_CODES = "security_recovery_codes"  # shown once, until the reader says they are saved
# A refused field, as a sentence (the service names the field; people read what to do).
REFUSED = {
    "code": N_("The code is wrong, expired or already used: wait for the next one."),
    "password": N_("The password is not right."),
}
T = TypeVar("T")


def qr_png(text: str) -> bytes:
    """A QR code of the text, as PNG bytes."""
    image = qrcode.make(text, box_size=6, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue()


def _attempt(action: Callable[[], T]) -> T | None:
    """Run a service call in the page's unit of work; show its refusal and return None."""
    try:
        return action()
    except InvalidInputError as exc:
        st.error(_(REFUSED.get(exc.field, exc.message)))
    except DomainError as exc:
        st.error(_(exc.message))
    return None


def _begin(user_id: int) -> None:
    def begin() -> None:
        with transaction() as session:
            second_factor.begin_enrolment(session, load_user(session, user_id))

    _attempt(begin)


def _with_code(user_id: int, code: str, use: Callable[..., list[str]]) -> None:
    """Run a call that takes a code and returns new recovery codes; keep them to show once."""

    def call() -> list[str]:
        with transaction() as session:
            return use(session, settings(), load_user(session, user_id), code, datetime.now(UTC))

    codes = _attempt(call)
    if codes is not None:
        st.session_state[SHOWN_CODES] = codes
        st.rerun()


def _show_recovery_codes(codes: list[str]) -> None:
    st.warning(
        _(
            "Save these recovery codes now, somewhere safe: each opens your account once "
            "without the app, and they are not shown again."
        )
    )
    st.code("\n".join(codes), language=None)
    st.download_button(
        _("Download the codes"),
        "\n".join(codes) + "\n",
        file_name="cashflow-recovery-codes.txt",
        mime="text/plain",
    )
    if st.button(_("I have saved them"), type="primary"):
        st.session_state.pop(SHOWN_CODES, None)
        st.rerun()


def _enrolment(user_id: int, enrolment: second_factor.Enrolment) -> None:
    st.write(_("Scan this code with an authenticator app, then type the code it shows."))
    st.image(qr_png(enrolment.provisioning_uri), width=220)
    st.caption(_("Or type this key into the app:"))
    st.code(enrolment.secret, language=None)
    with st.form("security_confirm", clear_on_submit=True):
        code = st.text_input(_("Code from the app"), max_chars=64, autocomplete="one-time-code")
        if st.form_submit_button(_("Turn on two-factor login"), type="primary"):
            _with_code(user_id, code, second_factor.confirm_enrolment)
    if st.button(_("Start over with a new key")):
        _begin(user_id)
        st.rerun()


def _enabled(user_id: int, status: second_factor.TwoFactorStatus) -> None:
    if status.enabled_at is not None:
        st.success(
            _("Two-factor login is on since {date}.").format(
                date=show_date(status.enabled_at.date())
            )
        )
    st.caption(_("{count} of 10 recovery codes left.").format(count=status.recovery_codes_left))
    with st.form("security_regenerate", clear_on_submit=True):
        st.write(_("New recovery codes (the old ones stop working)"))
        code = st.text_input(_("Code from the app"), max_chars=64, key="regenerate_code")
        if st.form_submit_button(_("Make new recovery codes")):
            _with_code(user_id, code, second_factor.regenerate_recovery_codes)
    with st.form("security_disable", clear_on_submit=True):
        st.write(_("Turn two-factor login off"))
        password = st.text_input(_("Password"), type="password", key="disable_password")
        code = st.text_input(_("Code from the app, or a recovery code"), key="disable_code")
        if st.form_submit_button(_("Turn off")):
            _disable(user_id, password, code)


def _disable(user_id: int, password: str, code: str) -> None:
    def disable() -> bool:
        with transaction() as session:
            second_factor.disable_two_factor(
                session,
                settings(),
                load_user(session, user_id),
                password=password,
                code=code,
                now=datetime.now(UTC),
            )
        return True

    if _attempt(disable):
        st.rerun()


def security_page() -> None:
    """Two-factor login: its state, enrolment, recovery codes and turning it off."""
    user_id = require_user_id()
    st.title(_("Security"))
    st.subheader(_("Two-factor login"))
    if codes := st.session_state.get(SHOWN_CODES):
        _show_recovery_codes(codes)
        return
    with transaction() as session:
        user = load_user(session, user_id)
        status = second_factor.two_factor_status(session, user)
        enrolment = second_factor.pending_enrolment(user)
    if status.enabled:
        _enabled(user_id, status)
    elif enrolment is not None:
        _enrolment(user_id, enrolment)
    else:
        st.write(
            _(
                "Two-factor login is off. With it on, a login asks for a code from an "
                "authenticator app on your phone as well as your password."
            )
        )
        if st.button(_("Set up two-factor login"), type="primary"):
            _begin(user_id)
            st.rerun()
