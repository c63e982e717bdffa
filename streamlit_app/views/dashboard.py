"""The dashboard: KPIs, the balance past and ahead, flows, categories, health.

It also shows the month's top expenses, installments and loans at a glance, upcoming
payments and the scheduler's recent passes.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from domain.db.models import JobRun
from domain.i18n import N_
from domain.rules.dates import local_time
from domain.rules.forecast import Forecast
from domain.rules.forecast_views import Summary, band, lowest_point, summarize
from domain.services import categories, dashboard
from domain.services.forecasting import forecast_for
from domain.services.household_settings import get_household_settings
from domain.services.jobs import job_runs_for_household, recent_job_runs, share_of
from streamlit_app.charts import category_figure, forecast_figure, income_expense_figure
from streamlit_app.i18n import (
    _,
    keyed,
    n_,
    show_date,
    show_money,
    show_table,
)
from streamlit_app.session import require_household_id
from streamlit_app.views.budgets import at_risk_panel
from streamlit_app.views.forecast import safe_box, safe_explained
from streamlit_app.views.forms import NO_CATEGORY, category_name, household_work, today_of


def _kpis(household_id: int, today: date, summary: Summary) -> None:
    with household_work(household_id) as (session, household):
        k = dashboard.kpis(session, household, today, summary=summary)
    cols = st.columns(6)
    cols[0].metric(_("Balance now"), show_money(k.balance))
    cols[1].metric(_("Income this month"), show_money(k.month_income))
    cols[2].metric(_("Expenses this month"), show_money(k.month_expense))
    cols[3].metric(_("Net this month"), show_money(k.month_net))
    cols[4].metric(_("Forecast end"), show_money(k.forecast.end_balance))
    cols[5].metric(
        _("Lowest ahead"),
        show_money(k.forecast.lowest),
        help=_("on {date}").format(date=show_date(k.forecast.lowest_date)),
    )
    safe_box(k.forecast.safe)
    with st.expander(_("How safe to spend is worked out")):
        safe_explained(k.forecast.safe)


def _balance_chart(household_id: int, today: date, forecast: Forecast) -> None:
    with household_work(household_id) as (session, household):
        past = pd.DataFrame(
            dashboard.past_balances(session, household, today), columns=["date", "balance"]
        )
        warning = get_household_settings(session, household).warning_threshold
    low_value, low_date = lowest_point(forecast.daily)
    st.subheader(_("Balance: past and forecast"))
    figure = forecast_figure(
        band(forecast), warning=float(warning), lowest=(low_date, float(low_value)), past=past
    )
    st.plotly_chart(figure, key="dashboard_balance")


FLOW_PERIODS: dict[str, dashboard.SeriesPeriod] = {
    N_("Monthly"): "month",
    N_("Weekly"): "week",
    N_("Quarterly"): "quarter",
}


def _flows(household_id: int, today: date) -> None:
    start, end = dashboard.month_bounds(today)
    left, right = st.columns(2)
    with left:
        st.subheader(_("Income against expenses"))
        shown = {_(name): period for name, period in FLOW_PERIODS.items()}
        label = st.radio(
            _("Per"),
            list(shown),
            horizontal=True,
            key=keyed("dashboard_period"),
            label_visibility="collapsed",
        )
    with household_work(household_id) as (session, household):
        series = dashboard.recent_series(session, household, today, shown.get(label or "", "month"))
        flows = pd.DataFrame([r.__dict__ for r in series])
        shares = pd.DataFrame(
            [c.__dict__ for c in dashboard.category_breakdown(session, household, start, end)]
        )
    with left:
        if flows.empty:
            st.info(_("No transactions in this period yet."))
        else:
            st.plotly_chart(income_expense_figure(flows), key="dashboard_flows")
    with right:
        st.subheader(_("Spending by category this month"))
        if shares.empty:
            st.info(_("No spending recorded this month yet."))
        else:
            st.plotly_chart(category_figure(shares), key="dashboard_categories")


HEADERS = {
    "date": N_("Date"),
    "description": N_("Description"),
    "category": N_("Category"),
    "amount": N_("Amount"),
    "item": N_("Item"),
    "started": N_("Started"),
    "status": N_("Status"),
    "booked for you": N_("Booked for you"),
    "problem": N_("Problem"),
}


def _table(rows: list[dict[str, object]], *, empty: str) -> None:
    """Rows as a table with headers in the reader's language, or a note saying there are none."""
    if rows:
        frame = pd.DataFrame(rows)
        show_table(frame, HEADERS)
    else:
        st.info(empty)


