"""Plotly figures built from DataFrames; floats appear only here, for drawing."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go


def amortization_figure(schedule: pd.DataFrame) -> go.Figure:
    """Principal against interest per period as stacked bars, and the remaining balance.

    `schedule` has columns date, principal, interest, balance (Decimal values).
    """
    dates = schedule["date"].tolist()
    figure = go.Figure()
    figure.add_bar(x=dates, y=[float(v) for v in schedule["principal"]], name="Principal")
    figure.add_bar(x=dates, y=[float(v) for v in schedule["interest"]], name="Interest")
    figure.add_scatter(
        x=dates,
        y=[float(v) for v in schedule["balance"]],
        name="Remaining balance",
        yaxis="y2",
        mode="lines",
    )
    figure.update_layout(
        barmode="stack",
        yaxis={"title": "Payment"},
        yaxis2={"title": "Balance", "overlaying": "y", "side": "right", "rangemode": "tozero"},
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
        name="P10 to P90",
    )
    figure.add_scatter(
        x=dates,
        y=_floats(frame["p50"]),
        mode="lines",
        name="Forecast (P50)",
        line={"color": "#1565C0", "width": 2},
    )
    if past is not None and not past.empty:
        figure.add_scatter(
            x=past["date"].tolist(),
            y=_floats(past["balance"]),
            mode="lines",
            name="Past",
            line={"color": "#455A64", "width": 2},
        )
    figure.add_hline(y=0, line={"color": "#C62828", "width": 1}, annotation_text="0")
    figure.add_hline(
        y=warning,
        line={"color": "#F9A825", "width": 1, "dash": "dash"},
        annotation_text="warning",
    )
    if lowest is not None:
        figure.add_scatter(
            x=[lowest[0]],
            y=[lowest[1]],
            mode="markers+text",
            name="Lowest point",
            marker={"color": "#C62828", "size": 10},
            text=["lowest"],
            textposition="bottom center",
        )
    figure.update_layout(legend={"orientation": "h"}, margin={"t": 30, "b": 30}, hovermode="x")
    return figure


def periods_figure(frame: pd.DataFrame, *, warning: float) -> go.Figure:
    """Monthly or weekly closing balances with each period's lowest point."""
    labels = frame["period"].tolist()
    figure = go.Figure()
    figure.add_bar(x=labels, y=_floats(frame["income"]), name="Income", marker_color="#2E7D32")
    figure.add_bar(
        x=labels, y=[-v for v in _floats(frame["expense"])], name="Expenses", marker_color="#C62828"
    )
    figure.add_scatter(
        x=labels, y=_floats(frame["closing"]), name="Closing balance", mode="lines+markers"
    )
    figure.add_scatter(
        x=labels,
        y=_floats(frame["lowest"]),
        name="Lowest",
        mode="markers",
        marker={"symbol": "triangle-down", "size": 10},
    )
    figure.add_hline(y=warning, line={"color": "#F9A825", "dash": "dash"})
    figure.update_layout(barmode="relative", legend={"orientation": "h"}, margin={"t": 30, "b": 30})
    return figure


def income_expense_figure(frame: pd.DataFrame) -> go.Figure:
    """Actual income against expenses per period (columns start, income, expense)."""
    figure = go.Figure()
    figure.add_bar(
        x=frame["start"].tolist(), y=_floats(frame["income"]), name="Income", marker_color="#2E7D32"
    )
    figure.add_bar(
        x=frame["start"].tolist(),
        y=_floats(frame["expense"]),
        name="Expenses",
        marker_color="#C62828",
    )
    figure.update_layout(barmode="group", legend={"orientation": "h"}, margin={"t": 30, "b": 30})
    return figure


def category_figure(frame: pd.DataFrame) -> go.Figure:
    """Spending by category as a donut (columns name, total, color)."""
    figure = go.Figure(
        go.Pie(
            labels=frame["name"].tolist(),
            values=_floats(frame["total"]),
            hole=0.45,
            marker={"colors": frame["color"].tolist()},
        )
    )
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
        name="Baseline",
        mode="lines",
        line={"color": "#455A64"},
    )
    figure.add_scatter(
        x=scenario["date"].tolist(),
        y=_floats(scenario["p50"]),
        name="Scenario",
        mode="lines",
        line={"color": "#6A1B9A"},
    )
    figure.add_hline(y=0, line={"color": "#C62828", "width": 1})
    figure.add_hline(y=warning, line={"color": "#F9A825", "dash": "dash"})
    figure.update_layout(legend={"orientation": "h"}, margin={"t": 30, "b": 30})
    return figure
