"""The scenarios page: build what-ifs from operations, compare, save, ask what is affordable."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

import pandas as pd
import streamlit as st

from domain.errors import DomainError
from domain.i18n import N_
from domain.rules.forecast_views import aggregate, band
from domain.services import fixed, loans, scenarios
from domain.services.forecasting import affordability, compare
from domain.services.household_settings import get_household_settings
from streamlit_app.charts import comparison_figure
from streamlit_app.i18n import (
    DATE_FORMAT,
    _,
    keyed,
    n_,
    select_code,
    show_date,
    show_delta,
    show_money,
    show_month,
    show_table,
)
from streamlit_app.session import may_write, require_household_id
from streamlit_app.views.forms import describe, household_work, money, run_action, today_of

DRAFT = "scenario_draft"
KINDS = {
    N_("A one-off income or expense"): "one_off",
    N_("A new installment purchase"): "new_installment",
    N_("A fixed item changed by a percentage"): "change_fixed",
    N_("A fixed item paused"): "pause_fixed",
    N_("A new fixed item"): "new_fixed",
    N_("A new loan"): "new_loan",
    N_("A loan prepayment"): "loan_prepayment",
}
MODES = {N_("shorten the term"): "shorten_term", N_("lower the payment"): "lower_payment"}
HEADERS = {
    "month": N_("Month"),
    "baseline closing": N_("Baseline closing"),
    "scenario closing": N_("Scenario closing"),
    "difference": N_("Difference"),
    "operation": N_("Operation"),
}
# How each operation reads in the list ({amount}s through the display formatter).
SENTENCES = {
    ("one_off", "expense"): N_("One-off expense {amount} on {date}"),
    ("one_off", "income"): N_("One-off income {amount} on {date}"),
    ("new_installment", ""): N_(
        "New installment purchase {name}: {total} in {count} payments from {date}"
    ),
    ("change_fixed", ""): N_("{name} changed by {percent}%, from {date}"),
    ("pause_fixed", ""): N_("{name} paused from {date}"),
    ("pause_fixed", "until"): N_("{name} paused from {date} until {until}"),
    ("new_fixed", "expense"): N_("New fixed expense {name}: {amount} from {date}"),
    ("new_fixed", "income"): N_("New fixed income {name}: {amount} from {date}"),
    ("new_loan", ""): N_("New loan {name}: {principal} at {rate}%, {months} months from {date}"),
    ("loan_prepayment", "shorten_term"): N_(
        "Prepayment of {amount} on {name} on {date}, shortening the term"
    ),
    ("loan_prepayment", "lower_payment"): N_(
        "Prepayment of {amount} on {name} on {date}, lowering the payment"
    ),
}


def _sources(household_id: int) -> tuple[dict[str, int], dict[str, int]]:
    with household_work(household_id) as (session, household):
        items = {f.name: f.id for f in fixed.list_fixed(session, household)}
        owed = {loan.name: loan.id for loan in loans.list_loans(session, household)}
    return items, owed


@st.fragment
def _operation_form(household_id: int, today: date) -> None:
    """Picking a kind redraws only this form; adding reruns the page once, to compare."""
    items, owed = _sources(household_id)
    kinds = {_(label): code for label, code in KINDS.items()}
    picked = st.selectbox(_("Add an operation"), list(kinds), key=keyed("op_kind"))
    kind = kinds.get(picked or "", "one_off")
    with st.form("op_form", clear_on_submit=True):
        fields = _fields(kind, today, items, owed)
        if st.form_submit_button(_("Add operation")):
            try:
                op = _build(kind, fields)
            except DomainError as exc:
                st.error(describe(exc))
                return
            st.session_state.setdefault(DRAFT, []).append(op)
            st.rerun()


def _fields(kind: str, today: date, items: dict[str, int], owed: dict[str, int]) -> dict[str, Any]:
    tomorrow = today + timedelta(days=1)
    if kind == "one_off":
        return {
            "type": select_code(st, _("Type"), ["expense", "income"], key="op_type"),
            "amount": st.text_input(_("Amount"), key="op_amount"),
            "date": st.date_input(_("On"), value=tomorrow, key="op_date", format=DATE_FORMAT),
            "description": st.text_input(_("Description"), key="op_description"),
        }
    if kind == "new_installment":
        return {
            "name": st.text_input(_("What"), value=_("Purchase"), key="op_name"),
            "total_amount": st.text_input(_("Total"), key="op_total"),
            "payments_count": st.number_input(_("Payments"), 1, 360, 24, key="op_count"),
            "first_payment_date": st.date_input(
                _("First payment"), value=tomorrow, key="op_first", format=DATE_FORMAT
            ),
        }
    if kind in ("change_fixed", "pause_fixed"):
        picked = st.selectbox(_("Fixed item"), list(items) or [_("(none yet)")], key="op_fixed")
        extra = (
            {"percent": st.number_input(_("Change %"), -99, 500, 10, key="op_percent")}
            if kind == "change_fixed"
            else {
                "until": st.date_input(
                    _("Until (optional)"), value=None, key="op_until", format=DATE_FORMAT
                )
            }
        )
        return {
            "fixed_id": items.get(picked),
            "from_date": st.date_input(
                _("From"), value=tomorrow, key="op_from", format=DATE_FORMAT
            ),
            **extra,
        }
    if kind == "new_fixed":
        return {
            "name": st.text_input(_("Name"), key="op_fixed_name"),
            "type": select_code(st, _("Type"), ["expense", "income"], key="op_fixed_type"),
            "amount": st.text_input(_("Amount"), key="op_fixed_amount"),
            "start_date": st.date_input(
                _("Start"), value=tomorrow, key="op_fixed_start", format=DATE_FORMAT
            ),
        }
    if kind == "new_loan":
        return {
            "name": st.text_input(_("Name"), value=_("Loan"), key="op_loan_name"),
            "principal": st.text_input(_("Principal"), key="op_principal"),
            "annual_rate": st.text_input(_("Yearly rate %"), value="5.0", key="op_rate"),
            "term_months": st.number_input(_("Months"), 1, 600, 60, key="op_term"),
            "first_payment_date": st.date_input(
                _("First payment"), value=tomorrow, key="op_loan_first", format=DATE_FORMAT
            ),
        }
    picked = st.selectbox(_("Loan"), list(owed) or [_("(none yet)")], key="op_loan")
    modes = {_(label): code for label, code in MODES.items()}
    mode = st.selectbox(_("Then"), list(modes), key=keyed("op_mode"))
    return {
        "loan_id": owed.get(picked),
        "amount": st.text_input(_("Amount"), key="op_prepay"),
        "date": st.date_input(_("On"), value=tomorrow, key="op_prepay_date", format=DATE_FORMAT),
        "mode": modes.get(mode or "", "shorten_term"),
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


def _compare(household_id: int, today: date, operations: list[dict[str, Any]]) -> None:
    with household_work(household_id) as (session, household):
        result = compare(session, household, today, operations)
        warning = get_household_settings(session, household).warning_threshold
    st.plotly_chart(
        comparison_figure(band(result.baseline), band(result.scenario), warning=float(warning)),
        key="scenario_chart",
    )
    base, other = result.baseline_summary, result.scenario_summary
    cols = st.columns(3)
    cols[0].metric(
        _("Lowest balance"),
        show_money(other.lowest),
        delta=show_delta(other.lowest - base.lowest),
    )
    cols[1].metric(
        _("End balance"),
        show_money(other.end_balance),
        delta=show_delta(other.end_balance - base.end_balance),
    )
    cols[2].metric(
        _("Safe to spend"),
        show_money(other.safe.amount),
        delta=show_delta(other.safe.amount - base.safe.amount),
    )
    months = aggregate(result.baseline, "monthly").merge(
        aggregate(result.scenario, "monthly"), on="period", suffixes=(" baseline", " scenario")
    )
    table = pd.DataFrame(
        {
            "month": months["start baseline"].map(show_month),
            "baseline closing": months["closing baseline"].map(show_money),
            "scenario closing": months["closing scenario"].map(show_money),
            "difference": (months["closing scenario"] - months["closing baseline"]).map(show_money),
        }
    )
    show_table(table, HEADERS)


def _money_text(value: object) -> str:
    try:
        return show_money(Decimal(str(value)))
    except InvalidOperation:
        return str(value)


def _date_text(value: object) -> str:
    try:
        return show_date(date.fromisoformat(str(value)))
    except ValueError:
        return str(value)


def _variant(op: dict[str, Any]) -> str:
    kind = op.get("op")
    if kind in ("one_off", "new_fixed"):
        return "income" if op.get("type") == "income" else "expense"
    if kind == "pause_fixed":
        return "until" if op.get("until") else ""
    if kind == "loan_prepayment":
        return "lower_payment" if op.get("mode") == "lower_payment" else "shorten_term"
    return ""


def describe_operation(op: dict[str, Any], items: dict[int, str], owed: dict[int, str]) -> str:
    """An operation as one sentence: money and dates as the reader reads them."""
    sentence = SENTENCES.get((str(op.get("op")), _variant(op)))
    if sentence is None:
        return json.dumps(op, ensure_ascii=False)  # an operation this page does not know
    first = op.get("date") or op.get("first_payment_date") or op.get("from_date")
    text = _(sentence).format(
        amount=_money_text(op.get("amount")),
        total=_money_text(op.get("total_amount")),
        principal=_money_text(op.get("principal")),
        date=_date_text(first or op.get("start_date")),
        until=_date_text(op.get("until")),
        count=op.get("payments_count"),
        percent=op.get("percent"),
        rate=op.get("annual_rate"),
        months=op.get("term_months"),
        name=op.get("name")
        or items.get(op.get("fixed_id") or 0)
        or owed.get(op.get("loan_id") or 0)
        or "",
    )
    described = op.get("description") if op.get("op") == "one_off" else None
    return f"{text} · {described}" if described else text


def _remove(index: int) -> None:
    draft = st.session_state.get(DRAFT, [])
    if 0 <= index < len(draft):
        st.session_state[DRAFT] = draft[:index] + draft[index + 1 :]


def _operations(household_id: int, draft: list[dict[str, Any]]) -> None:
    """The draft's operations, one readable row each with its own Remove button."""
    items, owed = _sources(household_id)
    names = {i: n for n, i in items.items()}, {i: n for n, i in owed.items()}
    for index, op in enumerate(draft):
        with st.container(horizontal=True, vertical_alignment="center"):
            st.markdown(f"{index + 1}. {describe_operation(op, *names)}", width="stretch")
            st.button(_("Remove"), key=f"scenario_remove_{index}", on_click=_remove, args=(index,))