def _expenses_and_commitments(household_id: int, today: date) -> None:
    start, end = dashboard.month_bounds(today)
    with household_work(household_id) as (session, household):
        names = {
            c.id: category_name(c)
            for c in categories.list_categories(session, household, include_archived=True)
        }
        top: list[dict[str, object]] = [
            {
                "date": show_date(t.date),
                "description": t.description,
                "category": names.get(t.category_id, _(NO_CATEGORY))
                if t.category_id
                else _(NO_CATEGORY),
                "amount": show_money(t.amount),
            }
            for t in dashboard.top_expenses(session, household, start, end, limit=5)
        ]
        plans = dashboard.installments_summary(session, household)
        debts = dashboard.loans_summary(session, household, today)
    left, right = st.columns([3, 2])
    with left:
        st.subheader(_("Top expenses this month"))
        _table(top, empty=_("No expenses recorded this month yet."))
    with right:
        st.subheader(_("Installments and loans"))
        plans_col, loans_col = st.columns(2)
        plans_col.metric(_("Installments left"), show_money(plans.remaining_amount))
        plans_col.caption(
            _("{active} of {plans} plans running · {monthly} a month").format(
                active=plans.active, plans=plans.plans, monthly=show_money(plans.monthly_amount)
            )
        )
        loans_col.metric(_("Loan balance left"), show_money(debts.remaining_balance))
        loans_col.caption(
            n_(
                "{count} loan · {monthly} a month", "{count} loans · {monthly} a month", debts.loans
            ).format(count=debts.loans, monthly=show_money(debts.monthly_payment))
        )


def _upcoming_and_health(household_id: int, today: date, summary: Summary) -> None:
    with household_work(household_id) as (session, household):
        upcoming = dashboard.upcoming_payments(session, household, today)
        health = dashboard.financial_health(session, household, today, summary=summary)
    left, right = st.columns([3, 2])
    with left:
        st.subheader(_("Next 30 days"))
        rows: list[dict[str, object]] = [
            {
                "date": show_date(e.date),
                "item": e.label,
                "amount": show_money(e.amount),
            }
            for e in upcoming
        ]
        _table(rows, empty=_("Nothing known is due in the next 30 days."))
    with right:
        st.subheader(_("Financial health"))
        if health.score is None:
            st.metric(_("Score"), _("not enough data yet"))
            st.caption(_(health.reason or ""))
            return
        st.metric(_("Score"), f"{health.score} / 100")
        st.caption(
            _(
                "Savings rate {savings:.0%} · buffer {buffer:.1f} months · "
                "debt {debt:.0%} of income"
            ).format(
                savings=health.savings_rate, buffer=health.buffer_months, debt=health.debt_ratio
            )
        )
        with st.expander(_("How the score is computed")):
            st.write(_(health.formula))


def _pass_row(run: JobRun, household_id: int, zone: str) -> dict[str, object]:
    share = share_of(run, household_id)
    return {
        "started": f"{local_time(run.started_at, zone):%d/%m/%Y %H:%M}",
        "status": _(run.status),
        "booked for you": share.booked,
        "problem": share.error or "",
    }


def job_panel(household_id: int) -> None:
    """The scheduler's last pass, and the recent passes that booked for this household."""
    with household_work(household_id) as (session, household):
        zone = household.timezone
        latest = recent_job_runs(session, job="booking", limit=1)
        rows = [
            _pass_row(run, household_id, zone)
            for run in job_runs_for_household(session, household_id, job="booking", limit=10)
        ]
    st.subheader(_("Scheduler"))
    if not latest:
        st.info(_("The scheduler has not run yet; it books due payments hourly."))
        return
    last = latest[0]
    st.caption(
        _(
            "Last pass {when} ({zone}) · {status}. It books due payments every hour at :05; "
            "below, the passes that booked for you."
        ).format(
            when=f"{local_time(last.started_at, zone):%d/%m/%Y %H:%M}",
            zone=zone,
            status=_(last.status),
        )
    )
    if not rows:
        st.write(_("No pass has booked anything for you yet."))
        return
    _table(rows, empty="")


FIRST_STEPS = (
    ("page_scripts/settings.py", N_("Record your bank balance"), N_("Settings: today's balance")),
    (
        "page_scripts/import_export.py",
        N_("Import a bank or card file"),
        N_("CSV or Excel, up to 10 MB"),
    ),
    (
        "page_scripts/fixed.py",
        N_("Add your salary and rent"),
        N_("Fixed items: what comes and goes"),
    ),
)


def first_steps() -> None:
    """What a new, empty account does first: the forecast needs a balance and known items."""
    with st.container(border=True):
        st.subheader(_("First steps"))
        st.write(
            _(
                "Nothing is recorded yet, so there is no balance to forecast, nothing safe to "
                "spend and no health score. Start here:"
            )
        )
        for number, (page, label, hint) in enumerate(FIRST_STEPS, start=1):
            st.page_link(page, label=f"{number}. {_(label)}")
            st.caption(_(hint))


def dashboard_page() -> None:
    """Render the dashboard under a greeting."""
    household_id = require_household_id()
    today = today_of(household_id)
    with household_work(household_id) as (_session, household):
        st.title(_("Welcome, {name}").format(name=st.session_state.get("name") or household.name))
        st.caption(
            _("Currency {currency} · timezone {zone} · today {today}").format(
                currency=household.currency, zone=household.timezone, today=show_date(today)
            )
        )
    with household_work(household_id) as (session, household):
        empty = not dashboard.has_data(session, household)
    if empty:
        first_steps()
        job_panel(household_id)
        return
    with household_work(household_id) as (session, household):
        forecast = forecast_for(session, household, today)  # once, for every section below
    summary = summarize(forecast)
    _kpis(household_id, today, summary)
    at_risk_panel(household_id, today)
    _balance_chart(household_id, today, forecast)
    _flows(household_id, today)
    _expenses_and_commitments(household_id, today)
    _upcoming_and_health(household_id, today, summary)
    job_panel(household_id)
