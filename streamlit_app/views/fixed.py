"""The fixed items page: an editable list, a form to add, pause and resume."""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
import streamlit as st

from domain.errors import DomainError, InvalidInputError
from domain.rules.display import display_number
from domain.services import fixed
from streamlit_app.i18n import (
    DATE_FORMAT,
    _,
    language,
    radio_code,
    select_code,
    word,
)
from streamlit_app.session import may_write, require_household_id
from streamlit_app.views.forms import (
    AccountChoice,
    account_choices,
    account_select,
    category_options,
    describe,
    household_work,
    money,
    open_accounts,
    run_action,
    today_of,
)
from streamlit_app.views.grid import editable_grid, messages

FREQUENCIES = ["monthly", "weekly", "biweekly", "quarterly", "yearly"]
COLUMNS = [
    "name",
    "account",
    "type",
    "amount",
    "frequency",
    "day_of_month",
    "start_date",
    "end_date",
    "paused",
]


def _add_form(household_id: int, today: date, choices: list[AccountChoice]) -> None:
    with st.expander(_("Add a fixed item")):
        flow = radio_code(
            st, _("Type"), ["expense", "income"], horizontal=True, key="fixed_add_type"
        )
        options = category_options(household_id, flow)
        with st.form("fixed_add", clear_on_submit=True):
            cols = st.columns([2, 1, 1, 2])
            name = cols[0].text_input(_("Name"), key="fixed_add_name")
            amount = cols[1].text_input(_("Amount"), key="fixed_add_amount", placeholder="0.00")
            frequency = select_code(cols[2], _("Frequency"), FREQUENCIES, key="fixed_add_frequency")
            label = cols[3].selectbox(_("Category"), list(options), key="fixed_add_category")
            when = st.columns(3)
            start = when[0].date_input(
                _("Start"), value=today, key="fixed_add_start", format=DATE_FORMAT
            )
            end = when[1].date_input(
                _("End (optional)"), value=None, key="fixed_add_end", format=DATE_FORMAT
            )
            day = when[2].number_input(
                _("Day of month (monthly, quarterly, yearly)"),
                min_value=1,
                max_value=31,
                value=None,
                key="fixed_add_day",
            )
            account_id = (
                account_select(st.columns([1, 3])[0], choices, key="fixed_add_account")
                if len(choices) > 1
                else None
            )
            if st.form_submit_button(_("Add"), type="primary"):

                def create() -> None:
                    with household_work(household_id) as (session, household):
                        fixed.create_fixed(
                            session,
                            household,
                            name=name,
                            amount=money(amount, "amount"),
                            type=flow,
                            frequency=frequency,
                            start_date=start,
                            end_date=end,
                            day_of_month=int(day) if day else None,
                            category_id=options[label],
                            account_id=account_id,
                        )

                run_action(create, _("Added {name}.").format(name=name))


def _frame(
    household_id: int, today: date, choices: list[AccountChoice]
) -> tuple[pd.DataFrame, list[int]]:
    labels = {c.id: c.label for c in choices}
    with household_work(household_id) as (session, household):
        items = fixed.list_fixed(session, household)
        records = [
            {
                "name": i.name,
                "account": labels.get(i.account_id, ""),
                "type": i.type,
                "amount": display_number(i.amount, language(), places=2),
                "frequency": i.frequency,
                "day_of_month": i.day_of_month,
                "start_date": i.start_date,
                "end_date": i.end_date,
                "paused": fixed.is_paused(session, i.id, today),
            }
            for i in items
        ]
        frame = pd.DataFrame.from_records(records, columns=COLUMNS)
    if len(choices) < 2:  # one account: nothing to tell apart
        frame = frame.drop(columns="account")
    # Dates as a date column: a missing end date is empty (NaT), never the word None.
    for column in ("start_date", "end_date"):
        frame[column] = pd.to_datetime(frame[column])
    return frame, [i.id for i in items]


def _column_config(choices: list[AccountChoice]) -> dict[str, Any]:
    return {
        "name": st.column_config.TextColumn(_("Name"), required=True, max_chars=120),
        "account": st.column_config.SelectboxColumn(
            _("Account"), options=list(open_accounts(choices)), required=True
        ),
        "type": st.column_config.SelectboxColumn(
            _("Type"), options=["expense", "income"], format_func=word
        ),
        "amount": st.column_config.TextColumn(_("Amount"), required=True, max_chars=20),
        "frequency": st.column_config.SelectboxColumn(
            _("Frequency"), options=FREQUENCIES, format_func=word
        ),
        "day_of_month": st.column_config.NumberColumn(_("Day"), min_value=1, max_value=31, step=1),
        "start_date": st.column_config.DateColumn(_("Start"), format=DATE_FORMAT),
        "end_date": st.column_config.DateColumn(_("End"), format=DATE_FORMAT),
        "paused": st.column_config.CheckboxColumn(_("Paused"), help=_("tick to pause from today")),
    }


def _apply(
    household_id: int, item_id: int, change: dict[str, Any], today: date, places: dict[str, int]
) -> None:
    """One row's edits in one unit of work: fields, then pause or resume."""
    with household_work(household_id) as (session, household):
        fields = {k: v for k, v in change.items() if k not in ("paused", "account")}
        if change.get("account"):
            fields["account_id"] = places.get(str(change["account"]))
            if fields["account_id"] is None:
                raise InvalidInputError("account_id", "pick an open account")
        if "amount" in fields:
            fields["amount"] = money(str(fields["amount"] or ""), "amount")
        for key in ("start_date", "end_date"):
            if fields.get(key):
                fields[key] = date.fromisoformat(str(fields[key])[:10])
        if fields:
            fixed.update_fixed(session, household, item_id, fields)
        if change.get("paused") is True:
            fixed.pause_fixed(session, household, item_id, since=today)
        elif change.get("paused") is False:
            fixed.resume_fixed(session, household, item_id, on=today)


def _save(
    household_id: int,
    ids: list[int],
    frame: pd.DataFrame,
    changes: dict[str, Any],
    places: dict[str, int],
) -> list[str]:
    messages = []
    today = today_of(household_id)
    for position, change in changes.get("edited_rows", {}).items():
        try:
            _apply(household_id, ids[int(position)], change, today, places)
        except DomainError as exc:
            messages.append(f"{frame.iloc[int(position)]['name']}: {describe(exc)}")
    for position in changes.get("deleted_rows", []):
        with household_work(household_id) as (session, household):
            fixed.delete_fixed(session, household, ids[int(position)])
    if changes.get("added_rows"):
        messages.append(_("Add fixed items with the form above."))
    return messages


def fixed_page() -> None:
    """Render the fixed items."""
    household_id = require_household_id()
    today = today_of(household_id)
    st.title(_("Fixed income and expenses"))
    st.caption(
        _(
            "Salary, rent, subscriptions: booked by the scheduler on their own dates. "
            "Edit in place; tick Paused to pause from today, untick to resume; "
            "delete a row to remove it."
        )
    )
    choices = account_choices(household_id)
    writable = may_write()
    if writable:  # a viewer looks; the form would only be refused
        _add_form(household_id, today, choices)
    for message in messages("fixed"):
        st.error(message)
    frame, ids = _frame(household_id, today, choices)
    if not ids:
        st.info(
            _("No fixed items yet: add your salary and rent above.")
            if writable
            else _("No fixed items yet.")
        )
        return
    editable_grid(
        frame,
        name="fixed",
        column_config=_column_config(choices),
        num_rows="delete",
        save=lambda changes: _save(household_id, ids, frame, changes, open_accounts(choices)),
        confirm_deletes=True,
    )
