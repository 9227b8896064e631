"""Figure builders for ``/compare``: the funnel plot and the quarterly SPC chart.

Highlighting is carried by marker shape and a text label as well as colour (WCAG 1.4.1), and
special-cause points as on every SPC chart (:mod:`dashboard.ui.charts.spc`). Colours are
Okabe-Ito.

Figures are plain dicts (``{"data", "layout"}``, which ``dcc.Graph`` takes as is) on the
shared base layout of :mod:`dashboard.charts`: plotly's graph_objects validation cost more
than the rest of the compare callback together, and even an unvalidated ``go.Figure`` deep
copies the base template on every call.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import pandas as pd

from dashboard.ui.charts import base
from dashboard.ui.charts.spc import baseline_marks, special_cause_traces, year_ticks
from dashboard.ui.figures import PALETTE
from dashboard.ui.wording import format_value, not_compared_text, position_words

if TYPE_CHECKING:
    from dashboard.data.compare import FunnelCurves

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


def figure(
    traces: list[dict[str, Any]], *, y_title: str, xaxis: dict[str, Any], **layout: Any
) -> dict[str, Any]:
    """A figure dict on the shared base layout; the base is copied only where it changes
    (it is read-only and only ever serialised)."""
    lay = {**base(), **layout}
    lay["xaxis"] = {**base().get("xaxis", {}), **xaxis}
    lay["yaxis"] = {
        **base().get("yaxis", {}),
        **layout.get("yaxis", {}),
        "title": {"text": y_title},
    }
    return {"data": traces, "layout": lay}


def _num(v: object) -> float | None:
    """A JSON-ready number: NaN / None / NA as None (a gap in the line)."""
    if v is None or v is pd.NA:
        return None
    f = float(v)  # type: ignore[arg-type]
    return None if math.isnan(f) else f


def _nums(values: Iterable[object]) -> list[float | None]:
    return [_num(v) for v in values]


def funnel_figure(
    rates: pd.DataFrame,
    curves: FunnelCurves | None,
    *,
    metric_name: str,
    unit: str,
    denominator_label: str,
    direction: str = "neutral",
) -> dict[str, Any]:
    """Forces' rates (or mean days) against their denominators (cases) with national 95% and
    99.8% limits; the hover says the position with the metric's direction.

    ``rates`` needs name, denominator, value, position and role (selected/peer/other)."""
    traces: list[dict[str, Any]] = []
    if curves is not None:
        x = curves.n.tolist()
        for lo, hi, label, dash in (
            (curves.lower_998, curves.upper_998, "99.8% limits", "solid"),
            (curves.lower_95, curves.upper_95, "95% limits", "dash"),
        ):
            # Upper and lower curve in one trace (a None breaks the line): fewer traces.
            traces.append(
                {
                    "type": "scatter",
                    "x": [*x, None, *x],
                    "y": [*_nums(hi), None, *_nums(lo)],
                    "mode": "lines",
                    "name": label,
                    "line": {"color": PALETTE["grey"], "dash": dash, "width": 1.5},
                    "hoverinfo": "skip",
                }
            )
        traces.append(
            {
                "type": "scatter",
                "x": [x[0], x[-1]],
                "y": [curves.centre, curves.centre],
                "mode": "lines",
                "name": f"National ({format_value(curves.centre, unit)})",
                "line": {"color": PALETTE["black"], "width": 2},
                "hoverinfo": "skip",
            }
        )
    # One pass over the rows (no pandas filtering per role): the grid of 43 is small, and
    # frame slicing cost more than drawing.
    points: dict[str, list[tuple[float, float, str, str]]] = {r: [] for r in ROLE_STYLE}
    cols = [rates[c] for c in ("name", "denominator", "value", "position", "role")]
    for name, den, value, position, role in zip(*cols, strict=True):
        den_f, value_f = _num(den), _num(value)
        if den_f is None or value_f is None:
            continue
        pos = position if isinstance(position, str) else ""
        points.setdefault(role, []).append((den_f, value_f, str(name), pos))
    for role in ("other", "peer", "selected"):
        part = points.get(role) or []
        if not part:
            continue
        legend, symbol, colour, size, labelled = ROLE_STYLE[role]
        trace: dict[str, Any] = {
            "type": "scatter",
            "x": [p[0] for p in part],
            "y": [p[1] for p in part],
            "mode": "markers+text" if labelled else "markers",
            "name": legend,
            "textposition": "top center",
            "textfont": {"size": 12 if role == "peer" else 14, "color": PALETTE["black"]},
            "marker": {
                "symbol": symbol,
                "size": size,
                "color": colour,
                "line": {"width": 1.5, "color": colour if role == "other" else PALETTE["black"]},
            },
            "customdata": [
                [
                    n,
                    format_value(v, unit),
                    position_words(direction, p) if p else not_compared_text(None),
                ]
                for _, v, n, p in part
            ],
            "hovertemplate": "%{customdata[0]}<br>%{customdata[1]} on %{x:,.0f}"
            "<br>%{customdata[2]}<extra></extra>",
        }
        if labelled:
            trace["text"] = [short_name(p[2]) for p in part]
        traces.append(trace)
    # Log scale: one large force (the Metropolitan Police) otherwise squeezes the rest.
    return figure(
        traces,
        y_title=axis_title(metric_name, unit),
        xaxis={"title": {"text": f"{denominator_label} (log scale)"}, "type": "log"},
        yaxis={"rangemode": "tozero"},
        height=460,
    )


def spc_figure(
    series: pd.DataFrame, *, metric_name: str, unit: str, direction: str
) -> dict[str, Any]:
    """Quarterly values with centre line, 3-sigma limits and special-cause points by shape."""
    x = [str(p) for p in series["period"]]
    grey = {"color": PALETTE["grey"], "width": 1.5, "shape": "hvh"}
    traces: list[dict[str, Any]] = [
        {
            "type": "scatter",
            "x": x,
            "y": _nums(series["upper_3s"]),
            "mode": "lines",
            "name": "Control limits (3 sigma)",
            "legendgroup": "lim",
            "line": {**grey, "dash": "dash"},
            "hoverinfo": "skip",
        },
        {
            "type": "scatter",
            "x": x,
            "y": _nums(series["lower_3s"]),
            "mode": "lines",
            "showlegend": False,
            "legendgroup": "lim",
            "line": {**grey, "dash": "dash"},
            "hoverinfo": "skip",
        },
        {
            "type": "scatter",
            "x": x,
            "y": _nums(series["centre"]),
            "mode": "lines",
            "name": "Mean",
            "line": {"color": PALETTE["black"], "width": 1.5, "shape": "hvh"},
            "hoverinfo": "skip",
        },
        {
            "type": "scatter",
            "x": x,
            "y": _nums(series["value"]),
            "mode": "lines+markers",
            "name": "Quarterly value (circle)",
            "line": {"color": PALETTE["grey"], "width": 1},
            "marker": {"symbol": "circle", "size": 6, "color": PALETTE["grey"]},
            "connectgaps": False,
            "hovertemplate": "%{x}: %{y:.1f}<extra></extra>",
        },
    ]
    traces += special_cause_traces(
        series["period"],
        series["value"],
        series["special_cause"],
        series["cause_side"],
        series["rules"],
        direction,
    )
    phase = series["phase"] if "phase" in series.columns else [None] * len(x)
    shapes, notes = baseline_marks(x, phase)
    return figure(
        traces,
        y_title=axis_title(metric_name, unit),
        # one label a year, no fixed angle: plotly turns them upright on a phone
        xaxis={"type": "category", "automargin": True, **year_ticks(x)},
        shapes=shapes,
        annotations=notes,
        height=460,
        # the legend below the whole figure (not the plot area), so upright year labels on a
        # phone never run into it
        legend={**base()["legend"], "yref": "container", "y": 0, "yanchor": "bottom"},
        margin={**base()["margin"], "b": 110},
    )
