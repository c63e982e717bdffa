"""Budget figures from DataFrames: spent against budget per category, and a year of both.

Floats appear only here, for drawing; labels and hovers are in the reader's language.
"""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import plotly.graph_objects as go

from streamlit_app.i18n import _, chart_money_axis, show_money, show_month

# Columns of the frames these figures take.
NAME, SPENT, AVAILABLE, EXPECTED = "name", "spent", "available", "expected"
MONTH, BUDGET = "month", "budget"
OVER, UNDER, PLAN = "#C62828", "#2E7D32", "#CFD8DC"


def _floats(values: pd.Series) -> list[float]:
    return [float(v) for v in values]


def _money_texts(values: pd.Series) -> list[str]:
    return [show_money(Decimal(str(v))) for v in values]


def budget_bars_figure(frame: pd.DataFrame) -> go.Figure:
    """A bar per category: spent over its budget, a marker where spending should be by today."""
    names = frame[NAME].tolist()
    over = [s > a for s, a in zip(frame[SPENT], frame[AVAILABLE], strict=True)]
    figure = go.Figure()
    figure.add_bar(
        y=names,
        x=_floats(frame[AVAILABLE]),
        orientation="h",
        name=_("Budget"),
        marker_color=PLAN,
        text=_money_texts(frame[AVAILABLE]),
        hovertemplate="%{y}: %{text}<extra></extra>",
        textposition="none",
    )
    figure.add_bar(
        y=names,
        x=_floats(frame[SPENT]),
        orientation="h",
        name=_("Spent"),
        marker_color=[OVER if o else UNDER for o in over],
        width=0.4,
        text=_money_texts(frame[SPENT]),
        hovertemplate="%{y}: %{text}<extra></extra>",
        textposition="none",
    )
    figure.add_scatter(
        y=names,
        x=_floats(frame[EXPECTED]),
        mode="markers",
        name=_("Where spending should be by today"),
        marker={"symbol": "line-ns-open", "size": 24, "color": "#263238", "line": {"width": 3}},
        text=_money_texts(frame[EXPECTED]),
        hovertemplate="%{y}: %{text}<extra></extra>",
    )
    figure.update_layout(
        barmode="overlay",
        xaxis=chart_money_axis(),
        separators=".,",
        legend={"orientation": "h"},
        height=120 + 40 * len(names),
        margin={"t": 30, "b": 30},
        yaxis={"autorange": "reversed"},
    )
    return figure


def budget_history_figure(frame: pd.DataFrame) -> go.Figure:
    """Budget against actual spending per month (columns month, budget, spent)."""
    months = frame[MONTH].tolist()
    labels = [show_month(m, short=True) for m in months]
    figure = go.Figure()
    figure.add_bar(
        x=labels,
        y=_floats(frame[BUDGET]),
        name=_("Budget"),
        marker_color="#90A4AE",
        text=_money_texts(frame[BUDGET]),
        hovertemplate="%{x}: %{text}<extra></extra>",
        textposition="none",
    )
    figure.add_bar(
        x=labels,
        y=_floats(frame[SPENT]),
        name=_("Spent"),
        marker_color=[
            OVER if s > b else UNDER for s, b in zip(frame[SPENT], frame[BUDGET], strict=True)
        ],
        text=_money_texts(frame[SPENT]),
        hovertemplate="%{x}: %{text}<extra></extra>",
        textposition="none",
    )
    figure.update_layout(
        barmode="group",
        yaxis=chart_money_axis(),
        separators=".,",
        legend={"orientation": "h"},
        margin={"t": 30, "b": 30},
    )
    return figure
