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
