"""The forecast page: daily, weekly or monthly, the band, the dips, a month explained."""

from __future__ import annotations

from typing import cast

import pandas as pd
import streamlit as st

from domain.rules.forecast import Forecast
from domain.rules.forecast_views import (
    Period,
    SafeToSpend,
    aggregate,
    band,
    explain_month,
    lowest_point,
    summarize,
)
from domain.rules.money import ZERO, format_money
from domain.services import dashboard
from domain.services.forecasting import forecast_for
from domain.services.user_settings import WEEKDAY, get_user_settings
from streamlit_app.charts import forecast_figure, periods_figure
from streamlit_app.session import require_user_id
from streamlit_app.views.forms import today_of, user_work


def safe_box(safe: SafeToSpend) -> None:
    """Safe to spend today, the cautious figure, and why when there is nothing to spend."""
    if safe.amount > 0:
        st.success(f"Safe to spend today: **{format_money(safe.amount)}**")
    else:
        st.warning(
            f"Safe to spend today: **{format_money(safe.amount)}**. "
            f"On {safe.binding_date:%d/%m/%Y} the balance is expected "
            f"{format_money(safe.shortfall or safe.amount)} short of the warning level of "
            f"{format_money(safe.warning)}."
        )
    st.caption(
        f"Cautious (P10 path): {format_money(safe.cautious)} · the P50 path's lowest point "
        f"{format_money(safe.lowest)} on {safe.lowest_date:%d/%m/%Y} binds"
        if safe.binding == "lowest_point"
        else f"Cautious (P10 path): {format_money(safe.cautious)} · what is due until the "
        f"next income on {safe.binding_date:%d/%m/%Y} binds"
    )


def safe_explained(safe: SafeToSpend) -> None:
    """The day that binds and the items that lead to it."""
    st.write(
        f"What can leave the account today while the forecast (P50) stays at or above the "
        f"warning level of {format_money(safe.warning)} every day: the balance on "
        f"{safe.binding_date:%d/%m/%Y} minus the warning level, never more than the balance "
        f"{format_money(safe.balance)} less {format_money(safe.committed)} due until the next "
        f"income less the warning level ({format_money(safe.headroom)}), never below 0.00."
    )
    reached = safe.balance + sum((e.amount for e in safe.drivers), ZERO) - safe.everyday
    st.write(
        f"From {format_money(safe.balance)} today, the items below and "
        f"{format_money(safe.everyday)} of everyday spending lead to {format_money(reached)} "
        f"on {safe.binding_date:%d/%m/%Y}, the day that binds."
    )
    rows = [
        {"date": e.date, "item": e.label, "amount": format_money(e.amount)} for e in safe.drivers
    ]
    if rows:
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", key="safe_drivers")


def _summary(forecast: Forecast) -> None:
    summary = summarize(forecast)
    cols = st.columns(4)
    cols[0].metric(
        "Lowest balance", format_money(summary.lowest), help=f"on {summary.lowest_date:%d/%m/%Y}"
    )
    cols[1].metric("End balance", format_money(summary.end_balance))
    below = summary.first_below_zero
    cols[2].metric("First day below zero", f"{below:%d/%m/%Y}" if below else "none")
    cols[3].metric("Chance of going below zero", f"{summary.max_prob_below_zero:.0%}")
    st.caption(f"Lowest point: {format_money(summary.lowest)} on {summary.lowest_date:%d/%m/%Y}")
    safe_box(summary.safe)
    with st.expander("How safe to spend is worked out"):
        safe_explained(summary.safe)


def _explain(forecast: Forecast) -> None:
    months = sorted({d.replace(day=1) for d in forecast.daily["date"]})
    st.subheader("Why a month looks the way it does")
    picked = st.selectbox(
        "Month", months, format_func=lambda d: f"{d:%B %Y}", key="forecast_explain_month"
    )
    drivers = explain_month(forecast, picked)
    rows = [
        {"item": d.label, "kind": d.kind, "times": d.count, "amount": format_money(d.amount)}
        for d in drivers
    ]
    if rows:
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    else:
        st.info("Nothing known moves this month.")


def forecast_page() -> None:
    """Render the forecast."""
    user_id = require_user_id()
    today = today_of(user_id)
    with user_work(user_id) as (session, user):
        prefs = get_user_settings(session, user)
        default_months, warning = prefs.forecast_horizon_months, prefs.warning_threshold
        week_start = WEEKDAY[prefs.week_start]
    st.title("Forecast")
    cols = st.columns([2, 3, 2])
    view = cols[0].radio(
        "View", ["daily", "weekly", "monthly"], horizontal=True, key="forecast_view"
    )
    months = cols[1].slider("Horizon (months)", 1, 36, default_months, key="forecast_months")
    history = cols[2].toggle("Include everyday spending", value=True, key="forecast_history")
    with user_work(user_id) as (session, user):
        forecast = forecast_for(session, user, today, months=months, include_history=history)
        empty = not dashboard.has_data(session, user)
    if empty:
        st.info(
            "Nothing to forecast yet: record your bank balance, import a bank file or add "
            "your salary and rent, and the forecast appears here."
        )
        return
    _summary(forecast)
    if view == "daily":
        low_value, low_date = lowest_point(forecast.daily)
        figure = forecast_figure(
            band(forecast), warning=float(warning), lowest=(low_date, float(low_value))
        )
    else:
        table = aggregate(forecast, cast("Period", view), week_start=week_start)
        figure = periods_figure(table, warning=float(warning))
    st.plotly_chart(figure, key="forecast_chart")
    if view != "daily":
        money_columns = ["opening", "income", "expense", "net", "closing", "lowest"]
        for column in money_columns:
            table[column] = table[column].map(format_money)
        st.dataframe(table.drop(columns=["start"]), hide_index=True, width="stretch")
    _explain(forecast)