def _draft_section(household_id: int, today: date) -> None:
    draft: list[dict[str, Any]] = st.session_state.get(DRAFT, [])
    st.subheader(_("This scenario"))
    if not draft:
        st.info(_("Add operations above to build a scenario."))
        return
    _operations(household_id, draft)
    cols = st.columns([1, 1, 2])
    if cols[0].button(_("Clear"), key="scenario_clear"):
        st.session_state[DRAFT] = []
        st.rerun()
    name = cols[2].text_input(_("Name"), value=_("My scenario"), key="scenario_name")
    if may_write() and cols[1].button(_("Save"), key="scenario_save"):

        def save() -> None:
            with household_work(household_id) as (session, household):
                scenarios.create_scenario(
                    session, household, name=name, operations=draft, today=today
                )

        run_action(save, _("Saved {name}.").format(name=name))
    try:
        _compare(household_id, today, draft)
    except DomainError as exc:
        st.error(describe(exc))


def _saved(household_id: int) -> None:
    with household_work(household_id) as (session, household):
        found = [(s.id, s.name, s.operations) for s in scenarios.list_scenarios(session, household)]
    if not found:
        return
    st.subheader(_("Saved scenarios"))
    for scenario_id, name, operations in found:
        cols = st.columns([3, 1])
        count = len(operations)
        cols[0].write(
            n_("**{name}** · {count} operation", "**{name}** · {count} operations", count).format(
                name=name, count=count
            )
        )
        if cols[1].button(_("Open"), key=f"scenario_open_{scenario_id}"):
            st.session_state[DRAFT] = list(operations)
            st.rerun()


