"""Definitions (``/definitions``): the metric catalogue, searchable."""

from __future__ import annotations

import dash
import pandas as pd
from dash import Input, Output, dcc, html

from dashboard import ids
from dashboard.ui.components import page_header, table
from scorecard import labels
from warehouse.metrics import catalogue

dash.register_page(
    __name__, name="Definitions", path="/definitions", title="Metric definitions", order=5
)

COLUMNS = ("id", "name", "definition", "side", "basis", "unit", "direction", "recommendations")
HEADERS = (
    "Metric id",
    "Name",
    "Definition",
    "Owner side",
    "Basis",
    "Unit",
    "Direction",
    "Recommendations",
)


def _frame() -> pd.DataFrame:
    rows = [
        {
            "id": m.id,
            "name": m.name,
            "definition": m.definition,
            "side": labels.side(m.side),
            "basis": "; ".join(labels.basis(b) for b in m.basis),
            "unit": labels.unit(m.unit),
            "direction": m.direction.replace("_", " "),
            "recommendations": ", ".join(str(r) for r in m.recs),
        }
        for m in catalogue.load()
    ]
    return pd.DataFrame(rows, columns=list(COLUMNS))


def filter_definitions(query: str | None) -> pd.DataFrame:
    """Rows whose text contains every word of the query (case-insensitive)."""
    frame = _frame()
    words = (query or "").lower().split()
    if not words:
        return frame
    text = frame.astype(str).agg(" ".join, axis=1).str.lower()
    mask = pd.Series(True, index=frame.index)
    for w in words:
        mask &= text.str.contains(w, regex=False)
    return frame[mask]


def layout(**_: str) -> html.Div:
    frame = _frame()
    return html.Div(
        [
            page_header(
                "Metric definitions",
                "Every figure in the scorecard, what it counts and who owns it. "
                "The same catalogue drives the marts, the pages and the exports.",
            ),
            html.Label(
                "Search the definitions", htmlFor=ids.DEFINITIONS_SEARCH, className="form-label"
            ),
            dcc.Input(
                id=ids.DEFINITIONS_SEARCH,
                type="search",
                debounce=True,
                className="form-control mb-2",
                placeholder="e.g. withdrawal",
            ),
            html.P(f"{len(frame)} metrics", id=ids.DEFINITIONS_COUNT, role="status"),
            html.Div(table(frame, "Metric catalogue", headers=HEADERS), id=ids.DEFINITIONS_TABLE),
        ]
    )


@dash.callback(
    Output(ids.DEFINITIONS_TABLE, "children"),
    Output(ids.DEFINITIONS_COUNT, "children"),
    Input(ids.DEFINITIONS_SEARCH, "value"),
)
def _search(query: str | None) -> tuple[html.Table, str]:
    frame = filter_definitions(query)
    return table(frame, "Metric catalogue", headers=HEADERS), f"{len(frame)} metrics"
