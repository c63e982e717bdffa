"""The forecast page: daily, weekly or monthly, the band, the dips, a month explained."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import cast

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from domain.i18n import N_
from domain.rules.forecast import Forecast
from domain.rules.forecast_views import (
    Period,
    SafeToSpend,
    Summary,
    aggregate,
    band,
    explain_month,
    lowest_point,
    summarize,
)
from domain.rules.money import ZERO
from domain.services import dashboard
from streamlit_app import cache
from streamlit_app.charts import forecast_figure, periods_figure
from streamlit_app.i18n import (
    _,
    currency,
    keyed,
    language,
    show_date,
    show_money,
    show_month,
    show_table,
)
from streamlit_app.session import require_household_id
from streamlit_app.views.forms import account_choices, account_filter, household_work, today_of

# What a chart is drawn from: household, data version, today, horizon, everyday spending
# and the account (None: the household's own money, its bank, savings and cash).
Chart = tuple[int, str, date, int, bool, int | None]
VIEWS = {"daily": N_("daily"), "weekly": N_("weekly"), "monthly": N_("monthly")}
KINDS = {
    "fixed": N_("fixed item"),
    "installment": N_("installment"),
    "loan": N_("loan"),
    "transaction": N_("transaction"),
    "everyday": N_("everyday spending"),
    "variable": N_("everyday spending"),
}
EVERYDAY = "Everyday spending: "  # domain.rules.forecast_views.explain_month's label


def _driver_label(label: str, kind: str) -> str:
    """A driver's name; the everyday share of a category says so in the reader's language."""
    if kind == "variable" and label.startswith(EVERYDAY):
        return _("Everyday spending: {category}").format(category=label[len(EVERYDAY) :])
    return label


HEADERS = {
    "date": N_("Date"),
    "item": N_("Item"),
    "kind": N_("Kind"),
    "times": N_("Times"),
    "amount": N_("Amount"),
    "period": N_("Period"),
    "opening": N_("Opening"),
    "income": N_("Income"),
    "expense": N_("Expenses"),
    "net": N_("Net"),
    "closing": N_("Closing"),
    "lowest": N_("Lowest"),
    "lowest_date": N_("Lowest date"),
}


def safe_box(safe: SafeToSpend) -> None:
    """Safe to spend today, the cautious figure, and why when there is nothing to spend."""
    if safe.amount > 0:
        st.success(_("Safe to spend today: **{amount}**").format(amount=show_money(safe.amount)))
    else:
        st.warning(
            _(
                "Safe to spend today: **{amount}**. On {date} the balance is expected "
                "{shortfall} short of the warning level of {warning}."
            ).format(
                amount=show_money(safe.amount),
                date=show_date(safe.binding_date),
                shortfall=show_money(safe.shortfall or safe.amount),
                warning=show_money(safe.warning),
            )
        )
    st.caption(
        _(
            "Cautious (P10 path): {cautious} · the P50 path's lowest point {lowest} on {date} binds"
        ).format(
            cautious=show_money(safe.cautious),
            lowest=show_money(safe.lowest),
            date=show_date(safe.lowest_date),
        )
        if safe.binding == "lowest_point"
        else _(
            "Cautious (P10 path): {cautious} · what is due until the next income on {date} binds"
        ).format(cautious=show_money(safe.cautious), date=show_date(safe.binding_date))
    )


def safe_explained(safe: SafeToSpend) -> None:
    """The day that binds and the items that lead to it."""
    st.write(
        _(
            "What can leave the account today while the forecast (P50) stays at or above the "
            "warning level of {warning} every day: the balance on {date} minus the warning "
            "level, never more than the balance {balance} less {committed} due until the next "
            "income less the warning level ({headroom}), never below zero."
        ).format(
            warning=show_money(safe.warning),
            date=show_date(safe.binding_date),
            balance=show_money(safe.balance),
            committed=show_money(safe.committed),
            headroom=show_money(safe.headroom),
        )
    )
    reached = safe.balance + sum((e.amount for e in safe.drivers), ZERO) - safe.everyday
    st.write(
        _(
            "From {balance} today, the items below and {everyday} of everyday spending lead "
            "to {reached} on {date}, the day that binds."
        ).format(
            balance=show_money(safe.balance),
            everyday=show_money(safe.everyday),
            reached=show_money(reached),
            date=show_date(safe.binding_date),
        )
    )
    rows = [
        {"date": show_date(e.date), "item": e.label, "amount": show_money(e.amount)}
        for e in safe.drivers
    ]
    if rows:
        show_table(pd.DataFrame(rows), HEADERS, key="safe_drivers")


def _summary(summary: Summary, *, card: bool = False) -> None:
    cols = st.container(key="forecast_kpis").columns(4)
    cols[0].metric(
        _("Lowest balance"),
        show_money(summary.lowest),
        help=_("on {date}").format(date=show_date(summary.lowest_date)),
    )
    cols[1].metric(_("End balance"), show_money(summary.end_balance))
    below = summary.first_below_zero
    cols[2].metric(_("First day below zero"), show_date(below) if below else _("none"))
    cols[3].metric(_("Chance of going below zero"), f"{summary.max_prob_below_zero:.0%}")
    st.caption(
        _("Lowest point: {amount} on {date}").format(
            amount=show_money(summary.lowest), date=show_date(summary.lowest_date)
        )
    )
    if card:  # what a card owes: nothing there is spent from it
        st.caption(
            _(
                "A card's path is what it owes: purchases take it down and each statement's "
                "charge to the bank brings it back up."
            )
        )
        return
    safe_box(summary.safe)
    with st.expander(_("How safe to spend is worked out")):
        safe_explained(summary.safe)


# The weekly and monthly tables' columns, as a reader names them.
PERIOD_HEADERS = {
    "opening": N_("Opening balance"),
    "income": N_("Money in"),
    "expense": N_("Money out"),
    "net": N_("Change"),
    "closing": N_("Closing balance"),
    "lowest": N_("Lowest balance"),
    "lowest_date": N_("Lowest on"),
}
PERIOD_NAMES = {"weekly": N_("Week"), "monthly": N_("Month")}


def _line(item: str, amount: Decimal, kind: str = "", times: str = "") -> dict[str, object]:
    return {"item": item, "kind": kind, "times": times, "amount": show_money(amount)}


def month_story(forecast: Forecast, month: date) -> list[dict[str, object]]:
    """A month from its opening balance through its items to its closing balance.

    The items' totals in and out sum, with the opening balance, to the closing balance;
    what the P50 path adds beyond the listed items shows as its own line.
    """
    months = aggregate(forecast, "monthly")
    row = months[months["start"] == month].iloc[0]
    drivers = explain_month(forecast, month)
    money_in = sum((d.amount for d in drivers if d.amount > 0), ZERO)
    money_out = sum((d.amount for d in drivers if d.amount < 0), ZERO)
    rest = row["closing"] - row["opening"] - money_in - money_out
    lines = [_line(_("Opening balance"), row["opening"])]
    lines += [
        _line(_driver_label(d.label, d.kind), d.amount, _(KINDS.get(d.kind, d.kind)), str(d.count))
        for d in drivers
    ]
    lines += [_line(_("Total in"), money_in), _line(_("Total out"), money_out)]
    if rest:
        lines.append(_line(_("Other movement on the median path"), rest))
    lines.append(_line(_("Closing balance"), row["closing"]))
    return lines


@st.fragment
def _explain(chart: Chart) -> None:
    """The month picker reruns only this part."""
    months = _months(chart)
    st.subheader(_("Why a month looks the way it does"))
    shown = {show_month(m): m for m in months}
    label = st.selectbox(_("Month"), list(shown), key=keyed("forecast_explain_month"))
    month = shown.get(label or "", months[0])
    moves, story = _story(chart, month, (language(), currency()))
    if not moves:
        st.info(_("Nothing known moves this month."))
    show_table(story, HEADERS, key="forecast_story")


def _forecast(chart: Chart) -> Forecast:
    household_id, data, today, months, history, account_id = chart
    return cache.forecast(
        household_id,
        data,
        today,
        months=months,
        include_history=history,
        account_id=account_id,
    )


@cache.cached
def _months(chart: Chart) -> list[date]:
    """The months the forecast covers."""
    return sorted({d.replace(day=1) for d in _forecast(chart).daily["date"]})


@cache.cached
def _story(chart: Chart, month: date, reader: tuple[str, str]) -> tuple[bool, pd.DataFrame]:
    """Whether anything known moves in the month, and its story, per version and reader."""
    del reader  # the key: the story's words and money are in the reader's language
    forecast = _forecast(chart)
    return bool(explain_month(forecast, month)), pd.DataFrame(month_story(forecast, month))


@cache.cached
def _summary_of(chart: Chart) -> Summary:
    """The forecast's summary, per version and controls."""
    return summarize(_forecast(chart))


