"""The dashboard: KPIs, the balance past and ahead, flows, categories, health.

It also shows the month's top expenses, installments and loans at a glance, upcoming
payments and the scheduler's recent passes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import partial
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from domain.db.models import JobRun
from domain.i18n import N_
from domain.rules.dates import local_time
from domain.rules.forecast import Event
from domain.rules.forecast_views import band, lowest_point, summarize
from domain.rules.ledger import LedgerFilter
from domain.services import balance, categories, dashboard, fixed, transactions
from domain.services.jobs import job_runs_for_household, recent_job_runs, share_of
from streamlit_app import cache
from streamlit_app.cache import cached
from streamlit_app.charts import category_figure, forecast_figure, income_expense_figure
from streamlit_app.i18n import (
    DATE_FORMAT,
    _,
    currency,
    keyed,
    language,
    n_,
    show_date,
    show_money,
    show_table,
)
from streamlit_app.session import may_write, require_household_id
from streamlit_app.views.budgets import at_risk_panel
from streamlit_app.views.confirm import acting, show_note
from streamlit_app.views.forecast import safe_box, safe_explained
from streamlit_app.views.forms import (
    NO_CATEGORY,
    account_choices,
    account_filter,
    category_name,
    household_work,
    money,
    today_of,
)


def _kpis(k: dashboard.Kpis, *, card: bool = False) -> None:
    with st.container(key="dashboard_kpis"):  # a compact grid on a phone (i18n's CSS)
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
    if card:  # nothing is spent from what a card owes
        return
    safe_box(k.forecast.safe)
    with st.expander(_("How safe to spend is worked out")):
        safe_explained(k.forecast.safe)


def _flat(values: pd.Series) -> bool:
    """Nothing to draw: no value, or one value all along."""
    return values.empty or bool((values == values.iloc[0]).all())


@cache.shared
def _balance_figure(
    household_id: int,
    data: str,
    today: date,
    reader: tuple[str, str],
    account_id: int | None = None,
) -> go.Figure | None:
    """The balance chart for `data` (the version) and `reader` (language, currency).

    None while there is nothing to draw (a flat forecast and a flat past).
    """
    del reader  # the key: the axes and labels are in the reader's language and currency
    figures = _home_figures(household_id, data, today, account_id)
    forecast = cache.home_forecast(household_id, data, today, account_id)
    past = pd.DataFrame(figures.past, columns=["date", "balance"])
    low_value, low_date = lowest_point(forecast.daily)
    paths = band(forecast)
    if _flat(paths["p50"]) and _flat(past["balance"]):
        return None
    return forecast_figure(
        paths, warning=float(figures.warning), lowest=(low_date, float(low_value)), past=past
    )


def _balance_chart(household_id: int, data: str, today: date, account_id: int | None) -> None:
    st.subheader(_("Balance: past and forecast"))
    figure = _balance_figure(household_id, data, today, (language(), currency()), account_id)
    if figure is None:
        st.info(
            _(
                "The balance chart appears once money moves: add your salary and rent, or "
                "import a bank file."
            )
        )
        return
    st.plotly_chart(figure, key="dashboard_balance")


FLOW_PERIODS: dict[str, dashboard.SeriesPeriod] = {
    N_("Monthly"): "month",
    N_("Weekly"): "week",
    N_("Quarterly"): "quarter",
}


@cached
def _series(
    household_id: int,
    data: str,
    today: date,
    period: dashboard.SeriesPeriod,
    account_id: int | None = None,
) -> list[dashboard.SeriesRow]:
    """Income against expenses per period, for `data` (the version), of one account or all."""
    del data
    with household_work(household_id) as (session, household):
        return dashboard.recent_series(session, household, today, period, account_id=account_id)


@st.fragment
def _flows(
    household_id: int,
    today: date,
    shares_of: list[dashboard.CategoryShare],
    account_id: int | None = None,
) -> None:
    """Income against expenses and spending by category; the period choice reruns only this."""
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
    period = shown.get(label or "", "month")
    series = _series(household_id, cache.version(household_id), today, period, account_id)
    flows = pd.DataFrame([r.__dict__ for r in series])
    shares = pd.DataFrame([c.__dict__ for c in shares_of])
    with left:
        if flows.empty or not (
            flows["income"].astype(bool).any() or flows["expense"].astype(bool).any()
        ):
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


def _expenses_and_commitments(figures: HomeFigures) -> None:
    names = {key: category_name(named) for key, named in figures.names.items()}
    top: list[dict[str, object]] = [
        {
            "date": show_date(t.date),
            "description": t.description,
            "category": names.get(t.category_id, _(NO_CATEGORY))
            if t.category_id
            else _(NO_CATEGORY),
            "amount": show_money(t.amount),
        }
        for t in figures.top
    ]
    plans, debts = figures.plans, figures.debts
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


def _upcoming_and_health(figures: HomeFigures) -> None:
    upcoming, health = figures.upcoming, figures.health
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
        if health is None:  # one account: the score is the household's
            return
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


@dataclass(frozen=True)
class Steps:
    """Which of the first steps a household has done."""

    balance: bool
    history: bool
    salary: bool
    rent: bool

    def done(self) -> tuple[bool, bool, bool]:
        """Each step's state, in order."""
        return (self.balance, self.history, self.salary and self.rent)


