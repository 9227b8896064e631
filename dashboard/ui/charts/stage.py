"""Scorecard summary charts: volumes from report to charge, the published national series,
and the recommendations' owner roll-up (RAG by colour AND pattern AND legend text, from
:mod:`dashboard.ui.status`)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.ui.charts import base, figure
from dashboard.ui.figures import PALETTE
from dashboard.ui.status import rag_bar_traces

PERIOD_STYLE = (
    ("Value", PALETTE["blue"], ""),
    ("Previous period", PALETTE["sky"], "/"),
    ("Year earlier", PALETTE["orange"], "."),
)


def _number(text: object) -> float | None:
    """A shown count ('1,234') back to a number; suppressed or missing text is a gap."""
    try:
        return float(str(text).replace(",", ""))
    except ValueError:
        return None


def volumes_chart(frame: pd.DataFrame, period_labels: tuple[str, str, str]) -> go.Figure:
    """Grouped bars: each volume metric in the period, the previous period and a year earlier."""
    labels = [
        m if b == "all" else f"{m}<br>({b})"
        for m, b in zip(frame["Metric"], frame["Breakdown"], strict=True)
    ]
    traces = [
        {
            "type": "bar",
            "x": labels,
            "y": [_number(v) for v in frame[col]],
            "name": name,
            "marker": {"color": colour, "pattern": {"shape": pattern}},
        }
        for (col, colour, pattern), name in zip(PERIOD_STYLE, period_labels, strict=True)
    ]
    return figure(traces, y_title="Number", barmode="group", xaxis={"tickangle": 0})


def published_chart(frame: pd.DataFrame) -> go.Figure:
    """The published national series by financial year, one bar group per series."""
    colours = [PALETTE[c] for c in ("blue", "orange", "green", "purple", "vermillion", "sky")]
    traces = [
        {
            "type": "bar",
            "x": list(g["Financial year"]),
            "y": [_number(v) for v in g["Value"]],
            "name": str(name),
            "marker": {"color": colours[i % len(colours)]},
        }
        for i, (name, g) in enumerate(frame.groupby("Series", sort=False))
    ]
    return figure(
        traces,
        y_title="Number",
        barmode="group",
        xaxis={
            "type": "category",
            "title": {"text": "Financial year"},
            "categoryorder": "category ascending",
        },
    )


def rollup_chart(frame: pd.DataFrame) -> go.Figure:
    """Horizontal stacked bars: owners of each recommendation by RAG."""
    y = [f"Rec {r}" for r in frame["Recommendation"]]
    names = {rag: rag.capitalize() for rag in ("green", "amber", "red", "grey")}
    counts = {rag: [int(v) for v in frame[name]] for rag, name in names.items()}
    traces = rag_bar_traces(y, counts, names)
    return figure(
        traces,
        barmode="stack",
        height=420,
        yaxis={"autorange": "reversed", "type": "category"},
        legend={**base().get("legend", {}), "traceorder": "normal"},
        xaxis={"title": {"text": "Owners"}},
    )
