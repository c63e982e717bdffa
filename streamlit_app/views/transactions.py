"""The ledger page: filters, totals, a server-paged editable grid and an add form."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, cast

import pandas as pd
import streamlit as st

from domain.errors import DomainError, InvalidInputError
from domain.i18n import N_
from domain.rules.categories import FlowType
from domain.rules.dates import exclusive_end, local_today
from domain.rules.display import display_number
from domain.rules.ledger import LedgerFilter, TransactionDraft
from domain.services import categories, transactions
from streamlit_app.db import transaction
from streamlit_app.i18n import (
    DATE_FORMAT,
    _,
    currency,
    language,
    select_code,
    show_date,
    show_money,
    word,
)
from streamlit_app.session import load_household, may_write, require_household_id
from streamlit_app.views.forms import NO_CATEGORY, category_name, describe, money
from streamlit_app.views.grid import editable_grid, messages

VIEWER_NOTE = N_("You are a viewer in this household: you can look, not change.")

PAGE_SIZE = 50
COLUMNS = ["date", "type", "category", "amount", "description", "notes", "issue", "original"]
ERRORS = "ledger_errors"
FLOWS = ["all", "expense", "income"]


@dataclass(frozen=True)
class CategoryChoices:
    """Category labels for pickers (active) and for display (all)."""

    active: dict[str, int]
    label_of: dict[int, str]
    today: date


def _choices(household_id: int) -> CategoryChoices:
    with transaction() as session:
        household = load_household(session, household_id)
        every = categories.list_categories(session, household, include_archived=True)
        today = local_today(datetime.now(UTC), household.timezone)
    archived = _("{name} (archived)")
    label_of = {
        c.id: category_name(c) if c.archived_at is None else archived.format(name=category_name(c))
        for c in every
    }
    active = {category_name(c): c.id for c in every if c.archived_at is None}
    return CategoryChoices(active, label_of, today)


def _filters(choices: CategoryChoices) -> LedgerFilter:
    today = choices.today
    cols = st.columns([2, 2, 1, 2, 1])
    picked = cols[0].date_input(
        _("Dates"),
        value=(today - timedelta(days=90), today),
        key="f_dates",
        format=DATE_FORMAT,
    )
    names = cols[1].multiselect(
        _("Categories"),
        sorted(choices.active),
        key="f_categories",
        placeholder=_("All categories"),
    )
    flow = select_code(cols[2], _("Type"), FLOWS, key="f_type")
    text = cols[3].text_input(_("Search description and notes"), key="f_text")
    bare = cols[4].toggle(
        _("Uncategorised"), key="f_uncategorised", help=_("rows with no category")
    )
    start, end = (picked[0], picked[-1]) if isinstance(picked, tuple) and picked else (None, None)
    return LedgerFilter(
        start=start,
        end=exclusive_end(end),
        category_ids=tuple(choices.active[name] for name in names),
        type=None if flow == "all" else cast("FlowType", flow),
        text=text.strip() or None,
        uncategorised=bare,
    )


def _original(row: Any) -> str:
    """The foreign amount paid beside the charge, or the row's currency when not the base."""
    if row.original_amount is not None:
        return show_money(row.original_amount, row.original_currency)
    return "" if row.currency == currency() else str(row.currency)


def _frame(rows: Any, choices: CategoryChoices, errors: dict[int, str]) -> pd.DataFrame:
    records = [
        {
            "date": row.date,
            "type": row.type,
            "category": choices.label_of.get(row.category_id, _(NO_CATEGORY))
            if row.category_id
            else _(NO_CATEGORY),
            "amount": display_number(row.amount, language(), places=2),
            "description": row.description,
            "notes": row.notes,
            "issue": errors.get(row.id, ""),
            "original": _original(row),
        }
        for row in rows
    ]
    frame = pd.DataFrame.from_records(records, columns=COLUMNS)
    # Only a page with a foreign amount on it gives the column room.
    return frame if frame["original"].astype(bool).any() else frame.drop(columns="original")