def steps_of(household_id: int) -> Steps:
    """What the household has: a balance reading, transactions, fixed income and expense."""
    with household_work(household_id) as (session, household):
        items = fixed.list_fixed(session, household)
        return Steps(
            balance=balance.latest_record(session, household) is not None,
            history=transactions.ledger_totals(session, household, LedgerFilter()).count > 0,
            salary=any(i.type == "income" for i in items),
            rent=any(i.type == "expense" for i in items),
        )


def _record_balance(household_id: int, today: date) -> None:
    state = st.session_state
    with household_work(household_id) as (session, household):
        balance.record_balance(
            session,
            household,
            amount=money(str(state.get("step_balance_amount") or ""), "amount"),
            as_of=state.get("step_balance_as_of") or today,
            today=today,
        )


def _add_salary_and_rent(household_id: int, today: date, steps: Steps) -> None:
    state = st.session_state
    wanted = [
        (flow, _(name), state.get(f"step_{flow}_amount") or "", state.get(f"step_{flow}_day"))
        for flow, name, have in (
            ("income", N_("Salary"), steps.salary),
            ("expense", N_("Rent"), steps.rent),
        )
        if not have
    ]
    with household_work(household_id) as (session, household):
        for flow, name, amount, day in wanted:
            if not str(amount).strip():
                continue  # one of the two may be added later
            fixed.create_fixed(
                session,
                household,
                name=name,
                amount=money(str(amount), "amount"),
                type=flow,
                frequency="monthly",
                start_date=today,
                day_of_month=int(day) if day else None,
            )


def _balance_form(household_id: int, today: date) -> None:
    with st.form("step_balance"):
        cols = st.columns([2, 2, 1], vertical_alignment="bottom")
        cols[0].text_input(_("Balance"), key="step_balance_amount", placeholder="0.00")
        cols[1].date_input(
            _("At the end of"), value=today, key="step_balance_as_of", format=DATE_FORMAT
        )
        cols[2].form_submit_button(
            _("Record"),
            on_click=acting(
                "first_steps", partial(_record_balance, household_id, today), _("Recorded.")
            ),
        )


def _fixed_form(household_id: int, today: date, steps: Steps) -> None:
    with st.form("step_fixed"):
        for flow, label, have in (
            ("income", N_("Salary a month"), steps.salary),
            ("expense", N_("Rent a month"), steps.rent),
        ):
            if have:
                continue
            cols = st.columns([2, 1])
            cols[0].text_input(_(label), key=f"step_{flow}_amount", placeholder="0.00")
            cols[1].number_input(
                _("Day of month"),
                1,
                31,
                value=10 if flow == "income" else 1,
                key=f"step_{flow}_day",
            )
        st.form_submit_button(
            _("Add"),
            on_click=acting(
                "first_steps",
                partial(_add_salary_and_rent, household_id, today, steps),
                _("Added."),
            ),
        )


def _step(number: int, step: tuple[str, str, str], done: bool) -> None:
    page, label, hint = step
    cols = st.columns([4, 1], vertical_alignment="center")
    cols[0].page_link(page, label=f"{number}. {_(label)}")
    cols[1].markdown(_(":green[**Done**]") if done else _(":orange[Not yet]"))
    st.caption(_(hint))