def _afford(household_id: int, today: date) -> None:
    st.subheader(_("Can I afford it?"))
    with st.form("afford_form"):
        cols = st.columns(2)
        amount = cols[0].text_input(_("Purchase amount"), key="afford_amount")
        when = cols[1].date_input(_("On"), value=today, key="afford_date", format=DATE_FORMAT)
        if st.form_submit_button(_("Ask")):
            try:
                with household_work(household_id) as (session, household):
                    answer = affordability(
                        session, household, today, amount=money(amount, "amount"), on=when
                    )
            except DomainError as exc:
                st.error(describe(exc))
                return
            window = _(
                "Checked from {start} through {end}: every installment plus one month, at "
                "least your forecast horizon and the lowest point ahead on the 36-month forecast."
            ).format(start=show_date(answer.checked_from), end=show_date(answer.checked_through))
            if answer.installments is None:
                st.warning(
                    _(
                        "No split into 1 to 36 installments keeps your forecast at or above "
                        "the warning level. {window}"
                    ).format(window=window)
                )
            else:
                st.success(
                    n_(
                        "Affordable in {count} installment of about {payment}; the lowest "
                        "balance would be {lowest} on {date}. {window}",
                        "Affordable in {count} installments of about {payment}; the lowest "
                        "balance would be {lowest} on {date}. {window}",
                        answer.installments,
                    ).format(
                        count=answer.installments,
                        payment=show_money(answer.monthly_payment or answer.lowest),
                        lowest=show_money(answer.lowest),
                        date=show_date(answer.lowest_date),
                        window=window,
                    )
                )


def scenarios_page() -> None:
    """Render the scenarios."""
    household_id = require_household_id()
    today = today_of(household_id)
    st.title(_("Scenarios"))
    st.caption(_("What if...? Operations apply on top of your real data; nothing here changes it."))
    _operation_form(household_id, today)
    _draft_section(household_id, today)
    _saved(household_id)
    _afford(household_id, today)
