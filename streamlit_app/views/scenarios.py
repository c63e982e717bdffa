"""The scenarios page: build what-ifs from operations, compare, save, ask what is affordable."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pandas as pd
import streamlit as st

from domain.errors import DomainError
from domain.rules.forecast_views import aggregate, band
from domain.rules.money import format_money
from domain.services import fixed, loans, scenarios
from domain.services.forecasting import affordability, compare
from domain.services.user_settings import get_user_settings
from streamlit_app.charts import comparison_figure
from streamlit_app.session import require_user_id
from streamlit_app.views.forms import describe, money, run_action, today_of, user_work

DRAFT = "scenario_draft"
KINDS = {
    "A one-off income or expense": "one_off",
    "A new installment purchase": "new_installment",
    "A fixed item changed by a percentage": "change_fixed",
    "A fixed item paused": "pause_fixed",
    "A new fixed item": "new_fixed",
    "A new loan": "new_loan",
    "A loan prepayment": "loan_prepayment",
}


def _sources(user_id: int) -> tuple[dict[str, int], dict[str, int]]:
    with user_work(user_id) as (session, user):
        items = {f.name: f.id for f in fixed.list_fixed(session, user)}
        owed = {loan.name: loan.id for loan in loans.list_loans(session, user)}
    return items, owed


def _operation_form(user_id: int, today: date) -> None:
    items, owed = _sources(user_id)
    kind = KINDS[st.selectbox("Add an operation", list(KINDS), key="op_kind")]
    with st.form("op_form", clear_on_submit=True):
        fields = _fields(kind, today, items, owed)
        if st.form_submit_button("Add operation"):
            try:
                op = _build(kind, fields)
            except DomainError as exc:
                st.error(describe(exc))
                return
            st.session_state.setdefault(DRAFT, []).append(op)


def _fields(kind: str, today: date, items: dict[str, int], owed: dict[str, int]) -> dict[str, Any]:
    tomorrow = today + timedelta(days=1)
    if kind == "one_off":
        return {
            "type": st.selectbox("Type", ["expense", "income"], key="op_type"),
            "amount": st.text_input("Amount", key="op_amount"),
            "date": st.date_input("On", value=tomorrow, key="op_date"),
            "description": st.text_input("Description", key="op_description"),
        }
    if kind == "new_installment":
        return {
            "name": st.text_input("What", value="Purchase", key="op_name"),
            "total_amount": st.text_input("Total", key="op_total"),
            "payments_count": st.number_input("Payments", 1, 360, 24, key="op_count"),
            "first_payment_date": st.date_input("First payment", value=tomorrow, key="op_first"),
        }
    if kind in ("change_fixed", "pause_fixed"):
        picked = st.selectbox("Fixed item", list(items) or ["(none yet)"], key="op_fixed")
        extra = (
            {"percent": st.number_input("Change %", -99, 500, 10, key="op_percent")}
            if kind == "change_fixed"
            else {"until": st.date_input("Until (optional)", value=None, key="op_until")}
        )
        return {
            "fixed_id": items.get(picked),
            "from_date": st.date_input("From", value=tomorrow, key="op_from"),
            **extra,
        }
    if kind == "new_fixed":
        return {
            "name": st.text_input("Name", key="op_fixed_name"),
            "type": st.selectbox("Type", ["expense", "income"], key="op_fixed_type"),
            "amount": st.text_input("Amount", key="op_fixed_amount"),
            "start_date": st.date_input("Start", value=tomorrow, key="op_fixed_start"),
        }
    if kind == "new_loan":
        return {
            "name": st.text_input("Name", value="Loan", key="op_loan_name"),
            "principal": st.text_input("Principal", key="op_principal"),
            "annual_rate": st.text_input("Yearly rate %", value="5.0", key="op_rate"),
            "term_months": st.number_input("Months", 1, 600, 60, key="op_term"),
            "first_payment_date": st.date_input(
                "First payment", value=tomorrow, key="op_loan_first"
            ),
        }
    picked = st.selectbox("Loan", list(owed) or ["(none yet)"], key="op_loan")
    return {
        "loan_id": owed.get(picked),
        "amount": st.text_input("Amount", key="op_prepay"),
        "date": st.date_input("On", value=tomorrow, key="op_prepay_date"),
        "mode": st.selectbox("Then", ["shorten_term", "lower_payment"], key="op_mode"),
    }


def _build(kind: str, fields: dict[str, Any]) -> dict[str, Any]:
    op: dict[str, Any] = {"op": kind}
    for name, value in fields.items():
        if name in ("amount", "total_amount", "principal"):
            op[name] = str(money(str(value or ""), name))
        elif isinstance(value, date):
            op[name] = value.isoformat()
        elif value is not None:
            op[name] = value if not isinstance(value, float) else int(value)
    return op


def _compare(user_id: int, today: date, operations: list[dict[str, Any]]) -> None:
    with user_work(user_id) as (session, user):
        result = compare(session, user, today, operations)
        warning = get_user_settings(session, user).warning_threshold
    st.plotly_chart(
        comparison_figure(band(result.baseline), band(result.scenario), warning=float(warning)),
        key="scenario_chart",
    )
    base, other = result.baseline_summary, result.scenario_summary
    cols = st.columns(3)
    cols[0].metric(
        "Lowest balance", format_money(other.lowest), delta=format_money(other.lowest - base.lowest)
    )
    cols[1].metric(
        "End balance",
        format_money(other.end_balance),
        delta=format_money(other.end_balance - base.end_balance),
    )
    cols[2].metric(
        "Safe to spend",
        format_money(other.safe.amount),
        delta=format_money(other.safe.amount - base.safe.amount),
    )
    months = aggregate(result.baseline, "monthly").merge(
        aggregate(result.scenario, "monthly"), on="period", suffixes=(" baseline", " scenario")
    )
    table = pd.DataFrame(
        {
            "month": months["period"],
            "baseline closing": months["closing baseline"].map(format_money),
            "scenario closing": months["closing scenario"].map(format_money),
            "difference": (months["closing scenario"] - months["closing baseline"]).map(
                format_money
            ),
        }
    )
    st.dataframe(table, hide_index=True, width="stretch")


def _draft_section(user_id: int, today: date) -> None:
    draft: list[dict[str, Any]] = st.session_state.get(DRAFT, [])
    st.subheader("This scenario")
    if not draft:
        st.info("Add operations above to build a scenario.")
        return
    st.dataframe(
        pd.DataFrame([{"operation": str(op)} for op in draft]), hide_index=True, width="stretch"
    )
    cols = st.columns([1, 1, 2])
    if cols[0].button("Clear", key="scenario_clear"):
        st.session_state[DRAFT] = []
        st.rerun()
    name = cols[2].text_input("Name", value="My scenario", key="scenario_name")
    if cols[1].button("Save", key="scenario_save"):

        def save() -> None:
            with user_work(user_id) as (session, user):
                scenarios.create_scenario(session, user, name=name, operations=draft, today=today)

        run_action(save, f"Saved {name}.")
    try:
        _compare(user_id, today, draft)
    except DomainError as exc:
        st.error(describe(exc))


def _saved(user_id: int) -> None:
    with user_work(user_id) as (session, user):
        found = [(s.id, s.name, s.operations) for s in scenarios.list_scenarios(session, user)]
    if not found:
        return
    st.subheader("Saved scenarios")
    for scenario_id, name, operations in found:
        cols = st.columns([3, 1])
        cols[0].write(f"**{name}** · {len(operations)} operation(s)")
        if cols[1].button("Open", key=f"scenario_open_{scenario_id}"):
            st.session_state[DRAFT] = list(operations)
            st.rerun()


def _afford(user_id: int, today: date) -> None:
    st.subheader("Can I afford it?")
    with st.form("afford_form"):
        cols = st.columns(2)
        amount = cols[0].text_input("Purchase amount", key="afford_amount")
        when = cols[1].date_input("On", value=today, key="afford_date")
        if st.form_submit_button("Ask"):
            try:
                with user_work(user_id) as (session, user):
                    answer = affordability(
                        session, user, today, amount=money(amount, "amount"), on=when
                    )
            except DomainError as exc:
                st.error(describe(exc))
                return
            window = (
                f"Checked from {answer.checked_from:%d/%m/%Y} through "
                f"{answer.checked_through:%d/%m/%Y}: every installment plus one month, at "
                "least your forecast horizon and the lowest point ahead on the 36-month forecast."
            )
            if answer.installments is None:
                st.warning(
                    "No split into 1 to 36 installments keeps your forecast at or above "
                    f"the warning level. {window}"
                )
            else:
                st.success(
                    f"Affordable in {answer.installments} installment(s) of about "
                    f"{format_money(answer.monthly_payment or answer.lowest)}; "
                    "the lowest balance would be "
                    f"{format_money(answer.lowest)} on {answer.lowest_date:%d/%m/%Y}. {window}"
                )


def scenarios_page() -> None:
    """Render the scenarios."""
    user_id = require_user_id()
    today = today_of(user_id)
    st.title("Scenarios")
    st.caption("What if...? Operations apply on top of your real data; nothing here changes it.")
    _operation_form(user_id, today)
    _draft_section(user_id, today)
    _saved(user_id)
    _afford(user_id, today)
