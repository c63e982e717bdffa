"""The dashboard: KPIs, the balance past and ahead, flows, categories, health.

It also shows the month's top expenses, installments and loans at a glance, upcoming
payments and the scheduler's recent passes.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from domain.db.models import JobRun
from domain.rules.dates import local_time
from domain.rules.forecast import Forecast
from domain.rules.forecast_views import Summary, band, lowest_point, summarize
from domain.rules.money import format_money
from domain.services import categories, dashboard
from domain.services.forecasting import forecast_for
from domain.services.jobs import job_runs_for_user, recent_job_runs, share_of
from domain.services.user_settings import get_user_settings
from streamlit_app.charts import category_figure, forecast_figure, income_expense_figure
from streamlit_app.session import require_user_id
from streamlit_app.views.forecast import safe_box, safe_explained
from streamlit_app.views.forms import NO_CATEGORY, today_of, user_work


def _kpis(user_id: int, today: date, summary: Summary) -> None:
    with user_work(user_id) as (session, user):
        k = dashboard.kpis(session, user, today, summary=summary)
    cols = st.columns(6)
    cols[0].metric("Balance now", format_money(k.balance))
    cols[1].metric("Income this month", format_money(k.month_income))
    cols[2].metric("Expenses this month", format_money(k.month_expense))
    cols[3].metric("Net this month", format_money(k.month_net))
    cols[4].metric("Forecast end", format_money(k.forecast.end_balance))
    cols[5].metric(
        "Lowest ahead",
        format_money(k.forecast.lowest),
        help=f"on {k.forecast.lowest_date:%d/%m/%Y}",
    )
    safe_box(k.forecast.safe)
    with st.expander("How safe to spend is worked out"):
        safe_explained(k.forecast.safe)


def _balance_chart(user_id: int, today: date, forecast: Forecast) -> None:
    with user_work(user_id) as (session, user):
        past = pd.DataFrame(
            dashboard.past_balances(session, user, today), columns=["date", "balance"]
        )
        warning = get_user_settings(session, user).warning_threshold
    low_value, low_date = lowest_point(forecast.daily)
    st.subheader("Balance: past and forecast")
    figure = forecast_figure(
        band(forecast), warning=float(warning), lowest=(low_date, float(low_value)), past=past
    )
    st.plotly_chart(figure, key="dashboard_balance")


FLOW_PERIODS: dict[str, dashboard.SeriesPeriod] = {
    "Monthly": "month",
    "Weekly": "week",
    "Quarterly": "quarter",
}


def _flows(user_id: int, today: date) -> None:
    start, end = dashboard.month_bounds(today)
    left, right = st.columns(2)
    with left:
        st.subheader("Income against expenses")
        label = st.radio(
            "Per",
            list(FLOW_PERIODS),
            horizontal=True,
            key="dashboard_period",
            label_visibility="collapsed",
        )
    with user_work(user_id) as (session, user):
        series = dashboard.recent_series(session, user, today, FLOW_PERIODS[label or "Monthly"])
        flows = pd.DataFrame([r.__dict__ for r in series])
        shares = pd.DataFrame(
            [c.__dict__ for c in dashboard.category_breakdown(session, user, start, end)]
        )
    with left:
        if flows.empty:
            st.info("No transactions in this period yet.")
        else:
            st.plotly_chart(income_expense_figure(flows), key="dashboard_flows")
    with right:
        st.subheader("Spending by category this month")
        if shares.empty:
            st.info("No spending recorded this month yet.")
        else:
            st.plotly_chart(category_figure(shares), key="dashboard_categories")


def _table(rows: list[dict[str, object]], *, empty: str) -> None:
    """Rows as a table, or a note saying there are none."""
    if rows:
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    else:
        st.info(empty)


def _expenses_and_commitments(user_id: int, today: date) -> None:
    start, end = dashboard.month_bounds(today)
    with user_work(user_id) as (session, user):
        names = {
            c.id: c.name for c in categories.list_categories(session, user, include_archived=True)
        }
        top = [
            {
                "date": t.date,
                "description": t.description,
                "category": names.get(t.category_id, NO_CATEGORY) if t.category_id else NO_CATEGORY,
                "amount": format_money(t.amount),
            }
            for t in dashboard.top_expenses(session, user, start, end, limit=5)
        ]
        plans = dashboard.installments_summary(session, user)
        debts = dashboard.loans_summary(session, user, today)
    left, right = st.columns([3, 2])
    with left:
        st.subheader("Top expenses this month")
        _table(top, empty="No expenses recorded this month yet.")
    with right:
        st.subheader("Installments and loans")
        plans_col, loans_col = st.columns(2)
        plans_col.metric("Installments left", format_money(plans.remaining_amount))
        plans_col.caption(
            f"{plans.active} of {plans.plans} plans running · "
            f"{format_money(plans.monthly_amount)} a month"
        )
        loans_col.metric("Loan balance left", format_money(debts.remaining_balance))
        loans_col.caption(
            f"{debts.loans} loan{'' if debts.loans == 1 else 's'} · "
            f"{format_money(debts.monthly_payment)} a month"
        )


def _upcoming_and_health(user_id: int, today: date, summary: Summary) -> None:
    with user_work(user_id) as (session, user):
        upcoming = dashboard.upcoming_payments(session, user, today)
        health = dashboard.financial_health(session, user, today, summary=summary)
    left, right = st.columns([3, 2])
    with left:
        st.subheader("Next 30 days")
        rows = [
            {"date": e.date, "item": e.label, "amount": format_money(e.amount)} for e in upcoming
        ]
        _table(rows, empty="Nothing known is due in the next 30 days.")
    with right:
        st.subheader("Financial health")
        if health.score is None:
            st.metric("Score", "not enough data yet")
            st.caption(health.reason or "")
            return
        st.metric("Score", f"{health.score} / 100")
        st.caption(
            f"Savings rate {health.savings_rate:.0%} · buffer {health.buffer_months:.1f} months · "
            f"debt {health.debt_ratio:.0%} of income"
        )
        with st.expander("How the score is computed"):
            st.write(health.formula)


def _pass_row(run: JobRun, user_id: int, zone: str) -> dict[str, object]:
    share = share_of(run, user_id)
    return {
        "started": f"{local_time(run.started_at, zone):%d/%m/%Y %H:%M}",
        "status": run.status,
        "booked for you": share.booked,
        "problem": share.error or "",
    }


def job_panel(user_id: int) -> None:
    """The scheduler's last pass, and the recent passes that booked for this user."""
    with user_work(user_id) as (session, user):
        zone = user.timezone
        latest = recent_job_runs(session, job="booking", limit=1)
        rows = [
            _pass_row(run, user_id, zone)
            for run in job_runs_for_user(session, user_id, job="booking", limit=10)
        ]
    st.subheader("Scheduler")
    if not latest:
        st.info("The scheduler has not run yet; it books due payments hourly.")
        return
    last = latest[0]
    st.caption(
        f"Last pass {local_time(last.started_at, zone):%d/%m/%Y %H:%M} ({zone}) · {last.status}. "
        "It books due payments every hour at :05; below, the passes that booked for you."
    )
    if not rows:
        st.write("No pass has booked anything for you yet.")
        return
    st.dataframe(pd.DataFrame.from_records(rows), hide_index=True, width="stretch")


