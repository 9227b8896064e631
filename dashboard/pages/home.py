"""National scorecard (``/``). Until the dashboard issue lands: what the snapshot holds."""

from __future__ import annotations

import dash
import pandas as pd
from dash import html

from dashboard.snapshot import NoSnapshotError, reader

dash.register_page(
    __name__, name="National scorecard", path="/", title="National scorecard", order=0
)


def layout(**_: str) -> html.Div:
    try:
        extracts = reader().query(
            "SELECT kind, count(*) AS senders, max(as_at) AS latest_as_at, "
            "sum(row_count) AS rows FROM raw.extracts WHERE is_current GROUP BY kind ORDER BY kind"
        )
        published = reader().query(
            "SELECT name, financial_year, value, source FROM ref.published_series "
            "ORDER BY series_id, financial_year"
        )
    except NoSnapshotError as exc:
        return html.Div([html.H1("National scorecard"), html.P(str(exc), role="status")])
    return html.Div(
        [
            html.H1("National scorecard"),
            html.P(
                "The data loaded into the current serving snapshot. The scorecards arrive "
                "with the dashboard work; these are the figures they will draw on."
            ),
            html.H2("Current extracts", className="h4"),
            _table(extracts, "Current extracts by kind"),
            html.H2("Published national figures", className="h4 mt-4"),
            _table(published, "Published national figures (source: joint inspection, 2021)"),
        ]
    )


def _table(frame: pd.DataFrame, caption: str) -> html.Table:
    rows = [html.Tr([html.Td(str(v)) for v in row]) for row in frame.itertuples(index=False)]
    return html.Table(
        [
            html.Caption(caption),
            html.Thead(html.Tr([html.Th(c, scope="col") for c in frame.columns])),
            html.Tbody(rows),
        ],
        className="table table-sm",
    )