def first_steps(household_id: int, today: date, steps: Steps) -> None:
    """What a new household does first, each step marked done or not, with forms where short."""
    done = steps.done()
    with st.container(border=True):
        st.subheader(_("First steps"))
        st.write(
            _(
                "The forecast needs a balance to start from and the money that comes and goes. "
                "Three steps get you there:"
            )
        )
        show_note("first_steps")
        writable = may_write()
        for number, (step, finished) in enumerate(zip(FIRST_STEPS, done, strict=True), start=1):
            _step(number, step, finished)
            if writable and not finished and number == 1:
                _balance_form(household_id, today)
            if writable and not finished and number == 3:
                _fixed_form(household_id, today, steps)


@dataclass
class Named:
    """A category's names, as category_name reads them."""

    name: str
    name_he: str | None = None


@dataclass(frozen=True)
class TopExpense:
    """One of the month's largest expenses."""

    date: date
    description: str
    category_id: int | None
    amount: Decimal


@dataclass(frozen=True)
class HomeFigures:
    """Everything the home page shows that comes from the household's data, but the flows."""

    kpis: dashboard.Kpis
    past: list[tuple[date, Decimal]]
    warning: Decimal
    shares: list[dashboard.CategoryShare]
    top: list[TopExpense]
    names: dict[int, Named]
    plans: dashboard.InstallmentsSummary
    debts: dashboard.LoansSummary
    upcoming: list[Event]
    health: dashboard.Health | None


@cached
def _home_figures(
    household_id: int, data: str, today: date, account_id: int | None = None
) -> HomeFigures:
    """The home page's figures for `data` (the version): read and computed once per version.

    Of one account when `account_id` is given: its balance, month, past and path,
    categories, top expenses, plans and loans and what is due; the health score is the
    household's, so it is left out.
    """
    summary = summarize(cache.home_forecast(household_id, data, today, account_id))
    start, end = dashboard.month_bounds(today)
    one: dict[str, Any] = {"account_id": account_id}
    with household_work(household_id) as (session, household):
        return HomeFigures(
            kpis=dashboard.kpis(session, household, today, summary=summary, **one),
            past=dashboard.past_balances(session, household, today, account_id=account_id),
            warning=cache.forecast_settings(household_id, data).warning,
            shares=dashboard.category_breakdown(session, household, start, end, **one),
            top=[
                TopExpense(t.date, t.description, t.category_id, t.amount)
                for t in dashboard.top_expenses(session, household, start, end, limit=5, **one)
            ],
            names={
                c.id: Named(c.name, c.name_he)
                for c in categories.list_categories(session, household, include_archived=True)
            },
            plans=dashboard.installments_summary(session, household, **one),
            debts=dashboard.loans_summary(session, household, today, **one),
            upcoming=dashboard.upcoming_payments(session, household, today, **one),
            health=None
            if account_id
            else dashboard.financial_health(session, household, today, summary=summary),
        )


@cached
def _start(household_id: int, data: str) -> tuple[bool, Steps]:
    """Whether the household has any data yet, and which first steps it has done."""
    del data
    with household_work(household_id) as (session, household):
        empty = not dashboard.has_data(session, household)
    return empty, steps_of(household_id)


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
    data = cache.version(household_id)
    empty, steps = _start(household_id, data)
    if empty:
        first_steps(household_id, today, steps)
        job_panel(household_id)
        return
    if not all(steps.done()):
        count = sum(steps.done())
        with st.expander(_("First steps: {done} of 3 done").format(done=count)):
            first_steps(household_id, today, steps)
    choices = account_choices(household_id)
    account_id = (
        account_filter(st.columns([1, 3])[0], choices, key="home_account")
        if len(choices) > 1
        else None
    )
    figures = _home_figures(household_id, data, today, account_id)
    _kpis(figures.kpis, card=any(c.id == account_id and c.kind == "credit_card" for c in choices))
    if account_id is None:  # budgets are the household's
        at_risk_panel(household_id, today)
    _balance_chart(household_id, data, today, account_id)
    _flows(household_id, today, figures.shares, account_id)
    _expenses_and_commitments(figures)
    _upcoming_and_health(figures)
    job_panel(household_id)
