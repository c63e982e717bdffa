"""The forecast page: daily, weekly or monthly, the band, the dips, a month explained."""

from __future__ import annotations

from typing import cast

import pandas as pd
import streamlit as st

from domain.rules.forecast import Forecast
from domain.rules.forecast_views import (
    Period,
    aggregate,
    band,
    explain_month,
    lowest_point,
    summarize,
)
from domain.rules.money import format_money
from domain.services.forecasting import forecast_for
from domain.services.user_settings import WEEKDAY, get_user_settings
from streamlit_app.charts import forecast_figure, periods_figure
from streamlit_app.session import require_user_id
from streamlit_app.views.forms import today_of, user_work


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
    safe = summary.safe
    until = f" until the next income on {safe.next_income:%d/%m/%Y}" if safe.next_income else ""
    st.success(f"Safe to spend{until}: **{format_money(safe.amount)}**")
    with st.expander("How safe to spend is worked out"):
        st.write(
            f"Balance {format_money(safe.balance)} − committed {format_money(safe.committed)} "
            f"− warning level {format_money(safe.warning)} = {format_money(safe.amount)}"
        )
        rows = [
            {"date": e.date, "item": e.label, "amount": format_money(e.amount)}
            for e in safe.commitments
        ]
        if rows:
            st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")


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
