"""Small building blocks shared by pages: accessible tables that fit the screen (a wide one
scrolls inside its box, first column fixed), page headers and notices."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
from dash import html

from dashboard.ui.attrs import attrs


def table(
    frame: pd.DataFrame,
    caption: str,
    *,
    headers: Sequence[str] | None = None,
    table_id: str | None = None,
    code_columns: Sequence[str] = (),
) -> html.Div:
    """An HTML table with a caption and column headers (screen-reader friendly), inside a
    :func:`scroll_box`: a wide table scrolls within its card, first column fixed. Cells of
    ``code_columns`` (identifiers meant to be typed, e.g. a metric id) are set as code."""
    names = list(headers or frame.columns)
    as_code = [c in code_columns for c in frame.columns]

    def cell(v: Any, code: bool) -> html.Td:
        text = "" if pd.isna(v) else str(v)
        return html.Td(html.Code(text) if code and text else text)

    body = [
        html.Tr([cell(v, code) for v, code in zip(row, as_code, strict=True)])
        for row in frame.itertuples(index=False)
    ]
    children = [
        html.Caption(caption),
        html.Thead(html.Tr([html.Th(h, scope="col") for h in names])),
        html.Tbody(body),
    ]
    css = "table table-sm table-striped align-middle"
    element = (  # Dash refuses id=None
        html.Table(children, className=css, id=table_id)
        if table_id
        else html.Table(children, className=css)
    )
    return scroll_box(element, caption)


def scroll_box(content: Any, label: str, *, class_name: str = "") -> html.Div:
    """A box that scrolls sideways when its content (a wide table) is wider than the page,
    so the page itself never does (CSS ``.table-scroll``: first column fixed while the rest
    scrolls). Focusable and named, so a keyboard user can scroll it (axe
    scrollable-region-focusable)."""
    return attrs(
        html.Div(
            content, className=f"table-scroll {class_name}".strip(), tabIndex="0", role="group"
        ),
        {"aria-label": f"{label} (scrolls sideways if wider than the screen)"},
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
