"""The 13 recommendations (``/recommendations``): progress by recommendation, the owner x
status grid, and the overdue (escalation) list. Each recommendation has its own page
(``/recommendations/<n>``, :mod:`dashboard.pages.recommendation_detail`) with the update form.

Status is never carried by colour alone: every cell has a symbol and words as well.
"""

from __future__ import annotations

import logging
from typing import Any

import dash
import pandas as pd
import plotly.graph_objects as go
from dash import html

from dashboard import ids
from dashboard.data import recommendations as rd
from dashboard.data.snapshot import NoSnapshotError
from dashboard.data.source import snapshot_cached
from dashboard.ui.charts import figure
from dashboard.ui.components import notice, page_header
from dashboard.ui.figures import figure_card
from dashboard.ui.status import RAG, badge, legend, rag_bar_traces
from dashboard.ui.status import RECS_SOURCE as SOURCE
from scorecard import reference

log = logging.getLogger(__name__)

dash.register_page(
    __name__,
    name="Recommendations",
    path="/recommendations",
    title="The 13 recommendations",
    order=2,
)


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
        .assign(k=lambda x: x["owner_kind"].map(rd.KIND_ORDER))
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


def layout(**_: Any) -> html.Div:
    header = page_header(
        "The 13 recommendations",
        "Who owns each recommendation of the 2021 joint inspection, how far each owner has "
        "got, and what is overdue. Owners update their status on each recommendation's page.",
    )
    try:
        body = _body(rd.app_version())
    except NoSnapshotError as exc:
        return html.Div([header, notice(str(exc))])
    return html.Div([header, *body])


@snapshot_cached
def _body(version: tuple[int, int]) -> tuple[Any, ...]:
    """Everything below the header, built once per snapshot and app-database version (a
    save changes the version, so it shows on the next load). The ~5,000 components of the
    grid and tables are only serialised, never changed, so sharing them is safe."""
    df = rd.status_table()
    as_at = rd.as_at()
    period = f"As at {as_at}" if as_at else "Latest returns"
    summary = rd.rec_summary(df)
    overdue = rd.overdue_list(df)
    links = html.Ul(
        [
            html.Li(
                html.A(f"Recommendation {r.rec_no}: {r.title}", href=f"/recommendations/{r.rec_no}")
            )
            for r in reference.recommendations()
        ]
    )
    return (
        legend(),
        html.H2("Progress by recommendation", className="h4"),
        figure_card(
            ids.RECS_SUMMARY_CARD,
            "Owners by status, each recommendation",
            period,
            summary,
            figure=summary_figure(summary),
            source=SOURCE,
        ),
        html.H2("Each recommendation", className="h4"),
        html.Nav(links, **{"aria-label": "Recommendations"}),
        html.H2("Owner by status", className="h4 mt-3"),
        figure_card(
            ids.RECS_GRID_CARD,
            "Status of every recommendation by owner",
            period,
            rd.owner_grid(df),
            body=grid(df),
            source=SOURCE,
        ),
        html.H2("Overdue: the escalation list", className="h4"),
        figure_card(
            ids.RECS_OVERDUE_CARD,
            "Overdue recommendations by owner, most overdue first",
            period,
            overdue,
            source=SOURCE,
            description=f"{len(overdue)} owner commitments are past their target date and "
            "not done. Days overdue are counted to the date of the latest returns.",
            table_open=True,
        ),
    )
