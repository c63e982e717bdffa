"""An editable grid whose changes become service calls, then reload from the database."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

import pandas as pd
import streamlit as st

from streamlit_app.i18n import _, columns_in_reading_order, n_
from streamlit_app.session import may_write

PARTS = ("edited_rows", "added_rows", "deleted_rows")
Changes = dict[str, Any]


def messages(name: str) -> list[str]:
    """What the last save of the grid reported (refusals, hints)."""
    found: list[str] = st.session_state.get(f"{name}_messages", [])
    return found


def _answer(name: str, key: str, reply: str) -> Callable[[], None]:
    def callback() -> None:
        st.session_state[f"{name}_answer"] = (key, reply)

    return callback


def _asked_to_delete(name: str, key: str, changes: Changes) -> Changes | None:
    """The changes to save once the deletion is answered; None while the question stands."""
    answer = st.session_state.pop(f"{name}_answer", None)
    if answer == (key, "delete"):
        return changes
    if answer == (key, "keep"):
        return {**changes, "deleted_rows": []}
    count = len(changes["deleted_rows"])
    with st.container(border=True):
        st.warning(
            n_(
                "Delete {count} row? Other changes wait until you answer.",
                "Delete {count} rows? Other changes wait until you answer.",
                count,
            ).format(count=count)
        )
        cols = st.columns(2)
        cols[0].button(
            n_("Delete {count} row", "Delete {count} rows", count).format(count=count),
            key=f"{name}_delete_yes",
            type="primary",
            on_click=_answer(name, key, "delete"),
        )
        cols[1].button(_("Keep them"), key=f"{name}_delete_no", on_click=_answer(name, key, "keep"))
    return None


def _commit(name: str, save: Callable[[Changes], list[str]], changes: Changes) -> None:
    """Save, keep the messages, and start a fresh editor over what the database holds."""
    pending = any(changes.get(part) for part in PARTS)
    st.session_state[f"{name}_messages"] = save(changes) if pending else []
    version = f"{name}_version"
    st.session_state[version] = st.session_state.get(version, 0) + 1
    st.rerun()


def editable_grid(
    frame: pd.DataFrame,
    *,
    name: str,
    column_config: dict[str, Any],
    num_rows: Literal["fixed", "dynamic", "add", "delete"],
    save: Callable[[Changes], list[str]],
    waiting: Callable[[Changes], str | None] | None = None,
    confirm_deletes: bool = False,
) -> None:
    """Show `frame` in a data editor; pass its changes to `save`, keep its messages, reload.

    The editor's key carries a version that each save bumps, so the grid always shows
    what the database holds; `<name>_editor_key` names the live key (AppTest edits it).
    While `waiting` names a reason (a new row not yet complete), the changes stay in the
    editor unsaved under that note. With `confirm_deletes`, deleting rows asks first.
    In Hebrew the columns run right to left (the canvas grid ignores CSS direction). A
    viewer's grid is read-only: no cell can be edited, no row added or deleted.
    """
    version = f"{name}_version"
    key = f"{name}_editor_{st.session_state.get(version, 0)}"
    st.session_state[f"{name}_editor_key"] = key
    writable = may_write()
    st.data_editor(
        frame,
        key=key,
        column_config=column_config,
        column_order=columns_in_reading_order(list(frame.columns)),
        num_rows=num_rows if writable else "fixed",
        disabled=not writable,
        width="stretch",
        hide_index=True,
    )
    changes: Changes = (st.session_state.get(key) or {}) if writable else {}
    if not any(changes.get(part) for part in PARTS):
        return
    note = waiting(changes) if waiting else None
    if note:
        st.info(note)
        return
    if confirm_deletes and changes.get("deleted_rows"):
        answered = _asked_to_delete(name, key, changes)
        if answered is None:
            return
        changes = answered
    _commit(name, save, changes)
