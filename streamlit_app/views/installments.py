"""The installments page: a form, the plans with progress bars, each plan's schedule."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from domain.db.models import InstallmentPlan
from domain.i18n import N_
from domain.rules.installments import Progress
from domain.services import installment_plans as plans
from streamlit_app.i18n import (
    DATE_FORMAT,
    _,
    show_date,
    show_money,
    show_table,
)
from streamlit_app.session import may_write, require_household_id
from streamlit_app.views.confirm import acting, delete_with_confirmation, show_note
from streamlit_app.views.forms import (
    AccountChoice,
    account_choices,
    account_select,
    category_options,
    household_work,
    money,
    open_accounts,
    run_action,
    today_of,
)

HEADERS = {"date": N_("Date"), "amount": N_("Amount"), "paid": N_("Paid")}


def _add_form(household_id: int, today: date, choices: list[AccountChoice]) -> None:
    with st.expander(_("Add an installment purchase")):
        options = category_options(household_id, "expense")
        with st.form("plan_add", clear_on_submit=True):
            cols = st.columns([2, 1, 1])
            name = cols[0].text_input(_("What"), key="plan_add_name")
            total = cols[1].text_input(_("Total"), key="plan_add_total", placeholder="0.00")
            count = cols[2].number_input(
                _("Payments"), min_value=1, max_value=360, value=12, key="plan_add_count"
            )
            cols = st.columns([1, 1, 2])
            first = cols[0].date_input(
                _("First payment"), value=today, key="plan_add_first", format=DATE_FORMAT
            )
            day = cols[1].number_input(
                _("Day of month"), min_value=1, max_value=31, value=None, key="plan_add_day"
            )
            label = cols[2].selectbox(_("Category"), list(options), key="plan_add_category")
            account_id = (
                account_select(
                    st.columns([1, 3])[0],
                    choices,
                    key="plan_add_account",
                )
                if len(choices) > 1
                else None
            )
            if st.form_submit_button(_("Add"), type="primary"):

                def create() -> None:
                    with household_work(household_id) as (session, household):
                        plans.create_plan(
                            session,
                            household,
                            name=name,
                            total_amount=money(total, "total_amount"),
                            payments_count=int(count),
                            first_payment_date=first,
                            day_of_month=int(day) if day else None,
                            category_id=options[label],
                            account_id=account_id,
                        )

                run_action(create, _("Added {name}.").format(name=name))


def _schedule_frame(household_id: int, plan_id: int) -> pd.DataFrame:
    with household_work(household_id) as (session, household):
        plan = plans.get_plan(session, household, plan_id)
        rows = [
            {
                "#": p.payment.number,
                "date": show_date(p.payment.date),
                "amount": show_money(p.payment.amount),
                "paid": p.paid,
            }
            for p in plans.payments(session, plan)
        ]
    return pd.DataFrame.from_records(rows)


def _edit_form(
    household_id: int,
    plan: InstallmentPlan,
    choices: list[AccountChoice],
    options: dict[str, int | None],
) -> None:
    """The plan's terms, editable once opened; a refused value stays as typed.

    Opened by a toggle, not an expander: an expander's form is built on every run, and a
    household with fifty plans paid for fifty forms it did not open.
    """
    labels = list(options)
    current = next((label for label, i in options.items() if i == plan.category_id), labels[0])
    key = f"plan_edit_{plan.id}"
    if not st.toggle(_("Edit"), key=f"{key}_open"):
        return
    with st.form(key):
        cols = st.columns([2, 1, 1])
        cols[0].text_input(_("What"), value=plan.name, key=f"{key}_name")
        cols[1].text_input(_("Total"), value=f"{plan.total_amount}", key=f"{key}_total")
        cols[2].number_input(_("Payments"), 1, 360, plan.payments_count, key=f"{key}_count")
        cols = st.columns([1, 1, 2])
        cols[0].date_input(
            _("First payment"),
            value=plan.first_payment_date,
            key=f"{key}_first",
            format=DATE_FORMAT,
        )
        cols[1].number_input(_("Day of month"), 1, 31, plan.day_of_month, key=f"{key}_day")
        cols[2].selectbox(_("Category"), labels, index=labels.index(current), key=f"{key}_category")
        if len(choices) > 1:
            account_select(
                st.columns([1, 3])[0],
                choices,
                key=f"{key}_account",
                current=plan.account_id,
            )

        def update() -> None:
            state = st.session_state
            moved = open_accounts(choices).get(state.get(f"{key}_account") or "")
            with household_work(household_id) as (session, household):
                plans.update_plan(
                    session,
                    household,
                    plan.id,
                    ({"account_id": moved} if moved else {})
                    | {
                        "name": state[f"{key}_name"],
                        "total_amount": money(state[f"{key}_total"], "total_amount"),
                        "payments_count": int(state[f"{key}_count"]),
                        "first_payment_date": state[f"{key}_first"],
                        "day_of_month": int(state[f"{key}_day"]),
                        "category_id": options.get(state[f"{key}_category"]),
                    },
                )

        st.form_submit_button(
            _("Save changes"), on_click=acting(f"plan_{plan.id}", update, _("Saved."))
        )


def _plan_actions(
    household_id: int,
    plan: InstallmentPlan,
    today: date,
    choices: list[AccountChoice],
    options: dict[str, int | None],
) -> None:
    def mark() -> None:
        with household_work(household_id) as (session, household):
            plans.mark_paid(session, household, plan.id, on=today)

    def reverse() -> None:
        with household_work(household_id) as (session, household):
            plans.reverse_payment(session, household, plan.id)

    def delete() -> None:
        with household_work(household_id) as (session, household):
            plans.delete_plan(session, household, plan.id)

    row = st.container(horizontal=True)
    if row.button(_("Mark next paid"), key=f"plan_paid_{plan.id}"):
        run_action(mark, _("Recorded.")) and st.rerun()
    if row.button(_("Reverse last"), key=f"plan_reverse_{plan.id}"):
        run_action(reverse, _("Reversed.")) and st.rerun()
    delete_with_confirmation(
        row,
        key=f"plan_delete_{plan.id}",
        note_key="installments",
        label=_("Delete"),
        question=_("Delete {name}? Its payments already recorded stay in the ledger.").format(
            name=plan.name
        ),
        action=delete,
    )
    _edit_form(household_id, plan, choices, options)


def _plan_card(
    household_id: int,
    plan: InstallmentPlan,
    *,
    progress: Progress,
    today: date,
    choices: list[AccountChoice],
    options: dict[str, int | None] | None,
) -> None:
    done = progress.paid_count / plan.payments_count
    st.subheader(plan.name)
    if len(choices) > 1:
        st.caption(
            _("Account: {account}").format(
                account=next((c.label for c in choices if c.id == plan.account_id), "")
            )
        )
    show_note(f"plan_{plan.id}")
    st.progress(
        done,
        text=_("{done} of {count} paid · {paid} paid, {left} to go · next {date}").format(
            done=progress.paid_count,
            count=plan.payments_count,
            paid=show_money(progress.paid_amount),
            left=show_money(progress.remaining_amount),
            date=show_date(progress.next_date),
        )
        if progress.next_date
        else _("all {count} paid · {total}").format(
            count=plan.payments_count, total=show_money(plan.total_amount)
        ),
    )
    if options is not None:  # may write
        _plan_actions(household_id, plan, today, choices, options)
    if st.toggle(_("Schedule"), key=f"plan_schedule_{plan.id}"):
        show_table(_schedule_frame(household_id, plan.id), HEADERS)


def installments_page() -> None:
    """Render the installment plans."""
    household_id = require_household_id()
    today = today_of(household_id)
    st.title(_("Installments"))
    st.caption(_("A purchase split into monthly payments: the parts sum to the total exactly."))
    choices = account_choices(household_id)
    if may_write():
        _add_form(household_id, today, choices)
    show_note("installments")
    with household_work(household_id) as (session, household):
        found = [
            (plan, plans.progress(session, plan)) for plan in plans.list_plans(session, household)
        ]
    if not found:
        st.info(_("No installment plans yet."))
    options = category_options(household_id, "expense") if may_write() and found else None
    for plan, progress in found:
        _plan_card(
            household_id, plan, progress=progress, today=today, choices=choices, options=options
        )
