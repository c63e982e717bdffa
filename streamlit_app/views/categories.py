"""The categories page: an editable list with archive, restore and reorder."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pandas as pd
import streamlit as st

from domain.errors import DomainError, InvalidInputError
from domain.services import categories
from streamlit_app.db import transaction
from streamlit_app.i18n import _, word
from streamlit_app.session import load_household, require_household_id
from streamlit_app.views.forms import describe
from streamlit_app.views.grid import editable_grid, messages

COLUMNS = ["order", "name", "name_he", "type", "icon", "color", "archived"]


def _frame(household_id: int) -> tuple[pd.DataFrame, list[int]]:
    with transaction() as session:
        found = categories.list_categories(
            session, load_household(session, household_id), include_archived=True
        )
    records = [
        {
            "order": position + 1,
            "name": c.name,
            "name_he": c.name_he or "",
            "type": c.type,
            "icon": c.icon,
            "color": c.color,
            "archived": c.archived_at is not None,
        }
        for position, c in enumerate(found)
    ]
    return pd.DataFrame.from_records(records, columns=COLUMNS), [c.id for c in found]


def _column_config() -> dict[str, Any]:
    return {
        "order": st.column_config.NumberColumn(_("Order"), min_value=1, step=1, format="%d"),
        "name": st.column_config.TextColumn(_("Name"), required=True, max_chars=60),
        "name_he": st.column_config.TextColumn(_("Hebrew name"), max_chars=60),
        "type": st.column_config.SelectboxColumn(
            _("Type"), options=["expense", "income"], required=True, format_func=word
        ),
        "icon": st.column_config.TextColumn(_("Icon"), max_chars=16),
        "color": st.column_config.TextColumn(_("Colour"), max_chars=7, help=_("#RRGGBB")),
        "archived": st.column_config.CheckboxColumn(_("Archived")),
    }


def _describe(label: str, exc: DomainError) -> str:
    return f"{label}: {describe(exc)}"


def _edit_one(household_id: int, category_id: int, change: dict[str, Any]) -> None:
    """Apply one row's edits in one unit of work."""
    with transaction() as session:
        household = load_household(session, household_id)
        current = categories.get_category(session, household, category_id)
        if "type" in change and change["type"] != current.type:
            raise InvalidInputError("type", "a category's type cannot change")
        if change.get("archived") is True:
            categories.archive_category(session, household, category_id, datetime.now(UTC))
        elif change.get("archived") is False:
            categories.restore_category(session, household, category_id)
        text = {
            k: str(change[k] or "") for k in ("name", "name_he", "icon", "color") if k in change
        }
        if text:
            categories.update_category(
                session,
                household,
                category_id,
                name=text.get("name"),
                name_he=text.get("name_he"),
                icon=text.get("icon"),
                color=text.get("color"),
            )


def _reorder(household_id: int, frame: pd.DataFrame, ids: list[int], edits: dict[Any, Any]) -> None:
    orders = {ids[int(p)]: change["order"] for p, change in edits.items() if "order" in change}
    if not orders:
        return
    current = {i: float(o) for i, o in zip(ids, frame["order"], strict=True)}
    current.update({i: float(o) - 0.5 for i, o in orders.items()})  # moved rows go first
    ordered = sorted(current, key=lambda i: (current[i], i))
    with transaction() as session:
        categories.reorder_categories(session, load_household(session, household_id), ordered)


def _create(household_id: int, row: dict[str, Any]) -> None:
    with transaction() as session:
        categories.create_category(
            session,
            load_household(session, household_id),
            name=str(row.get("name") or ""),
            type=str(row.get("type") or "expense"),
            name_he=row.get("name_he") or None,
            icon=str(row.get("icon") or ""),
            color=str(row.get("color") or "#757575"),
        )


def _save(
    household_id: int, frame: pd.DataFrame, ids: list[int], changes: dict[str, Any]
) -> list[str]:
    messages: list[str] = []
    edits: dict[Any, Any] = changes.get("edited_rows", {})
    for position, change in edits.items():
        label = str(frame.iloc[int(position)]["name"])
        try:
            _edit_one(household_id, ids[int(position)], change)
        except DomainError as exc:
            messages.append(_describe(label, exc))
    try:
        _reorder(household_id, frame, ids, edits)
    except DomainError as exc:
        messages.append(_describe(_("order"), exc))
    for row in changes.get("added_rows", []):
        try:
            _create(household_id, row)
        except DomainError as exc:
            messages.append(_describe(str(row.get("name") or _("new category")), exc))
    if changes.get("deleted_rows"):
        messages.append(_("Categories are archived, not deleted: tick Archived instead."))
    return messages


def categories_page() -> None:
    """Render the categories list."""
    household_id = require_household_id()
    st.title(_("Categories"))
    st.caption(
        _(
            "Edit names, icons and colours in place; tick Archived to hide a category from "
            "pickers (its transactions keep it); change Order to move one; add a row to create."
        )
    )
    for message in messages("categories"):
        st.error(message)
    frame, ids = _frame(household_id)
    editable_grid(
        frame,
        name="categories",
        column_config=_column_config(),
        num_rows="dynamic",
        save=lambda changes: _save(household_id, frame, ids, changes),
    )
