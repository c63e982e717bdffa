"""Transfers between the household's accounts: a form, and the recent ones (delete)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
import streamlit as st

from domain.errors import DomainError
from domain.i18n import N_
from domain.services import transfers
from domain.services.transfers import TransferDraft
from streamlit_app.i18n import DATE_FORMAT, _, show_date, show_money
from streamlit_app.views.confirm import note, show_note
from streamlit_app.views.forms import AccountChoice, describe, household_work, money
from streamlit_app.views.grid import editable_grid, messages

RECENT = 50
NOTE = "transfer_note"
TYPED = ("transfer_amount", "transfer_to_amount", "transfer_description")
SOURCE_WORDS = {
    "manual": N_("by hand"),
    "card_statement": N_("card statement"),
    "import": N_("import"),
}
COLUMNS = ["date", "from", "to", "amount", "received", "description", "source"]


def _typed(key: str) -> str:
    return str(st.session_state.get(key) or "")


def _record(household_id: int, today: date, currencies: dict[int, str]) -> None:
    """The form's press: record the transfer, then clear what was typed (kept on refusal)."""
    state = st.session_state
    try:
        received = _typed("transfer_to_amount").strip()
        draft = TransferDraft(
            date=state.get("transfer_date") or today,
            amount=money(_typed("transfer_amount"), "amount"),
            from_account_id=int(state["transfer_from"]),
            to_account_id=int(state["transfer_to"]),
            to_amount=money(received, "to_amount") if received else None,
            description=_typed("transfer_description").strip(),
        )
        with household_work(household_id) as (session, household):
            transfers.record_transfer(session, household, draft)
    except DomainError as exc:
        note(NOTE, "error", describe(exc))
        return
    for key in TYPED:
        state[key] = ""
    note(
        NOTE,
        "success",
        _("Moved {amount} on {date}.").format(
            amount=show_money(draft.amount, currencies.get(draft.from_account_id)),
            date=show_date(draft.date),
        ),
    )


def transfer_form(household_id: int, today: date, choices: list[AccountChoice]) -> None:
    """From, to, date, amount, what arrived (when the currencies differ), description."""
    shown = [c for c in choices if not c.archived]
    if len(shown) < 2:
        return
    labels = {c.id: c.label for c in shown}
    ids = list(labels)
    state = st.session_state
    if state.get("transfer_from") not in ids:
        state["transfer_from"] = next((c.id for c in shown if c.is_default), ids[0])
    if state.get("transfer_to") not in ids:
        state["transfer_to"] = next((i for i in ids if i != state["transfer_from"]), ids[0])
    with st.expander(_("Move money between accounts"), expanded=True), st.form("transfer"):
        cols = st.columns(4)
        cols[0].selectbox(
            _("From account"), ids, format_func=labels.__getitem__, key="transfer_from"
        )
        cols[1].selectbox(_("To account"), ids, format_func=labels.__getitem__, key="transfer_to")
        cols[2].date_input(_("Date"), value=today, key="transfer_date", format=DATE_FORMAT)
        cols[3].text_input(_("Amount"), key="transfer_amount", placeholder="0.00")
        more = st.columns([3, 1])
        more[0].text_input(_("Description"), key="transfer_description", max_chars=500)
        more[1].text_input(
            _("Amount received"),
            key="transfer_to_amount",
            placeholder="0.00",
            help=_("Only between accounts in different currencies: what arrived."),
        )
        st.form_submit_button(
            _("Move"),
            type="primary",
            on_click=lambda: _record(household_id, today, {c.id: c.currency for c in shown}),
        )
    show_note(NOTE)


def _frame(household_id: int, choices: list[AccountChoice]) -> tuple[pd.DataFrame, list[int]]:
    labels = {c.id: c.label for c in choices}
    currency = {c.id: c.currency for c in choices}
    with household_work(household_id) as (session, household):
        found = transfers.list_transfers(session, household, limit=RECENT)
        rows = [
            {
                "date": show_date(t.date),
                "from": labels.get(t.from_account_id, ""),
                "to": labels.get(t.to_account_id, ""),
                "amount": show_money(t.amount, currency.get(t.from_account_id)),
                "received": show_money(t.to_amount, currency.get(t.to_account_id))
                if t.to_amount is not None
                else "",
                "description": t.description,
                "source": _(SOURCE_WORDS.get(t.source, t.source)),
            }
            for t in found
        ]
        ids = [t.id for t in found]
    frame = pd.DataFrame.from_records(rows, columns=COLUMNS)
    if not frame["received"].astype(bool).any():
        frame = frame.drop(columns="received")
    return frame, ids


def _save(household_id: int, ids: list[int], changes: dict[str, Any]) -> list[str]:
    """Only deletions: each transfer removed in one unit of work."""
    problems = []
    for position in changes.get("deleted_rows", []):
        try:
            with household_work(household_id) as (session, household):
                transfers.delete_transfer(session, household, ids[int(position)])
        except DomainError as exc:
            problems.append(describe(exc))
    return problems


def recent_transfers(household_id: int, choices: list[AccountChoice]) -> None:
    """The latest transfers, newest first; a writer deletes a row to remove it."""
    st.subheader(_("Recent transfers"))
    frame, ids = _frame(household_id, choices)
    for problem in messages("transfers"):
        st.error(problem)
    if not ids:
        st.info(_("No transfers yet."))
        return
    headers = {
        "date": _("Date"),
        "from": _("From account"),
        "to": _("To account"),
        "amount": _("Amount"),
        "received": _("Amount received"),
        "description": _("Description"),
        "source": _("Recorded"),
    }
    editable_grid(
        frame,
        name="transfers",
        column_config={
            column: st.column_config.TextColumn(label, disabled=True)
            for column, label in headers.items()
        },
        num_rows="delete",
        save=lambda changes: _save(household_id, ids, changes),
        confirm_deletes=True,
    )
