"""A delete button that asks first, and a note that survives the rerun its callback causes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from domain.errors import DomainError
from streamlit_app.i18n import _
from streamlit_app.views.forms import describe

NOTES = "page_notes"


def note(key: str, kind: str, text: str) -> None:
    """Keep a message for the next render of `key`'s part of the page."""
    st.session_state.setdefault(NOTES, {})[key] = (kind, text)


def show_note(key: str) -> None:
    """Show (once) the message kept for `key`, if any."""
    found = st.session_state.get(NOTES, {}).pop(key, None)
    if found is not None:
        (st.error if found[0] == "error" else st.success)(found[1])


def acting(key: str, action: Callable[[], Any], success: str) -> Callable[[], None]:
    """A callback running `action` before the page renders; its outcome kept as a note."""

    def callback() -> None:
        try:
            action()
        except DomainError as exc:
            note(key, "error", describe(exc))
        else:
            note(key, "success", success)

    return callback


def _set(key: str, value: bool) -> Callable[[], None]:
    def callback() -> None:
        st.session_state[key] = value

    return callback


def delete_with_confirmation(
    container: Any,
    *,
    key: str,
    note_key: str,
    label: str,
    question: str,
    action: Callable[[], None],
) -> None:
    """A delete button; pressing it asks `question` with Delete and Cancel before acting.

    `action` runs (in a callback) only after Delete; its outcome is a note under `note_key`.
    """
    asking = f"{key}_asking"
    if not st.session_state.get(asking):
        container.button(label, key=key, on_click=_set(asking, True))
        return
    with container.container(border=True):
        st.warning(question)
        cols = st.columns(2)

        def confirmed() -> None:
            st.session_state[asking] = False
            acting(note_key, action, _("Deleted."))()

        cols[0].button(_("Delete"), key=f"{key}_yes", type="primary", on_click=confirmed)
        cols[1].button(_("Cancel"), key=f"{key}_no", on_click=_set(asking, False))