FIRST_STEPS = (
    ("page_scripts/settings.py", "Record your bank balance", "Settings: today's balance"),
    ("page_scripts/import_export.py", "Import a bank or card file", "CSV or Excel, up to 10 MB"),
    ("page_scripts/fixed.py", "Add your salary and rent", "Fixed items: what comes and goes"),
)


def first_steps() -> None:
    """What a new, empty account does first: the forecast needs a balance and known items."""
    with st.container(border=True):
        st.subheader("First steps")
        st.write(
            "Nothing is recorded yet, so there is no balance to forecast, nothing safe to "
            "spend and no health score. Start here:"
        )
        for number, (page, label, hint) in enumerate(FIRST_STEPS, start=1):
            st.page_link(page, label=f"{number}. {label}")
            st.caption(hint)


def dashboard_page() -> None:
    """Render the dashboard under a greeting."""
    user_id = require_user_id()
    today = today_of(user_id)
    with user_work(user_id) as (_, user):
        st.title(f"Welcome, {user.display_name}")
        st.caption(f"Currency {user.currency} · timezone {user.timezone} · today {today:%d/%m/%Y}")
    with user_work(user_id) as (session, user):
        empty = not dashboard.has_data(session, user)
    if empty:
        first_steps()
        job_panel(user_id)
        return
    with user_work(user_id) as (session, user):
        forecast = forecast_for(session, user, today)  # once, for every section below
    summary = summarize(forecast)
    _kpis(user_id, today, summary)
    _balance_chart(user_id, today, forecast)
    _flows(user_id, today)
    _expenses_and_commitments(user_id, today)
    _upcoming_and_health(user_id, today, summary)
    job_panel(user_id)
