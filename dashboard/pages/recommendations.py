"""The 13 recommendations (``/recommendations``): progress by recommendation, the owner x
status grid, and the overdue (escalation) list. Each recommendation has its own page
(``/recommendations/<n>``, :mod:`dashboard.pages.recommendation_detail`) with the update form.

Status is never carried by colour alone: every cell has a symbol and words as well.
"""

from __future__ import annotations

import logging
from typing import Any

import dash
from dash import html

from dashboard import ids
from dashboard.data import recommendations as rd
from dashboard.data.snapshot import NoSnapshotError
from dashboard.data.source import snapshot_cached
from dashboard.ui.components import notice, page_header
from dashboard.ui.figures import figure_card
from dashboard.ui.recommendations import grid, summary_figure
from dashboard.ui.status import RECS_SOURCE as SOURCE
from dashboard.ui.status import legend
from scorecard import reference

log = logging.getLogger(__name__)

dash.register_page(
    __name__,
    name="Recommendations",
    path="/recommendations",
    title="The 13 recommendations",
    order=2,
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
