"""The loans page: a form, the amortization table and chart, payments and prepayments."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import partial

import pandas as pd
import streamlit as st

from domain.db.models import Loan
from domain.errors import DomainError
from domain.rules.money import format_money
from domain.services import loans
from domain.services.sources import booked_dates
from streamlit_app.charts import amortization_figure
from streamlit_app.session import require_user_id
from streamlit_app.views.forms import (
    category_options,
    describe,
    money,
    run_action,
    today_of,
    user_work,
)

METHODS = {"Spitzer (equal payments)": "spitzer", "Equal principal": "equal_principal"}


def _rate(text: str) -> object:
    return money(text or "0", "annual_rate")


def _add_form(user_id: int, today: date) -> None:
    with st.expander("Add a loan"):
        options = category_options(user_id, "expense")
        with st.form("loan_add", clear_on_submit=True):
            cols = st.columns([2, 1, 1, 1])
            name = cols[0].text_input("Name", key="loan_add_name")
            principal = cols[1].text_input("Principal", key="loan_add_principal")
            rate = cols[2].text_input("Yearly rate %", key="loan_add_rate", placeholder="5.0")
            term = cols[3].number_input(
                "Months", min_value=1, max_value=600, value=60, key="loan_add_term"
            )
            cols = st.columns([1, 1, 2, 2])
            first = cols[0].date_input("First payment", value=today, key="loan_add_first")
            day = cols[1].number_input(
                "Day of month", min_value=1, max_value=31, value=None, key="loan_add_day"
            )
            method = cols[2].selectbox("Method", list(METHODS), key="loan_add_method")
            label = cols[3].selectbox("Category", list(options), key="loan_add_category")
            if st.form_submit_button("Add", type="primary"):

                def create() -> None:
                    with user_work(user_id) as (session, user):
                        loans.create_loan(
                            session,
                            user,
                            name=name,
                            principal=money(principal, "principal"),
                            annual_rate=_rate(rate),
                            term_months=int(term),
                            first_payment_date=first,
                            day_of_month=int(day) if day else None,
                            method=METHODS[method],
                            category_id=options[label],
                        )

                run_action(create, f"Added {name}.")


def _schedule(user_id: int, loan_id: int) -> pd.DataFrame:
    with user_work(user_id) as (session, user):
        loan = loans.get_loan(session, user, loan_id)
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


def _prepay(user_id: int, loan_id: int) -> None:
    state = st.session_state
    mode = state[f"prepay_mode_{loan_id}"]
    with user_work(user_id) as (session, user):
        loans.prepay(
            session,
            user,
            loan_id,
            amount=money(state[f"prepay_amount_{loan_id}"], "amount"),
            on=state[f"prepay_date_{loan_id}"],
            mode="shorten_term" if mode.startswith("shorten") else "lower_payment",
        )


def _pay(user_id: int, loan_id: int, today: date) -> None:
    with user_work(user_id) as (session, user):
        loans.record_payment(session, user, loan_id, on=today)


def _reverse(user_id: int, loan_id: int) -> None:
    with user_work(user_id) as (session, user):
        loans.reverse_payment(session, user, loan_id)


def _prepay_form(user_id: int, loan: Loan, today: date) -> None:
    with st.form(f"prepay_{loan.id}", clear_on_submit=True):
        cols = st.columns([1, 1, 2])
        cols[0].text_input("Prepayment", key=f"prepay_amount_{loan.id}")
        cols[1].date_input("On", value=today, key=f"prepay_date_{loan.id}")
        cols[2].radio(
            "Then", ["shorten the term", "lower the payment"], key=f"prepay_mode_{loan.id}"
        )
        st.form_submit_button(
            "Prepay",
            on_click=_acting(loan.id, partial(_prepay, user_id, loan.id), "Prepayment recorded."),
        )


def _loan_card(user_id: int, loan: Loan, today: date) -> None:
    with user_work(user_id) as (session, _):
        where = loans.status(session, loan, today)
    st.subheader(loan.name)
    note = st.session_state.pop(_note_key(loan.id), None)
    if note is not None:
        (st.error if note[0] == "error" else st.success)(note[1])
    cols = st.columns(4)
    cols[0].metric("Monthly payment", format_money(where.payment))
    cols[1].metric("Remaining balance", format_money(where.remaining_balance))
    cols[2].metric("Paid", f"{where.paid_count} of {loan.term_months}")
    cols[3].metric("Ends", f"{where.end_date:%m/%Y}" if where.end_date else "-")
    schedule = _schedule(user_id, loan.id)
    if not schedule.empty:
        st.plotly_chart(amortization_figure(schedule), key=f"loan_chart_{loan.id}")
        shown = schedule.copy()
        for column in ("payment", "principal", "interest", "prepayment", "balance"):
            shown[column] = shown[column].map(format_money)
        with st.expander("Amortization table"):
            st.dataframe(shown, hide_index=True, width="stretch")
    buttons = st.columns([1, 1, 4])
    buttons[0].button(
        "Record next payment",
        key=f"loan_pay_{loan.id}",
        on_click=_acting(loan.id, partial(_pay, user_id, loan.id, today), "Recorded."),
    )
    buttons[1].button(
        "Reverse last",
        key=f"loan_reverse_{loan.id}",
        on_click=_acting(loan.id, partial(_reverse, user_id, loan.id), "Reversed."),
    )
    _prepay_form(user_id, loan, today)


def loans_page() -> None:
    """Render the loans."""
    user_id = require_user_id()
    today = today_of(user_id)
    st.title("Loans")
    st.caption("The payment is computed from the terms; every interest is rounded to the agora.")
    _add_form(user_id, today)
    with user_work(user_id) as (session, user):
        found = loans.list_loans(session, user)
    if not found:
        st.info("No loans yet.")
    for loan in found:
        _loan_card(user_id, loan, today)
