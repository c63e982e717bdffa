"""Plotly figures built from DataFrames; floats appear only here, for drawing.

Titles, trace names and hovers are in the reader's language; money axes show the currency
with separators (never `23.2k`); dates read DD/MM/YYYY in hovers and month names in the
reader's language on the axis. Time runs left to right in Hebrew too.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from streamlit_app.i18n import _, chart_money_axis, show_money, show_month

MAX_DATE_TICKS = 12


def _as_day(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, pd.Timestamp):
        return value.date()
    return None


def _date_axis(values: list[Any]) -> dict[str, Any]:
    """A date axis labelled with month names in the reader's language, hovers DD/MM/YYYY."""
    days = sorted(d for d in (_as_day(v) for v in values) if d is not None)
    axis: dict[str, Any] = {"hoverformat": "%d/%m/%Y"}
    if not days:
        return axis
    months: list[date] = []
    current = days[0].replace(day=1)
    while current <= days[-1]:
        if current >= days[0]:
            months.append(current)
        current = (current.replace(day=28) + pd.Timedelta(days=4)).replace(day=1)
    step = max(1, -(-len(months) // MAX_DATE_TICKS))
    ticks = months[::step] or [days[0]]
    return axis | {"tickvals": ticks, "ticktext": [show_month(t, short=True) for t in ticks]}


def _money_layout(figure: go.Figure, *, dates: list[Any] | None = None, **extra: Any) -> None:
    """Money on the y axis with separators and the currency; dates on x as people read them."""
    money = chart_money_axis() | {"hoverformat": ",.2f"}
    layout: dict[str, Any] = {"yaxis": money, "separators": ".,"}
    if dates is not None:
        layout["xaxis"] = _date_axis(dates)
    figure.update_layout(**layout)
    if extra:
        figure.update_layout(**extra)
    # Room for the widest money labels inside the chart (right to left pages clip outside it).
    figure.update_layout(margin={"l": 90}, yaxis={"automargin": True})


def amortization_figure(schedule: pd.DataFrame) -> go.Figure:
    """Principal against interest per period as stacked bars, and the remaining balance.

    `schedule` has columns date, principal, interest, balance (Decimal values).
    """
    dates = schedule["date"].tolist()
    figure = go.Figure()
    figure.add_bar(x=dates, y=[float(v) for v in schedule["principal"]], name=_("Principal"))
    figure.add_bar(x=dates, y=[float(v) for v in schedule["interest"]], name=_("Interest"))
    figure.add_scatter(
        x=dates,
        y=[float(v) for v in schedule["balance"]],
        name=_("Remaining balance"),
        yaxis="y2",
        mode="lines",
    )
    _money_layout(figure, dates=dates)
    figure.update_layout(
        barmode="stack",
        yaxis={"title": _("Payment")},
        yaxis2={
            "title": _("Balance"),
            "overlaying": "y",
            "side": "right",
            "rangemode": "tozero",
            **chart_money_axis(),
            "hoverformat": ",.2f",
        },
        legend={"orientation": "h"},
        margin={"t": 30, "b": 30},
    )
    return figure


def _floats(values: pd.Series) -> list[float]:
    return [float(v) for v in values]


def forecast_figure(
    frame: pd.DataFrame,
    *,
    warning: float,
    lowest: tuple[object, float] | None = None,
    past: pd.DataFrame | None = None,
) -> go.Figure:
    """The balance path (P50) with its P10 to P90 band, zero and warning lines, the low point.

    `frame` has columns date, p10, p50, p90; `past` (optional) has date and balance.
    """
    dates = frame["date"].tolist()
    figure = go.Figure()
    figure.add_scatter(
        x=dates,
        y=_floats(frame["p90"]),
        mode="lines",
        line={"width": 0},
        name="P90",
        showlegend=False,
        hoverinfo="skip",
    )
    figure.add_scatter(
        x=dates,
        y=_floats(frame["p10"]),
        mode="lines",
        line={"width": 0},
        fill="tonexty",
        fillcolor="rgba(33,150,243,0.18)",
        name=_("P10 to P90"),
    )
    figure.add_scatter(
        x=dates,
        y=_floats(frame["p50"]),
        mode="lines",
        name=_("Forecast (P50)"),
        line={"color": "#1565C0", "width": 2},
    )
    if past is not None and not past.empty:
        figure.add_scatter(
            x=past["date"].tolist(),
            y=_floats(past["balance"]),
            mode="lines",
            name=_("Past"),
            line={"color": "#455A64", "width": 2},
        )
    figure.add_hline(y=0, line={"color": "#C62828", "width": 1}, annotation_text="0")
    figure.add_hline(
        y=warning,
        line={"color": "#F9A825", "width": 1, "dash": "dash"},
        annotation_text=_("warning"),
    )
    if lowest is not None:
        figure.add_scatter(
            x=[lowest[0]],
            y=[lowest[1]],
            mode="markers+text",
            name=_("Lowest point"),
            marker={"color": "#C62828", "size": 10},
            text=[_("lowest")],
            textposition="bottom center",
        )
    every_date = dates + (past["date"].tolist() if past is not None and not past.empty else [])
    _money_layout(
        figure,
        dates=every_date,
        legend={"orientation": "h"},
        margin={"t": 30, "b": 30},
        hovermode="x",
    )
    return figure


def periods_figure(frame: pd.DataFrame, *, warning: float) -> go.Figure:
    """Monthly or weekly closing balances with each period's lowest point."""
    labels = frame["period"].tolist()
    figure = go.Figure()
    figure.add_bar(x=labels, y=_floats(frame["income"]), name=_("Income"), marker_color="#2E7D32")
    figure.add_bar(
        x=labels,
        y=[-v for v in _floats(frame["expense"])],
        name=_("Expenses"),
        marker_color="#C62828",
    )
    figure.add_scatter(
        x=labels, y=_floats(frame["closing"]), name=_("Closing balance"), mode="lines+markers"
    )
    figure.add_scatter(
        x=labels,
        y=_floats(frame["lowest"]),
        name=_("Lowest"),
        mode="markers",
        marker={"symbol": "triangle-down", "size": 10},
    )
    figure.add_hline(y=warning, line={"color": "#F9A825", "dash": "dash"})
    _money_layout(
        figure, barmode="relative", legend={"orientation": "h"}, margin={"t": 30, "b": 30}
    )
    return figure


def income_expense_figure(frame: pd.DataFrame) -> go.Figure:
    """Actual income against expenses per period (columns start, income, expense)."""
    figure = go.Figure()
    starts = frame["start"].tolist()
    figure.add_bar(x=starts, y=_floats(frame["income"]), name=_("Income"), marker_color="#2E7D32")
    figure.add_bar(
        x=starts, y=_floats(frame["expense"]), name=_("Expenses"), marker_color="#C62828"
    )
    _money_layout(
        figure,
        dates=starts,
        barmode="group",
        legend={"orientation": "h"},
        margin={"t": 30, "b": 30},
    )
    return figure


def category_figure(frame: pd.DataFrame) -> go.Figure:
    """Spending by category as a donut (columns name, total, color)."""
    figure = go.Figure(
        go.Pie(
            labels=frame["name"].tolist(),
            values=_floats(frame["total"]),
            hole=0.45,
            marker={"colors": frame["color"].tolist()},
            text=[show_money(Decimal(str(value))) for value in frame["total"]],
            hovertemplate="%{label}: %{text}<extra></extra>",
            textinfo="percent",
        )
    )
    figure.update_layout(separators=".,")
    figure.update_layout(margin={"t": 30, "b": 30})
    return figure


def comparison_figure(
    baseline: pd.DataFrame, scenario: pd.DataFrame, *, warning: float
) -> go.Figure:
    """The baseline and a scenario's P50 paths on one chart."""
    figure = go.Figure()
    figure.add_scatter(
        x=baseline["date"].tolist(),
        y=_floats(baseline["p50"]),
        name=_("Baseline"),
        mode="lines",
        line={"color": "#455A64"},
    )
    figure.add_scatter(
        x=scenario["date"].tolist(),
        y=_floats(scenario["p50"]),
        name=_("Scenario"),
        mode="lines",
        line={"color": "#6A1B9A"},
    )
    figure.add_hline(y=0, line={"color": "#C62828", "width": 1})
    figure.add_hline(y=warning, line={"color": "#F9A825", "dash": "dash"})
    _money_layout(
        figure,
        dates=baseline["date"].tolist() + scenario["date"].tolist(),
        legend={"orientation": "h"},
        margin={"t": 30, "b": 30},
    )
    return figure
