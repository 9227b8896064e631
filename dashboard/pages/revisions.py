"""Revisions (``/revisions?edition=<label>``): what has changed since a published edition.

For a board member who minuted a decision against an edition: every headline figure of
that edition that has since moved beyond the stated threshold, with the figure then and
now, the change, and the senders whose newer or corrected extracts moved it.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import dash
from dash import html

from dashboard.data import revisions as rd
from dashboard.data import source
from dashboard.data.snapshot import NoSnapshotError
from dashboard.ui import editions as edition_ui
from dashboard.ui.components import notice, page_header, scroll_box
from dashboard.ui.figures import figure_card
from dashboard.ui.wording import day_words, edition_words
from scorecard.settings import load_settings
from warehouse import editions
from warehouse.metrics.revisions import THRESHOLD_TEXT

dash.register_page(__name__, name="Revisions", path="/revisions", title="Revisions", order=3)

CARD = "revisions-table"
SOURCE = (
    "Source: the published edition's frozen figures and the latest serving snapshot, rape "
    "response scorecard."
)


def _editions_list() -> html.Div:
    found = editions.list_editions(load_settings())
    if not found:
        return notice(
            "No edition has been published yet. An analyst publishes one with "
            "`scorecard editions publish --label TEXT`."
        )
    rows = [
        html.Tr(
            [
                html.Td(
                    html.A(
                        e.label, href=f"/revisions?{source.EDITION_PARAM}={quote(e.label, safe='')}"
                    )
                ),
                html.Td(day_words(e.published_at)),
                html.Td(str(e.data_as_at) if e.data_as_at else "unknown"),
                html.Td(e.note or ""),
            ]
        )
        for e in found
    ]
    heads = ["Edition", "Published", "Data as at", "Note"]
    return html.Div(
        [
            html.H2("Published editions", className="h5"),
            table_box(rows, heads),
        ]
    )


def table_box(rows: list, heads: list[str]) -> html.Div:
    """The published editions as an accessible table that scrolls inside its box."""
    return scroll_box(
        html.Table(
            [
                html.Caption("Published editions, newest first"),
                html.Thead(html.Tr([html.Th(h, scope="col") for h in heads])),
                html.Tbody(rows),
            ],
            className="table table-sm table-striped align-middle",
        ),
        "Published editions",
    )


@source.edition_page
def layout(**_: Any) -> html.Div:
    header = page_header(
        "Revisions since a published edition",
        "Figures are revised as cases move on and senders correct their extracts. Choose an "
        "edition a board has seen to list every headline figure that has since changed.",
    )
    label = source.edition_label()
    if label is None:
        return html.Div(
            [header, edition_ui.picker("revisions-", latest=False, shown=""), _editions_list()]
        )
    try:
        rev = rd.revisions(label)
    except NoSnapshotError as exc:
        return html.Div(
            [header, edition_ui.picker("revisions-", latest=False, shown=""), notice(str(exc))]
        )
    shown = edition_words(rev.edition.label, rev.edition.published_at)
    frame = rd.table(rev)
    moved = len(frame)
    senders = ", ".join(rd.org_name(s) for s in rev.changed_senders) or "none"
    summary = (
        f"{moved:,} of the edition's {rev.compared:,} headline figures "
        f"{'has' if moved == 1 else 'have'} changed beyond the threshold since it was published."
        if moved
        else f"None of the edition's {rev.compared:,} headline figures has changed beyond the "
        "threshold since it was published."
    )
    children: list = [
        header,
        edition_ui.picker(
            "revisions-", latest=False, shown=f"{shown}, compared with the latest figures"
        ),
        html.P(summary, className="lead", id="revisions-summary"),
        html.P(f"What counts as a change: {THRESHOLD_TEXT}", className="small"),
        html.P(
            f"Senders whose extracts have changed since the edition: {senders}.", className="small"
        ),
    ]
    if rev.edition.note:
        children.append(
            html.P(f"Note published with the edition: {rev.edition.note}", className="small")
        )
    if moved:
        children.append(html.H2("What has changed", className="h5 mt-3"))
        children.append(
            figure_card(
                CARD,
                f"Headline figures revised since {rev.edition.label}",
                f"Published {day_words(rev.edition.published_at)}; latest figures now",
                frame,
                source=SOURCE,
                description="Then is the edition's figure, now the latest. Moved by names the "
                "senders whose newer or corrected extracts feed the figure.",
                table_open=True,
            )
        )
    return html.Div(children)
