"""The edition picker and the line saying which edition a page shows.

The picker is a labelled select and a "Show" button (choosing does not navigate by itself,
so a keyboard user can move through the options); the button reloads the page with
``?edition=<label>`` added to the address, keeping its other choices, so a copied link,
the page's CSVs and its board pack all show the same edition.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

import dash
import dash_bootstrap_components as dbc
from dash import MATCH, Input, Output, State, html
from dash.development.base_component import Component

from dashboard.data import source
from dashboard.ui.attrs import attrs
from dashboard.ui.wording import LATEST_TEXT, edition_words
from scorecard.settings import load_settings
from warehouse import editions

PICKER, SHOW, STATUS = "edition-select", "edition-show", "edition-status"


def current_words() -> str:
    """The line for the edition being shown (the latest when the label is unknown: the page
    says so separately)."""
    try:
        found = source.edition()
    except source.snapshot.UnknownEditionError:
        return LATEST_TEXT
    return edition_words(found.label, found.published_at) if found else LATEST_TEXT


def picker(prefix: str, *, latest: bool = True, shown: str | None = None) -> html.Div:
    """Edition select, Show button, and the line naming what is shown. ``prefix`` is the
    page's callback prefix (e.g. 'national-'), which the access policy keys on; without
    ``latest`` the list holds only published editions (the revisions view)."""
    index = f"{prefix}edition"
    label = source.edition_label()
    found = editions.list_editions(load_settings())
    first = [{"label": LATEST_TEXT if latest else "Choose an edition", "value": ""}]
    options = first + [
        {
            "label": edition_words(e.label, e.published_at).removeprefix("Edition: "),
            "value": e.label,
        }
        for e in found
    ]
    select_id = {"type": PICKER, "index": index}
    text = shown if shown is not None else current_words()
    dom_id = json.dumps(select_id, sort_keys=True, separators=(",", ":"))  # as Dash writes it
    edition_shown = label is not None and shown is None and text != LATEST_TEXT
    controls: list[Component] = [
        html.Label("Edition", htmlFor=dom_id, className="form-label mb-0"),
        dbc.Select(
            id=select_id,
            options=options,
            value=label if label in {e.label for e in found} else "",
            size="sm",
            style={"width": "auto", "maxWidth": "100%"},
        ),
        html.Button(
            "Show edition",
            id={"type": SHOW, "index": index},
            className="btn btn-sm btn-outline-secondary",
            type="button",
        ),
        attrs(
            html.Div(id={"type": STATUS, "index": index}, className="small"),
            {"aria-live": "polite"},
        ),
    ]
    # One compact line (the headline tiles must still fit the first screen): what is shown,
    # then the picker; an edition's box goes above it.
    opening = [] if edition_shown else [_shown_line(prefix, text, None)]
    return html.Div(
        [
            _shown_line(prefix, text, label) if edition_shown else None,
            html.Div([*opening, *controls], className="d-flex flex-wrap align-items-center gap-2"),
        ],
        className="edition-picker mb-2",
    )


def _shown_line(prefix: str, text: str, label: str | None) -> html.Div | html.Span | None:
    """What the page shows; an edition stands out, with a link to what has changed since."""
    if not text:
        return None
    if label is None or text == LATEST_TEXT:
        return html.Span(html.Strong(text), className="me-2", id=f"{prefix}edition-shown")
    return html.Div(
        [
            html.Strong(text),
            ": the figures as published then. ",
            html.A(
                "See what has changed since",
                href=f"/revisions?{urlencode({source.EDITION_PARAM: label})}",
                className="alert-link",  # the alert's own dark colour: AA contrast
            ),
            ".",
        ],
        className="alert alert-warning py-2 mb-2",
        id=f"{prefix}edition-shown",
    )


_GO = """
function(clicks, value) {
    if (!clicks) { return window.dash_clientside.no_update; }
    const url = new URL(window.location.href);
    if (value) { url.searchParams.set('edition', value); }
    else { url.searchParams.delete('edition'); }
    window.location.assign(url.toString());
    return 'Opening ' + (value ? 'edition ' + value : 'the latest figures') + '…';
}
"""


def register_callbacks(app: dash.Dash) -> None:
    """The Show button's page reload, in the browser (no server round trip)."""
    app.clientside_callback(
        _GO,
        Output({"type": STATUS, "index": MATCH}, "children"),
        Input({"type": SHOW, "index": MATCH}, "n_clicks"),
        State({"type": PICKER, "index": MATCH}, "value"),
        prevent_initial_call=True,
    )
