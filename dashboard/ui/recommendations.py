"""The recommendations pages' visuals: owners by RAG as stacked bars, the owner x
recommendation grid of status badges and one recommendation's owners with their badges.
Styles and words come from :mod:`dashboard.ui.status`."""

from __future__ import annotations

from typing import Any

import pandas as pd
import plotly.graph_objects as go
from dash import html

from dashboard.ui.charts import figure
from dashboard.ui.status import KIND_ORDER, RAG, badge, rag_bar_traces


def summary_figure(summary: pd.DataFrame) -> go.Figure:
    """Owners per recommendation by RAG: stacked bars, each RAG with its own pattern (plain
    dict traces on the shared base layout: no per-figure plotly validation)."""
    y = [f"Rec {n}" for n in summary["Recommendation"]]
    cols = {
        "green": "Done (green)",
        "amber": "In hand (amber)",
        "red": "Overdue (red)",
        "grey": "Not applicable (grey)",
    }
    counts = {rag: [int(v) for v in summary[col]] for rag, col in cols.items()}
    names = {rag: f"{RAG[rag][0]} {col}" for rag, col in cols.items()}
    traces = rag_bar_traces(y, counts, names)
    for trace, col in zip(traces, cols.values(), strict=True):
        what = col.split(" (")[0].lower()
        trace["hovertemplate"] = f"%{{y}}: %{{x}} owners {what}<extra></extra>"
    return figure(
        traces,
        barmode="stack",
        height=460,
        yaxis={"autorange": "reversed", "title": {"text": "Recommendation"}},
        xaxis={"title": {"text": "Owners"}},
    )


def grid_badge(status: str, rag: str) -> html.Span:
    """A grid cell's status badge, coloured by its ``rag-<rag>`` CSS class."""
    return badge(status, rag, css_class=True)


def grid(df: pd.DataFrame) -> html.Div:
    """Owners (rows) x recommendations (columns) as badges; links to each recommendation."""
    recs = sorted(df["rec_no"].unique())
    by = {(r.rec_no, r.owner_code): r for r in df.itertuples()}
    owners = (
        df[["owner_code", "owner_name", "owner_kind"]]
        .drop_duplicates()
        .assign(k=lambda x: x["owner_kind"].map(KIND_ORDER))
        .sort_values(["k", "owner_name"])
    )
    head = html.Tr(
        [html.Th("Owner", scope="col")]
        + [html.Th(html.A(f"Rec {n}", href=f"/recommendations/{n}"), scope="col") for n in recs]
    )
    body = []
    for o in owners.itertuples():
        cells: list[Any] = [html.Th(o.owner_name, scope="row", className="text-nowrap")]
        for n in recs:
            r = by.get((n, o.owner_code))
            cells.append(html.Td(grid_badge(r.status, r.rag)) if r is not None else html.Td())
        body.append(html.Tr(cells))
    return html.Div(
        html.Table(
            [
                html.Caption("Status of each recommendation by owner (blank: not an owner)"),
                html.Thead(head),
                html.Tbody(body),
            ],
            className="table table-sm align-middle small",
        ),
        className="table-responsive mb-2",
        style={"maxHeight": "70vh"},
        tabIndex="0",
        role="region",
        **{"aria-label": "Owner by recommendation status grid (scrollable)"},
    )


def owners_body(df: pd.DataFrame, frame: pd.DataFrame) -> html.Div:
    """One recommendation's owners as a table with status badges (the card's visual);
    ``frame`` is the owners table alternative of ``df``, in the same order."""
    part = df.assign(k=df["owner_kind"].map(KIND_ORDER)).sort_values(["k", "owner_name"])
    rows = [
        html.Tr(
            [
                html.Th(f["Owner"], scope="row"),
                html.Td(badge(r.status, r.rag)),
                html.Td(f["Target date"]),
                html.Td(f["Days overdue"]),
                html.Td(f["Last update"]),
                html.Td(f["Evidence"], className="small"),
            ]
        )
        for f, r in zip(frame.to_dict("records"), part.itertuples(), strict=True)
    ]
    head = html.Tr([html.Th(c, scope="col") for c in frame.columns])
    return html.Div(
        html.Table(
            [html.Caption("Status by owner"), html.Thead(head), html.Tbody(rows)],
            className="table table-sm align-middle",
        ),
        className="table-responsive",
    )