def _period_table(table: pd.DataFrame, view: str) -> None:
    """The weekly or monthly table: a named period, money and dates as the reader reads them."""
    shown = pd.DataFrame({"period": table["period"]})
    if view == "weekly":
        ends = table["start"].map(lambda start: start + timedelta(days=6))
        shown["period"] = [
            f"{show_date(start)} – {show_date(end)}"
            for start, end in zip(table["start"], ends, strict=True)
        ]
    for column in ("opening", "income", "expense", "net", "closing", "lowest"):
        shown[column] = table[column].map(show_money)
    shown["lowest_date"] = table["lowest_date"].map(show_date)
    show_table(shown, {"period": PERIOD_NAMES[view], **PERIOD_HEADERS}, key="forecast_periods")


def forecast_page() -> None:
    """Render the forecast."""
    household_id = require_household_id()
    today = today_of(household_id)
    st.title(_("Forecast"))
    _forecast_view(household_id, today)


@st.fragment
def _forecast_view(household_id: int, today: date) -> None:
    """The controls and what they change: a slider or toggle reruns only this part."""
    data = cache.version(household_id)
    prefs = cache.forecast_settings(household_id, data)
    choices = account_choices(household_id)
    account_id = (
        account_filter(st.columns([1, 3])[0], choices, key="forecast_account")
        if len(choices) > 1
        else None
    )
    cols = st.columns([2, 3, 2])
    views = {_(name): code for code, name in VIEWS.items()}
    label = cols[0].radio(_("View"), list(views), horizontal=True, key=keyed("forecast_view"))
    view = views.get(label or "", "daily")
    months = cols[1].slider(_("Horizon (months)"), 1, 36, prefs.months, key="forecast_months")
    history = cols[2].toggle(_("Include everyday spending"), value=True, key="forecast_history")
    if _empty(household_id, data):
        st.info(
            _(
                "Nothing to forecast yet: record your bank balance, import a bank file or add "
                "your salary and rent, and the forecast appears here."
            )
        )
        return
    chart = (household_id, data, today, months, history, account_id)
    card = any(c.id == account_id and c.kind == "credit_card" for c in choices)
    _summary(_summary_of(chart), card=card)
    figure, table = _chart(chart, view, (language(), currency()))
    st.plotly_chart(figure, key="forecast_chart")
    if table is not None:
        _period_table(table, view)
    _explain(chart)


@cache.shared
def _chart(
    chart: Chart, view: str, reader: tuple[str, str]
) -> tuple[go.Figure, pd.DataFrame | None]:
    """The chart of a view (and its weekly or monthly table), per version and reader."""
    del reader  # the key: periods and axes read in the reader's language and currency
    forecast = _forecast(chart)
    prefs = cache.forecast_settings(chart[0], chart[1])
    warning = float(prefs.warning)
    if view == "daily":
        low_value, low_date = lowest_point(forecast.daily)
        paths = band(forecast)
        return forecast_figure(paths, warning=warning, lowest=(low_date, float(low_value))), None
    table = aggregate(forecast, cast("Period", view), week_start=prefs.week_start)
    # Periods read as month names or DD/MM/YYYY in the reader's language.
    name = show_month if view == "monthly" else show_date
    table["period"] = table["start"].map(name)
    return periods_figure(table, warning=warning), table


@cache.cached
def _empty(household_id: int, data: str) -> bool:
    """Whether the household has nothing to forecast from, for `data` (the version)."""
    del data
    with household_work(household_id) as (session, household):
        return not dashboard.has_data(session, household)
