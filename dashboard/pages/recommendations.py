"""The 13 recommendations (``/recommendations``): an owner lands on their organisation's
recommendations and how many are overdue; then progress by recommendation, the owner x
status grid, and the overdue (escalation) list, folded. Each recommendation has its own page
(``/recommendations/<n>``, :mod:`dashboard.pages.recommendation_detail`) with the update form.

Status is never carried by colour alone: every cell has a symbol and words as well.
"""

from __future__ import annotations

import logging
from typing import Any

import dash
from dash import html

from accounts import appdb
from dashboard import ids
from dashboard.auth import policy
from dashboard.auth.web import signed_in
from dashboard.data import recommendations as rd
from dashboard.data.snapshot import NoSnapshotError
from dashboard.data.source import snapshot_cached
from dashboard.ui.attrs import attrs
from dashboard.ui.components import notice, page_header
from dashboard.ui.figures import figure_card
from dashboard.ui.recommendations import grid, mine_body, overdue_sentence, summary_figure
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
        version = rd.app_version()
        body = _body(version)
        org = _my_org()
        mine = _mine(org, version) if org else ()
    except NoSnapshotError as exc:
        return html.Div([header, notice(str(exc))])
    return html.Div([header, *mine, *body])


def _my_org() -> str | None:
    """The signed-in owner's organisation, else None (board and PCC see the national view)."""
    user = signed_in()
    if user is None or not policy.can(user.role, policy.UPDATE_RECS):
        return None
    return user.org_code or None


@snapshot_cached
def _mine(org: str, version: tuple[int, int]) -> tuple[Any, ...]:
    """An owner's landing: how many of their recommendations are overdue, then their rows
    (overdue first) with a link to update each; the national view follows."""
    df = rd.status_table()
    overdue, owned = rd.overdue_count(df, org)
    name = appdb.owner_name(org)
    as_at = rd.as_at()
    frame = rd.owner_rows(df, org)
    headline = html.P(
        [html.Strong(overdue_sentence(overdue, owned)), f" Signed in for {name}."],
        className="lead mb-2" + (" text-danger-emphasis" if overdue else ""),
        id=f"{ids.RECS_MINE_CARD}-headline",
    )
    if not owned:
        return (html.H2("Your recommendations", className="h4"), headline)
    return (
        html.H2("Your recommendations", className="h4"),
        headline,
        figure_card(
            ids.RECS_MINE_CARD,
            f"Recommendations owned by {name}",
            f"As at {as_at}" if as_at else "Latest returns",
            frame,
            body=mine_body(df[df["owner_code"] == org], frame),
            source=SOURCE,
            description="Open a recommendation to update its status, target date and "
            "evidence. Overdue: past the target date and not implemented, verified or not "
            "applicable.",
        ),
        html.H2("All owners", className="h4 mt-4"),
    )


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
        attrs(html.Nav(links), {"aria-label": "Recommendations"}),
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
            "not done. Days overdue are counted to the date of the latest returns. The list "
            "is folded: open it below, or download it.",
        ),
    )
