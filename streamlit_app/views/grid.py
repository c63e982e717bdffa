"""An editable grid whose changes become service calls, then reload from the database."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
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


def _pending(changes: Changes) -> bool:
    return any(changes.get(part) for part in PARTS)


def _save(name: str, save: Callable[[Changes], list[str]], changes: Changes) -> None:
    """Save, keep the messages, and start a fresh editor over what the database holds."""
    st.session_state[f"{name}_messages"] = save(changes) if _pending(changes) else []
    version = f"{name}_version"
    st.session_state[version] = st.session_state.get(version, 0) + 1


def _answer(
    name: str, key: str, save: Callable[[Changes], list[str]], *, delete: bool
) -> Callable[[], None]:
    """The deletion question's button: save the changes with or without the deletions."""

    def callback() -> None:
        changes: Changes = st.session_state.get(key) or {}
        _save(name, save, changes if delete else {**changes, "deleted_rows": []})

    return callback


def _ask_to_delete(
    name: str, key: str, save: Callable[[Changes], list[str]], changes: Changes
) -> None:
    """Ask before deleting; other changes wait for the answer, which saves (in a callback)."""
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
            on_click=_answer(name, key, save, delete=True),
        )
        cols[1].button(
            _("Keep them"), key=f"{name}_delete_no", on_click=_answer(name, key, save, delete=False)
        )


@dataclass(frozen=True)
class _Rules:
    """When the grid's changes may be saved at once."""

    save: Callable[[Changes], list[str]]
    waiting: Callable[[Changes], str | None] | None
    confirm_deletes: bool

    def hold(self, changes: Changes) -> str | None:
        """Why the changes wait (a note), "ask" for a deletion to confirm, or None to save."""
        note = self.waiting(changes) if self.waiting else None
        if note:
            return note
        return "ask" if self.confirm_deletes and changes.get("deleted_rows") else None


def _on_edit(name: str, key: str, rules: _Rules) -> Callable[[], None]:
    """The editor's on_change: save complete changes before the rerun renders the page."""

    def callback() -> None:
        changes: Changes = st.session_state.get(key) or {}
        if may_write() and _pending(changes) and rules.hold(changes) is None:
            _save(name, rules.save, changes)

    return callback


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
    rules = _Rules(save, waiting, confirm_deletes)
    st.data_editor(
        frame,
        key=key,
        column_config=column_config,
        column_order=columns_in_reading_order(list(frame.columns)),
        num_rows=num_rows if writable else "fixed",
        disabled=not writable,
        width="stretch",
        hide_index=True,
        on_change=_on_edit(name, key, rules) if writable else None,
    )
    changes: Changes = (st.session_state.get(key) or {}) if writable else {}
    if not _pending(changes):
        return
    # Changes the callback did not save: held ones, or ones set without a browser edit
    # (AppTest assigns the editor's state); the latter are saved now, then the page reruns.
    hold = rules.hold(changes)
    if hold == "ask":
        _ask_to_delete(name, key, save, changes)
    elif hold:
        st.info(hold)
    else:
        _save(name, save, changes)
        st.rerun()