def _column_config(choices: CategoryChoices) -> dict[str, Any]:
    labels = [_(NO_CATEGORY), *sorted(choices.active)]
    return {
        "date": st.column_config.DateColumn(_("Date"), required=True, format=DATE_FORMAT),
        "type": st.column_config.SelectboxColumn(
            _("Type"), options=["expense", "income"], required=True, format_func=word
        ),
        "category": st.column_config.SelectboxColumn(_("Category"), options=labels),
        "amount": st.column_config.TextColumn(
            _("Amount"),
            required=True,
            help=_("A positive amount such as 1,234.50"),
            max_chars=20,
        ),
        "description": st.column_config.TextColumn(_("Description"), max_chars=500),
        "notes": st.column_config.TextColumn(_("Notes"), max_chars=2000),
        "issue": st.column_config.TextColumn(_("Issue"), disabled=True, width="medium"),
        "original": st.column_config.TextColumn(
            _("Original"), disabled=True, help=_("What was paid in a foreign currency")
        ),
    }


def _cell_changes(change: dict[str, Any], choices: CategoryChoices) -> dict[str, Any]:
    """Grid values to service fields: amounts parsed exactly, labels to ids."""
    out: dict[str, Any] = {}
    for column, value in change.items():
        if column == "amount":
            out["amount"] = money(str(value or ""), "amount")
        elif column == "date":
            if not value:
                raise InvalidInputError("date", "is required")
            out["date"] = date.fromisoformat(str(value)[:10])
        elif column == "category":
            out["category_id"] = choices.active.get(str(value)) if value else None
            if value and value != _(NO_CATEGORY) and out["category_id"] is None:
                raise InvalidInputError("category_id", "pick an active category")
        elif column in {"type", "description", "notes"}:
            out[column] = value if value is not None else ""
    return out


def _apply_edits(
    household_id: int, ids: list[int], edits: dict[Any, Any], choices: CategoryChoices
) -> dict[int, str]:
    """Save each edited row in its own unit of work; return the refused ones' messages."""
    errors: dict[int, str] = {}
    for position, change in edits.items():
        tx_id = ids[int(position)]
        try:
            with transaction() as session:
                household = load_household(session, household_id)
                transactions.update_transaction(
                    session, household, tx_id, _cell_changes(change, choices)
                )
        except DomainError as exc:
            errors[tx_id] = describe(exc)
    return errors


def _apply_additions(
    household_id: int, added: list[dict[str, Any]], choices: CategoryChoices
) -> list[str]:
    problems = []
    for index, row in enumerate(added, start=1):
        try:
            fields = _cell_changes({k: v for k, v in row.items() if k != "issue"}, choices)
            if "amount" not in fields or "date" not in fields:
                raise InvalidInputError("amount" if "date" in fields else "date", "is required")
            with transaction() as session:
                household = load_household(session, household_id)
                flow = cast("FlowType", fields.pop("type", None) or "expense")
                draft = TransactionDraft(type=flow, **fields)
                transactions.record_transaction(session, household, draft)
        except DomainError as exc:
            problems.append(
                _("New row {index}: {problem}").format(index=index, problem=describe(exc))
            )
    return problems


def _apply_deletions(household_id: int, ids: list[int], deleted: list[int]) -> None:
    with transaction() as session:
        household = load_household(session, household_id)
        transactions.bulk_delete(session, household, [ids[int(i)] for i in deleted])


def _save_grid(
    household_id: int, ids: list[int], changes: dict[str, Any], choices: CategoryChoices
) -> list[str]:
    """Turn the editor's changes into service calls; refused edits go beside their rows."""
    st.session_state[ERRORS] = _apply_edits(
        household_id, ids, changes.get("edited_rows", {}), choices
    )
    problems = _apply_additions(household_id, changes.get("added_rows", []), choices)
    if changes.get("deleted_rows"):
        _apply_deletions(household_id, ids, changes["deleted_rows"])
    return problems


