"""Quarterly trend charts: an SPC chart (value, centre line, 3-sigma limits) and a
multi-organisation line chart (force, its CPS Area(s), national)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.figures import PALETTE, base_layout

SERIES_STYLE = (
    (PALETTE["blue"], "solid", "circle"),
    (PALETTE["orange"], "dash", "square"),
    (PALETTE["purple"], "dot", "diamond"),
    (PALETTE["black"], "dashdot", "triangle-up"),
)


def spc_chart(points: pd.DataFrame, y_title: str) -> go.Figure:
    """Values with centre and control limits; special-cause points drawn as larger open
    diamonds (shape, not only colour). Suppressed quarters are gaps."""
    fig = go.Figure()
    x = list(points["period"])
    fig.add_trace(
        go.Scatter(
            x=x,
            y=points["upper_3s"],
            name="Upper control limit",
            mode="lines",
            line={"color": PALETTE["grey"], "dash": "dash", "width": 1},
        )
    )
    fig.add_trace(
        go.Scatter(
            x=x,
            y=points["lower_3s"],
            name="Lower control limit",
            mode="lines",
            line={"color": PALETTE["grey"], "dash": "dash", "width": 1},
        )
    )
    fig.add_trace(
        go.Scatter(
            x=x,
            y=points["centre"],
            name="Centre line (mean)",
            mode="lines",
            line={"color": PALETTE["black"], "width": 1},
        )
    )
    fig.add_trace(
        go.Scatter(
            x=x,
            y=points["value"],
            name="Quarterly value",
            mode="lines+markers",
            line={"color": PALETTE["blue"], "width": 2},
            marker={"size": 6},
            connectgaps=False,
        )
    )
    special = points[points["special_cause"].fillna(False).astype(bool)]
    if len(special):
        fig.add_trace(
            go.Scatter(
                x=list(special["period"]),
                y=special["value"],
                name="Special cause",
                mode="markers",
                marker={
                    "symbol": "diamond-open",
                    "size": 12,
                    "line": {"width": 2},
                    "color": PALETTE["vermillion"],
                },
            )
        )
    base_layout(fig, y_title=y_title)
    fig.update_xaxes(title_text="Quarter", type="category", nticks=12)
    return fig


def lines_chart(plot: pd.DataFrame, y_title: str) -> go.Figure:
    """One line per organisation (columns period, org, value); suppressed values are gaps."""
    fig = go.Figure()
    periods = sorted(set(plot["period"]))
    for i, (org, g) in enumerate(plot.groupby("org", sort=False)):
        colour, dash, symbol = SERIES_STYLE[i % len(SERIES_STYLE)]
        g = g.set_index("period").reindex(periods)
        fig.add_trace(
            go.Scatter(
                x=periods,
                y=g["value"],
                name=str(org),
                mode="lines+markers",
                line={"color": colour, "dash": dash, "width": 2},
                marker={"symbol": symbol, "size": 6},
                connectgaps=False,
            )
        )
    base_layout(fig, y_title=y_title)
    fig.update_xaxes(title_text="Quarter", type="category", nticks=12)
    return fig
