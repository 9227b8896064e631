"""Small building blocks shared by pages: accessible tables and page headers."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from dash import html


def table(
    frame: pd.DataFrame,
    caption: str,
    *,
    headers: Sequence[str] | None = None,
    table_id: str | None = None,
) -> html.Table:
    """An HTML table with a caption and column headers (screen-reader friendly)."""
    names = list(headers or frame.columns)
    body = [
        html.Tr([html.Td("" if pd.isna(v) else str(v)) for v in row])
        for row in frame.itertuples(index=False)
    ]
    kwargs = {"id": table_id} if table_id else {}
    return html.Table(
        [
            html.Caption(caption),
            html.Thead(html.Tr([html.Th(h, scope="col") for h in names])),
            html.Tbody(body),
        ],
        className="table table-sm table-striped align-middle",
        **kwargs,
    )


def page_header(title: str, lede: str | None = None) -> html.Div:
    return html.Div(
        [html.H1(title, className="h2"), html.P(lede, className="lead")]
        if lede
        else [html.H1(title, className="h2")]
    )


def notice(message: str) -> html.Div:
    """A status message (e.g. no snapshot yet), announced politely to screen readers."""
    return html.Div(message, className="alert alert-info", role="status")
