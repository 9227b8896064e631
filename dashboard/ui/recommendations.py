"""The recommendations pages' visuals: owners by RAG as stacked bars, the owner x
recommendation grid of status badges and one recommendation's owners with their badges.
Styles and words come from :mod:`dashboard.ui.status`."""

from __future__ import annotations

from typing import Any

import pandas as pd
import plotly.graph_objects as go
from dash import html

from dashboard.ui.attrs import attrs
from dashboard.ui.charts import figure
from dashboard.ui.components import scroll_box
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
        # The bars are labelled "Rec n": no axis title, which takes a phone's width.
        yaxis={"autorange": "reversed", "automargin": True},
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
        cells: list[Any] = [html.Th(o.owner_name, scope="row", className="owner-name")]
        for n in recs:
            r = by.get((n, o.owner_code))
            cells.append(html.Td(grid_badge(r.status, r.rag)) if r is not None else html.Td())
        body.append(html.Tr(cells))
    return attrs(
        html.Div(
            html.Table(
                [
                    html.Caption("Status of each recommendation by owner (blank: not an owner)"),
                    html.Thead(head),
                    html.Tbody(body),
                ],
                className="table table-sm align-middle small recs-grid",
            ),
            className="table-responsive mb-2",
            style={"maxHeight": "70vh"},
            tabIndex="0",
            role="region",
        ),
        {"aria-label": "Owner by recommendation status grid (scrollable)"},
    )


def owners_body(df: pd.DataFrame, frame: pd.DataFrame) -> html.Div:
    """One recommendation's owners as a table with status badges (the card's visual);
    ``df`` is already in ``frame``'s order (:func:`dashboard.data.recommendations.
    owners_in_order`)."""
    part = df
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


def overdue_sentence(overdue: int, owned: int) -> str:
    """'3 of your 5 recommendations are overdue' (the owner's landing headline)."""
    if owned == 0:
        return "Your organisation owns none of the 13 recommendations."
    if owned == 1:
        return f"Your one recommendation is {'overdue' if overdue else 'not overdue'}."
    if overdue == 0:
        return f"None of your {owned} recommendations is overdue."
    verb = "is" if overdue == 1 else "are"
    return f"{overdue} of your {owned} recommendations {verb} overdue."


def mine_body(df: pd.DataFrame, frame: pd.DataFrame) -> html.Div:
    """The owner's own recommendations with status badges and a link to update each;
    ``frame`` is :func:`dashboard.data.recommendations.owner_rows` of ``df``."""
    by = {int(r.rec_no): r for r in df.itertuples()}
    rows = [
        html.Tr(
            [
                html.Th(
                    html.A(
                        f"Rec {f['Recommendation']}", href=f"/recommendations/{f['Recommendation']}"
                    ),
                    scope="row",
                ),
                html.Td(f["Title"], className="small"),
                html.Td(badge(by[f["Recommendation"]].status, by[f["Recommendation"]].rag)),
                html.Td(f["Target date"], className="text-nowrap"),
                html.Td(f["Days overdue"]),
                html.Td(f["Last update"], className="text-nowrap"),
            ]
        )
        for f in frame.to_dict("records")
    ]
    # "Rec" rather than "Recommendation" over the links: a narrow fixed column on a phone.
    names = ["Rec", *list(frame.columns)[1:]]
    head = html.Tr([html.Th(c, scope="col") for c in names])
    return scroll_box(
        html.Table(
            [
                html.Caption("Your organisation's recommendations, overdue first"),
                html.Thead(head),
                html.Tbody(rows),
            ],
            className="table table-sm align-middle",
        ),
        "Your organisation's recommendations",
    )
