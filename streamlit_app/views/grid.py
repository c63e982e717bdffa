"""An editable grid whose changes become service calls, then reload from the database."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

import pandas as pd
import streamlit as st

from streamlit_app.i18n import columns_in_reading_order
from streamlit_app.session import may_write

PARTS = ("edited_rows", "added_rows", "deleted_rows")


def messages(name: str) -> list[str]:
    """What the last save of the grid reported (refusals, hints)."""
    found: list[str] = st.session_state.get(f"{name}_messages", [])
    return found


def editable_grid(
    frame: pd.DataFrame,
    *,
    name: str,
    column_config: dict[str, Any],
    num_rows: Literal["fixed", "dynamic", "add", "delete"],
    save: Callable[[dict[str, Any]], list[str]],
) -> None:
    """Show `frame` in a data editor; pass its changes to `save`, keep its messages, reload.

    The editor's key carries a version that each save bumps, so the grid always shows
    what the database holds; `<name>_editor_key` names the live key (AppTest edits it).
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
    changes = (st.session_state.get(key) or {}) if writable else {}
    if any(changes.get(part) for part in PARTS):
        st.session_state[f"{name}_messages"] = save(changes)
        st.session_state[version] = st.session_state.get(version, 0) + 1
        st.rerun()
