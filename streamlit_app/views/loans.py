"""The loans page: a form, the amortization table and chart, payments and prepayments."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import partial
from typing import Literal

import pandas as pd
import streamlit as st

from domain.db.models import Loan
from domain.errors import DomainError
from domain.i18n import N_
from domain.services import loans
from domain.services.sources import booked_dates
from streamlit_app.charts import amortization_figure
from streamlit_app.i18n import (
    DATE_FORMAT,
    _,
    keyed,
    show_date,
    show_money,
    show_month,
    show_table,
)
from streamlit_app.session import may_write, require_household_id
from streamlit_app.views.confirm import delete_with_confirmation, show_note
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

METHODS = {N_("Spitzer (equal payments)"): "spitzer", N_("Equal principal"): "equal_principal"}
MODES = {N_("shorten the term"): "shorten_term", N_("lower the payment"): "lower_payment"}
HEADERS = {
    "date": N_("Date"),
    "payment": N_("Payment"),
    "principal": N_("Principal"),
    "interest": N_("Interest"),
    "prepayment": N_("Prepayment"),
    "balance": N_("Balance"),
    "paid": N_("Paid"),
}


def _rate(text: str) -> object:
    return money(text or "0", "annual_rate")


def _add_form(household_id: int, today: date, choices: list[AccountChoice]) -> None:
    with st.expander(_("Add a loan")):
        options = category_options(household_id, "expense")
        methods = {_(label): code for label, code in METHODS.items()}
        with st.form("loan_add", clear_on_submit=True):
            cols = st.columns([2, 1, 1, 1])
            name = cols[0].text_input(_("Name"), key="loan_add_name")
            principal = cols[1].text_input(_("Principal"), key="loan_add_principal")
            rate = cols[2].text_input(_("Yearly rate %"), key="loan_add_rate", placeholder="5.0")
            term = cols[3].number_input(
                _("Months"), min_value=1, max_value=600, value=60, key="loan_add_term"
            )
            cols = st.columns([1, 1, 2, 2])
            first = cols[0].date_input(
                _("First payment"), value=today, key="loan_add_first", format=DATE_FORMAT
            )
            day = cols[1].number_input(
                _("Day of month"), min_value=1, max_value=31, value=None, key="loan_add_day"
            )
            method = cols[2].selectbox(_("Method"), list(methods), key=keyed("loan_add_method"))
            label = cols[3].selectbox(_("Category"), list(options), key="loan_add_category")
            account_id = (
                account_select(st.columns([1, 3])[0], choices, key="loan_add_account")
                if len(choices) > 1
                else None
            )
            if st.form_submit_button(_("Add"), type="primary"):

                def create() -> None:
                    with household_work(household_id) as (session, household):
                        loans.create_loan(
                            session,
                            household,
                            name=name,
                            principal=money(principal, "principal"),
                            annual_rate=_rate(rate),
                            term_months=int(term),
                            first_payment_date=first,
                            day_of_month=int(day) if day else None,
                            method=methods.get(method or "", "spitzer"),
                            category_id=options[label],
                            account_id=account_id,
                        )

                run_action(create, _("Added {name}.").format(name=name))


def _schedule(household_id: int, loan_id: int) -> pd.DataFrame:
    with household_work(household_id) as (session, household):
        loan = loans.get_loan(session, household, loan_id)
        booked = booked_dates(session, "loan", loan.id)
        periods = loans.breakdown(session, loan)
    return pd.DataFrame.from_records(
        [
            {
                "#": p.number,
                "date": p.date,
                "payment": p.payment,
                "principal": p.principal,
                "interest": p.interest,
                "prepayment": p.prepayment,
                "balance": p.balance,
                "paid": p.date in booked,
            }
            for p in periods
        ]
    )


def _note_key(loan_id: int) -> str:
    return f"loan_note_{loan_id}"


def _acting(loan_id: int, action: Callable[[], object], success: str) -> Callable[[], None]:
    """A callback: it runs before the page renders, so the page shows the new figures."""

    def callback() -> None:
        try:
            action()
        except DomainError as exc:
            st.session_state[_note_key(loan_id)] = ("error", describe(exc))
        else:
            st.session_state[_note_key(loan_id)] = ("success", success)

    return callback


def _prepay(household_id: int, loan_id: int) -> None:
    state = st.session_state
    modes = {_(label): code for label, code in MODES.items()}
    picked = modes.get(state.get(keyed(f"prepay_mode_{loan_id}")) or "")
    mode: Literal["shorten_term", "lower_payment"] = (
        "lower_payment" if picked == "lower_payment" else "shorten_term"
    )
    with household_work(household_id) as (session, household):
        loans.prepay(
            session,
            household,
            loan_id,
            amount=money(state[f"prepay_amount_{loan_id}"], "amount"),
            on=state[f"prepay_date_{loan_id}"],
            mode=mode,
        )


def _pay(household_id: int, loan_id: int, today: date) -> None:
    with household_work(household_id) as (session, household):
        loans.record_payment(session, household, loan_id, on=today)


def _reverse(household_id: int, loan_id: int) -> None:
    with household_work(household_id) as (session, household):
        loans.reverse_payment(session, household, loan_id)


def _prepay_form(household_id: int, loan: Loan, today: date) -> None:
    with st.form(f"prepay_{loan.id}", clear_on_submit=True):
        cols = st.columns([1, 1, 2])
        cols[0].text_input(_("Prepayment"), key=f"prepay_amount_{loan.id}")
        cols[1].date_input(_("On"), value=today, key=f"prepay_date_{loan.id}", format=DATE_FORMAT)
        cols[2].radio(_("Then"), [_(label) for label in MODES], key=keyed(f"prepay_mode_{loan.id}"))
        st.form_submit_button(
            _("Prepay"),
            on_click=_acting(
                loan.id, partial(_prepay, household_id, loan.id), _("Prepayment recorded.")
            ),
        )


def _loan_card(household_id: int, loan: Loan, today: date, choices: list[AccountChoice]) -> None:
    with household_work(household_id) as (session, _user):
        where = loans.status(session, loan, today)
    st.subheader(loan.name)
    if len(choices) > 1:
        st.caption(
            _("Account: {account}").format(
                account=next((c.label for c in choices if c.id == loan.account_id), "")
            )
        )
    note = st.session_state.pop(_note_key(loan.id), None)
    if note is not None:
        (st.error if note[0] == "error" else st.success)(note[1])
    cols = st.columns(4)
    cols[0].metric(_("Monthly payment"), show_money(where.payment))
    cols[1].metric(_("Remaining balance"), show_money(where.remaining_balance))
    cols[2].metric(
        _("Paid"),
        _("{done} of {count}").format(done=where.paid_count, count=loan.term_months),
    )
    cols[3].metric(_("Ends"), show_month(where.end_date, short=True) if where.end_date else "-")
    schedule = _schedule(household_id, loan.id)
    if not schedule.empty:
        st.plotly_chart(amortization_figure(schedule), key=f"loan_chart_{loan.id}")
        if st.toggle(_("Amortization table"), key=f"loan_table_{loan.id}"):
            shown = schedule.copy()
            for column in ("payment", "principal", "interest", "prepayment", "balance"):
                shown[column] = shown[column].map(show_money)
            shown["date"] = shown["date"].map(show_date)
            show_table(shown, HEADERS)
    if may_write():
        _loan_actions(household_id, loan, today, choices)


def _loan_actions(household_id: int, loan: Loan, today: date, choices: list[AccountChoice]) -> None:
    # Buttons as wide as their labels: a column grid cut "Record next payment" short.
    row = st.container(horizontal=True)
    row.button(
        _("Record next payment"),
        key=f"loan_pay_{loan.id}",
        on_click=_acting(loan.id, partial(_pay, household_id, loan.id, today), _("Recorded.")),
    )
    row.button(
        _("Reverse last"),
        key=f"loan_reverse_{loan.id}",
        on_click=_acting(loan.id, partial(_reverse, household_id, loan.id), _("Reversed.")),
    )
    delete_with_confirmation(
        row,
        key=f"loan_delete_{loan.id}",
        note_key="loans",
        label=_("Delete"),
        question=_("Delete {name}? Its payments already recorded stay in the ledger.").format(
            name=loan.name
        ),
        action=partial(_delete, household_id, loan.id),
    )
    _prepay_form(household_id, loan, today)
    _edit_form(household_id, loan, choices)


def _delete(household_id: int, loan_id: int) -> None:
    with household_work(household_id) as (session, household):
        loans.delete_loan(session, household, loan_id)


def _update(
    household_id: int, loan_id: int, options: dict[str, int | None], places: dict[str, int]
) -> None:
    state, key = st.session_state, f"loan_edit_{loan_id}"
    methods = {_(label): code for label, code in METHODS.items()}
    moved = places.get(state.get(f"{key}_account") or "")
    with household_work(household_id) as (session, household):
        loans.update_loan(
            session,
            household,
            loan_id,
            ({"account_id": moved} if moved else {})
            | {
                "name": state[f"{key}_name"],
                "principal": money(state[f"{key}_principal"], "principal"),
                "annual_rate": _rate(state[f"{key}_rate"]),
                "term_months": int(state[f"{key}_term"]),
                "first_payment_date": state[f"{key}_first"],
                "day_of_month": int(state[f"{key}_day"]),
                "method": methods.get(state.get(keyed(f"{key}_method")) or "", "spitzer"),
                "category_id": options.get(state[f"{key}_category"]),
            },
        )


def _edit_form(household_id: int, loan: Loan, choices: list[AccountChoice]) -> None:
    """The loan's terms, editable once opened (a toggle: a closed form costs nothing)."""
    if not st.toggle(_("Edit"), key=f"loan_edit_{loan.id}_open"):
        return
    options = category_options(household_id, "expense")
    labels = list(options)
    current = next((label for label, i in options.items() if i == loan.category_id), labels[0])
    methods = [_(label) for label in METHODS]
    method = list(METHODS.values()).index(loan.method) if loan.method in METHODS.values() else 0
    key = f"loan_edit_{loan.id}"
    with st.form(key):
        cols = st.columns([2, 1, 1, 1])
        cols[0].text_input(_("Name"), value=loan.name, key=f"{key}_name")
        cols[1].text_input(_("Principal"), value=f"{loan.principal}", key=f"{key}_principal")
        cols[2].text_input(_("Yearly rate %"), value=f"{loan.annual_rate}", key=f"{key}_rate")
        cols[3].number_input(_("Months"), 1, 600, loan.term_months, key=f"{key}_term")
        cols = st.columns([1, 1, 2, 2])
        cols[0].date_input(
            _("First payment"),
            value=loan.first_payment_date,
            key=f"{key}_first",
            format=DATE_FORMAT,
        )
        cols[1].number_input(_("Day of month"), 1, 31, loan.day_of_month, key=f"{key}_day")
        cols[2].selectbox(_("Method"), methods, index=method, key=keyed(f"{key}_method"))
        cols[3].selectbox(_("Category"), labels, index=labels.index(current), key=f"{key}_category")
        if len(choices) > 1:
            account_select(
                st.columns([1, 3])[0], choices, key=f"{key}_account", current=loan.account_id
            )
        st.form_submit_button(
            _("Save changes"),
            on_click=_acting(
                loan.id,
                partial(_update, household_id, loan.id, options, open_accounts(choices)),
                _("Saved."),
            ),
        )


def loans_page() -> None:
    """Render the loans."""
    household_id = require_household_id()
    today = today_of(household_id)
    st.title(_("Loans"))
    st.caption(_("The payment is computed from the terms; every interest is rounded to the agora."))
    choices = account_choices(household_id)
    if may_write():
        _add_form(household_id, today, choices)
    show_note("loans")
    with household_work(household_id) as (session, household):
        found = loans.list_loans(session, household)
    if not found:
        st.info(_("No loans yet."))
    for loan in found:
        _loan_card(household_id, loan, today, choices)
