"""Quarterly trend charts: an SPC chart (value, centre line, 3-sigma limits) and a
multi-organisation line chart (force, its CPS Area(s), national)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.ui.charts import figure
from dashboard.ui.charts.spc import baseline_marks, special_cause_traces, year_ticks
from dashboard.ui.figures import PALETTE

SERIES_STYLE = (
    (PALETTE["blue"], "solid", "circle"),
    (PALETTE["orange"], "dash", "square"),
    (PALETTE["purple"], "dot", "diamond"),
    (PALETTE["black"], "dashdot", "triangle-up"),
)
X_AXIS = {"title": {"text": "Quarter"}, "type": "category", "nticks": 12}


def _nums(values: pd.Series) -> list[float | None]:
    return [None if pd.isna(v) else float(v) for v in values]


def spc_chart(points: pd.DataFrame, y_title: str, direction: str) -> go.Figure:
    """Values with centre and control limits; special-cause points marked as on every SPC
    chart (:mod:`dashboard.ui.charts.spc`). Suppressed quarters are gaps."""
    x = list(points["period"])
    limit = {"color": PALETTE["grey"], "dash": "dash", "width": 1, "shape": "hvh"}
    traces: list[dict] = [
        {
            "type": "scatter",
            "x": x,
            "y": _nums(points["upper_3s"]),
            "mode": "lines",
            "name": "Upper control limit",
            "line": limit,
        },
        {
            "type": "scatter",
            "x": x,
            "y": _nums(points["lower_3s"]),
            "mode": "lines",
            "name": "Lower control limit",
            "line": limit,
        },
        {
            "type": "scatter",
            "x": x,
            "y": _nums(points["centre"]),
            "mode": "lines",
            "name": "Centre line (mean)",
            "line": {"color": PALETTE["black"], "width": 1, "shape": "hvh"},
        },
        {
            "type": "scatter",
            "x": x,
            "y": _nums(points["value"]),
            "mode": "lines+markers",
            "name": "Quarterly value",
            "line": {"color": PALETTE["blue"], "width": 2},
            "marker": {"size": 6},
            "connectgaps": False,
        },
    ]
    traces += special_cause_traces(
        points["period"],
        points["value"],
        points["special_cause"],
        points["cause_side"],
        points["rules"],
        direction,
    )
    phase = points["phase"] if "phase" in points.columns else [None] * len(x)
    shapes, notes = baseline_marks(x, phase)
    xaxis = {**X_AXIS, "title": {"text": "Financial year (quarters)"}, **year_ticks(x)}
    return figure(traces, y_title=y_title, xaxis=xaxis, shapes=shapes, annotations=notes)


def lines_chart(plot: pd.DataFrame, y_title: str) -> go.Figure:
    """One line per organisation (columns period, org, value); suppressed values are gaps."""
    periods = sorted(set(plot["period"]))
    traces = []
    for i, (org, g) in enumerate(plot.groupby("org", sort=False)):
        colour, dash, symbol = SERIES_STYLE[i % len(SERIES_STYLE)]
        g = g.set_index("period").reindex(periods)
        traces.append(
            {
                "type": "scatter",
                "x": periods,
                "y": _nums(g["value"]),
                "name": str(org),
                "mode": "lines+markers",
                "line": {"color": colour, "dash": dash, "width": 2},
                "marker": {"symbol": symbol, "size": 6},
                "connectgaps": False,
            }
        )
    return figure(traces, y_title=y_title, xaxis=X_AXIS)