def _add_form(household_id: int, choices: CategoryChoices) -> None:
    adding = st.expander(_("Add a transaction"), expanded=False)
    with adding, st.form("add_tx", clear_on_submit=True):
        cols = st.columns([1, 1, 2, 1])
        when = cols[0].date_input(
            _("Date"), value=choices.today, key="add_date", format=DATE_FORMAT
        )
        flow = select_code(cols[1], _("Type"), FLOWS[1:], key="add_type")
        label = cols[2].selectbox(
            _("Category"), [_(NO_CATEGORY), *sorted(choices.active)], key="add_cat"
        )
        amount = cols[3].text_input(_("Amount"), key="add_amount", placeholder="0.00")
        # A foreign purchase: what was paid, beside the description (the form keeps its height).
        cols = st.columns([3, 1, 1])
        description = cols[0].text_input(_("Description"), key="add_description", max_chars=500)
        paid = cols[1].text_input(
            _("Original amount"), key="add_original_amount", placeholder="0.00"
        )
        paid_in = cols[2].text_input(
            _("Original currency"), key="add_original_currency", max_chars=3
        )
        notes = st.text_input(_("Notes"), key="add_notes", max_chars=2000)
        if not st.form_submit_button(_("Add"), type="primary"):
            return
        try:
            fields = _cell_changes({"amount": amount, "category": label}, choices)
            draft = TransactionDraft(
                date=when,
                type=cast("FlowType", flow),
                description=description,
                notes=notes,
                original_amount=money(paid, "original_amount") if paid.strip() else None,
                original_currency=paid_in.strip().upper() or None,
                **fields,
            )
            with transaction() as session:
                transactions.record_transaction(
                    session, load_household(session, household_id), draft
                )
        except DomainError as exc:
            st.error(describe(exc))
            return
        st.success(
            _("Added {amount} on {date}.").format(
                amount=show_money(draft.amount), date=show_date(draft.date)
            )
        )


def _totals(household_id: int, spec: LedgerFilter) -> int:
    """Show the filter's totals; return its row count."""
    with transaction() as session:
        totals = transactions.ledger_totals(session, load_household(session, household_id), spec)
    cols = st.columns(4)
    cols[0].metric(_("Income"), show_money(totals.income))
    cols[1].metric(_("Expenses"), show_money(totals.expense))
    cols[2].metric(_("Net"), show_money(totals.net))
    cols[3].metric(_("Transactions"), display_number(totals.count, language()))
    return totals.count


def _pager(total: int) -> int:
    pages = max(1, -(-total // PAGE_SIZE))
    cols = st.columns([1, 3])
    page = cols[0].number_input(_("Page"), min_value=1, max_value=pages, value=1, key="ledger_page")
    cols[1].caption(
        _("{total} transactions · page {page} of {pages} · {size} per page").format(
            total=display_number(total, language()), page=page, pages=pages, size=PAGE_SIZE
        )
    )
    return int(page)


def transactions_page() -> None:
    """Render the ledger."""
    household_id = require_household_id()
    st.title(_("Transactions"))
    choices = _choices(household_id)
    if may_write():
        _add_form(household_id, choices)
    else:
        st.info(_(VIEWER_NOTE))
    spec = _filters(choices)
    page = _pager(_totals(household_id, spec))
    with transaction() as session:
        household = load_household(session, household_id)
        rows = transactions.list_transactions(
            session, household, spec, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
        ).rows
    for problem in messages("ledger"):
        st.error(problem)
    errors: dict[int, str] = st.session_state.get(ERRORS, {})
    if errors:
        st.error(_("Some edits were refused; see the Issue column. Nothing else was changed."))
    ids = [row.id for row in rows]
    editable_grid(
        _frame(rows, choices, errors),
        name="ledger",
        column_config=_column_config(choices),
        num_rows="dynamic",
        save=lambda changes: _save_grid(household_id, ids, changes, choices),
    )
