"""Small UI pieces shared by the national and area scorecards: a labelled native select and
the board-pack link target."""

from __future__ import annotations

from urllib.parse import quote, urlencode

import dash_bootstrap_components as dbc
from dash import html

from dashboard.data import source


def labelled_select(
    select_id: str, label: str, options: list[dict], value: str | None, width: str = "col-md-4"
) -> html.Div:
    """A labelled native <select> (keyboard and screen-reader friendly; axe-clean)."""
    return html.Div(
        [
            html.Label(label, htmlFor=select_id, className="form-label"),
            dbc.Select(id=select_id, options=options, value=value),
        ],
        className=width,
    )


def pdf_href(period: str | None, force_code: str | None = None) -> str:
    """The board pack of the period and the edition shown."""
    base = f"/area/{quote(force_code)}/board-pack.pdf" if force_code else "/board-pack.pdf"
    params = {"period": period} if period else {}
    params.update(source.edition_query())
    return base + (f"?{urlencode(params)}" if params else "")
