"""Figure builders for ``/compare``: the funnel plot and the quarterly SPC chart.

Highlighting is carried by marker shape and a text label as well as colour (WCAG 1.4.1), and
special-cause points by shape (triangle up / down) as well as colour. Colours are Okabe-Ito.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.compare_data import FunnelCurves
from dashboard.figures import PALETTE, base_layout, format_value

UNIT_AXIS = {"per_100": "per 100", "percent": "%", "ratio": "ratio", "days": "days"}
ROLE_STYLE = {
    # role: (legend name, symbol, colour, size, labelled)
    "selected": ("Selected force (star)", "star", PALETTE["vermillion"], 18, True),
    "peer": ("Peer forces (diamond)", "diamond", PALETTE["orange"], 11, True),
    "other": ("Other forces (circle)", "circle-open", PALETTE["blue"], 9, False),
}


def short_name(name: str) -> str:
    """A force name without 'Police', 'Constabulary' etc., for point labels."""
    for word in (" Constabulary", " Police Service", " Police"):
        name = name.replace(word, "")
    return name.replace("Metropolitan Service", "Metropolitan")


def axis_title(metric_name: str, unit: str) -> str:
    return f"{metric_name} ({UNIT_AXIS.get(unit, unit)})"


def funnel_figure(
    rates: pd.DataFrame,
    curves: FunnelCurves | None,
    *,
    metric_name: str,
    unit: str,
    denominator_label: str,
) -> go.Figure:
    """Forces' rates against their denominators with national 95% and 99.8% limits.

    ``rates`` needs name, denominator, value, position and role (selected/peer/other)."""
    fig = go.Figure()
    if curves is not None:
        x = list(curves.n)
        for lo, hi, label, dash in (
            (curves.lower_998, curves.upper_998, "99.8% limits", "solid"),
            (curves.lower_95, curves.upper_95, "95% limits", "dash"),
        ):
            # Upper and lower curve in one trace (a None breaks the line): fewer traces.
            fig.add_trace(
                go.Scatter(
                    x=[*x, None, *x],
                    y=[*hi, None, *lo],
                    mode="lines",
                    name=label,
                    line={"color": PALETTE["grey"], "dash": dash, "width": 1.5},
                    hoverinfo="skip",
                )
            )
        fig.add_trace(
            go.Scatter(
                x=[x[0], x[-1]],
                y=[curves.centre, curves.centre],
                mode="lines",
                name=f"National ({format_value(curves.centre, unit)})",
                line={"color": PALETTE["black"], "width": 2},
                hoverinfo="skip",
            )
        )
    shown = rates.dropna(subset=["value", "denominator"])
    for role in ("other", "peer", "selected"):
        part = shown[shown["role"] == role]
        if part.empty:
            continue
        legend, symbol, colour, size, labelled = ROLE_STYLE[role]
        fig.add_trace(
            go.Scatter(
                x=part["denominator"].astype(float).tolist(),
                y=part["value"].astype(float).tolist(),
                mode="markers+text" if labelled else "markers",
                name=legend,
                text=[short_name(n) for n in part["name"]] if labelled else None,
                textposition="top center",
                textfont={"size": 12 if role == "peer" else 14, "color": PALETTE["black"]},
                marker={
                    "symbol": symbol,
                    "size": size,
                    "color": colour,
                    "line": {
                        "width": 1.5,
                        "color": colour if role == "other" else PALETTE["black"],
                    },
                },
                customdata=[
                    [n, format_value(v, unit), p or ""]
                    for n, v, p in zip(part["name"], part["value"], part["position"], strict=True)
                ],
                hovertemplate="%{customdata[0]}<br>%{customdata[1]} on %{x:,.0f}"
                "<br>%{customdata[2]} the 99.8% limits<extra></extra>",
            )
        )
    base_layout(fig, y_title=axis_title(metric_name, unit))
    # Log scale: one large force (the Metropolitan Police) otherwise squeezes the rest.
    fig.update_xaxes(title_text=f"{denominator_label} (log scale)", type="log")
    fig.update_yaxes(rangemode="tozero")
    fig.update_layout(height=460)
    return fig


SPC_MARKS = {
    # (cause_side, is the side good?) -> legend, symbol, colour
    ("high", True): ("Special cause, improving (triangle up)", "triangle-up", PALETTE["blue"]),
    ("high", False): (
        "Special cause, concerning (triangle up)",
        "triangle-up",
        PALETTE["vermillion"],
    ),
    ("high", None): ("Special cause, high (triangle up)", "triangle-up", PALETTE["purple"]),
    ("low", True): ("Special cause, improving (triangle down)", "triangle-down", PALETTE["blue"]),
    ("low", False): (
        "Special cause, concerning (triangle down)",
        "triangle-down",
        PALETTE["vermillion"],
    ),
    ("low", None): ("Special cause, low (triangle down)", "triangle-down", PALETTE["purple"]),
}


def side_is_good(side: str, direction: str) -> bool | None:
    if direction == "higher_is_better":
        return side == "high"
    if direction == "lower_is_better":
        return side == "low"
    return None


def spc_figure(series: pd.DataFrame, *, metric_name: str, unit: str, direction: str) -> go.Figure:
    """Quarterly values with centre line, 3-sigma limits and special-cause points by shape."""
    fig = go.Figure()
    x = series["period"].tolist()
    grey = {"color": PALETTE["grey"], "width": 1.5, "shape": "hvh"}
    fig.add_trace(
        go.Scatter(
            x=x,
            y=series["upper_3s"].tolist(),
            mode="lines",
            name="Control limits (3 sigma)",
            legendgroup="lim",
            line={**grey, "dash": "dash"},
            hoverinfo="skip",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=x,
            y=series["lower_3s"].tolist(),
            mode="lines",
            showlegend=False,
            legendgroup="lim",
            line={**grey, "dash": "dash"},
            hoverinfo="skip",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=x,
            y=series["centre"].tolist(),
            mode="lines",
            name="Mean",
            line={"color": PALETTE["black"], "width": 1.5},
            hoverinfo="skip",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=x,
            y=series["value"].tolist(),
            mode="lines+markers",
            name="Quarterly value (circle)",
            line={"color": PALETTE["grey"], "width": 1},
            marker={"symbol": "circle", "size": 6, "color": PALETTE["grey"]},
            connectgaps=False,
            hovertemplate="%{x}: %{y:.1f}<extra></extra>",
        )
    )
    special = series[series["special_cause"].fillna(False).astype(bool)]
    for (side, good), (legend, symbol, colour) in SPC_MARKS.items():
        goods = special["cause_side"].map(lambda s: side_is_good(str(s), direction))
        part = special[(special["cause_side"] == side) & (goods.map(lambda g, w=good: g is w))]
        if part.empty:
            continue
        fig.add_trace(
            go.Scatter(
                x=part["period"].tolist(),
                y=part["value"].tolist(),
                mode="markers",
                name=legend,
                marker={
                    "symbol": symbol,
                    "size": 13,
                    "color": colour,
                    "line": {"width": 1, "color": PALETTE["black"]},
                },
                customdata=[str(r).replace(",", ", ").replace("_", " ") for r in part["rules"]],
                hovertemplate="%{x}: %{y:.1f}<br>rules: %{customdata}<extra></extra>",
            )
        )
    base_layout(fig, y_title=axis_title(metric_name, unit))
    fig.update_xaxes(type="category", tickangle=-45, nticks=14)
    fig.update_layout(height=420, legend={"y": -0.3}, margin={"b": 40})
    return fig
