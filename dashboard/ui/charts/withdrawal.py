"""The area page's victim-withdrawal chart: share of withdrawals by stage and by reason, the
force beside national (the board pack draws the same plot frame with reportlab)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.ui.charts import figure
from dashboard.ui.figures import PALETTE

WITHDRAWAL_STYLE = (  # (colour, pattern): the force and national differ by pattern too
    (PALETTE["blue"], ""),
    (PALETTE["orange"], "/"),
)


def withdrawal_chart(plot: pd.DataFrame) -> go.Figure:
    """Horizontal grouped bars: share of withdrawals per stage and per reason, the force
    beside national. A suppressed share is written "suppressed" at the axis, never drawn as
    a zero-length bar."""
    labels = list(plot["label"])
    traces: list[dict] = []
    for i, (org, part) in enumerate(plot.groupby("org", sort=False)):
        colour, pattern = WITHDRAWAL_STYLE[i % len(WITHDRAWAL_STYLE)]
        values = [None if v is None or pd.isna(v) else float(v) for v in part["value"]]
        traces.append(
            {
                "type": "bar",
                "orientation": "h",
                "y": list(part["label"]),
                "x": values,
                "name": str(org),
                "offsetgroup": str(i),
                "text": ["" if v is None else t for t, v in zip(part["text"], values, strict=True)],
                "textposition": "outside",
                "cliponaxis": False,
                "marker": {"color": colour, "pattern": {"shape": pattern}},
                "hovertemplate": "%{y}<br>" + str(org) + ": %{text}<extra></extra>",
            }
        )
        hidden = part[[v is None for v in values]]
        if len(hidden):
            traces.append(
                {
                    "type": "scatter",
                    "orientation": "h",
                    "mode": "text",
                    "y": list(hidden["label"]),
                    "x": [0.0] * len(hidden),
                    "text": [f"{org}: {t}" for t in hidden["text"]],
                    "textposition": "middle right",
                    # on a phone the plot is narrower than "England and Wales: suppressed":
                    # unclipped, slightly smaller words may run into the right margin
                    "cliponaxis": False,
                    "textfont": {"size": 11},
                    "offsetgroup": str(i),
                    "showlegend": False,
                    "hoverinfo": "skip",
                }
            )
    top = max((float(v) for v in plot["value"] if v is not None and not pd.isna(v)), default=0)
    n = len(dict.fromkeys(labels))
    return figure(
        traces,
        barmode="group",
        scattermode="group",
        height=max(320, 60 + 44 * n),
        xaxis={
            "title": {"text": "% of withdrawals"},
            "range": [0, max(10.0, top * 1.25)],
            "ticksuffix": "%",
        },
        yaxis={"type": "category", "autorange": "reversed", "automargin": True},
        margin={"l": 20, "r": 24, "t": 30, "b": 50},
    )
