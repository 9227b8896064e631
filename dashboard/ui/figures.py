"""Every chart and figure on every page goes through :func:`figure_card`.

A card has a title, the period, a source line, the chart (if any), a table alternative of
exactly the figures shown, and a CSV download of those same figures. Suppressed values
are shown as "suppressed" with the reason, never as zero (the wording is
:mod:`dashboard.ui.wording`). Colours come from the
Okabe-Ito colour-blind-safe palette; status is never carried by colour alone.
"""

from __future__ import annotations

import re
from typing import Any

import dash
import pandas as pd
import plotly.graph_objects as go
from dash import MATCH, Input, Output, State, dcc, html

from dashboard.ui.attrs import attrs
from dashboard.ui.components import table
from scorecard.csvsafe import frame_to_csv

# Okabe & Ito (2008), "Color Universal Design": distinguishable with colour-vision deficiency.
PALETTE = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "sky": "#56B4E9",
    "green": "#009E73",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
    "yellow": "#F0E442",
    "grey": "#595959",
    "black": "#000000",
}
SOURCE = "Source: force and CPS Area extracts (synthetic in the demo), rape response scorecard."

CSV_BUTTON, CSV_DATA, CSV_DOWNLOAD = "csv-button", "csv-data", "csv-download"


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def base_layout(fig: go.Figure, *, y_title: str | None = None) -> go.Figure:
    fig.update_layout(
        template="plotly_white",
        margin={"l": 60, "r": 20, "t": 30, "b": 50},
        font={
            "family": "system-ui, -apple-system, 'Segoe UI', Arial, sans-serif",
            "size": 13,
            "color": "#212529",
        },
        colorway=list(PALETTE.values()),
        # Legend under the whole figure (not a fixed share of the plot's height, which
        # rotated quarter labels on a phone ran into); axes make room for their labels.
        legend={"orientation": "h", "yref": "container", "y": 0, "yanchor": "bottom"},
        xaxis={"automargin": True},
        yaxis={"automargin": True},
        height=360,
    )
    if y_title:
        fig.update_yaxes(title_text=y_title)
    return fig


def figure_card(
    card_id: str,
    title: str,
    period: str,
    frame: pd.DataFrame,
    *,
    figure: go.Figure | None = None,
    source: str = SOURCE,
    description: str | None = None,
    table_open: bool = False,
    body: Any = None,
) -> html.Section:
    """A titled figure with its period, source, table alternative and CSV download.

    ``frame`` is exactly what is shown (suppressed cells already rendered as text); it is
    both the table alternative and the CSV. ``body`` is an optional non-plotly visual of the
    same figures (e.g. an HTML status grid or a sortable data grid), shown after any chart.
    """
    heading_id = f"{card_id}-title"
    children: list[Any] = [
        html.H3(title, id=heading_id, className="h5 mb-1"),
        html.P(f"{period}. {source}", className="small text-body-secondary mb-2"),
    ]
    if description:
        children.append(html.P(description, className="small"))
    if figure is not None:
        children.append(
            attrs(
                html.Div(
                    dcc.Graph(
                        id=f"{card_id}-graph",
                        figure=figure,
                        config={"displaylogo": False, "responsive": True},
                    ),
                    role="figure",
                ),
                {
                    "aria-label": f"Chart: {title}, {period}. The same figures are in the "
                    "table below."
                },
            )
        )
    if body is not None:
        children.append(body)
    children += [
        html.Details(
            [html.Summary("Show the figures as a table"), table(frame, f"{title}, {period}")],
            open=table_open,
        ),
        attrs(
            html.Button(
                "Download CSV",
                id={"type": CSV_BUTTON, "index": card_id},
                className="btn btn-outline-secondary btn-sm mt-2",
            ),
            {"aria-label": f"Download the figures for {title} as CSV"},
        ),
        dcc.Store(
            id={"type": CSV_DATA, "index": card_id},
            data={"name": f"{slug(title)}-{slug(period)}.csv", "csv": frame_to_csv(frame)},
        ),
        dcc.Download(id={"type": CSV_DOWNLOAD, "index": card_id}),
    ]
    return attrs(
        html.Section(children, className="card card-body mb-4"), {"aria-labelledby": heading_id}
    )


def _download_csv(_clicks: int | None, stored: dict | None) -> dict:
    """Send exactly the figures the card shows."""
    if not stored:
        raise dash.exceptions.PreventUpdate
    return dcc.send_string(stored["csv"], stored["name"], type="text/csv")


def register_callbacks(app: dash.Dash) -> None:
    """Attach the shared CSV download to an app. Registered per app rather than at import:
    a module-level ``dash.callback`` is handed to the first app only, and tests build several
    apps in one process."""
    app.callback(
        Output({"type": CSV_DOWNLOAD, "index": MATCH}, "data"),
        Input({"type": CSV_BUTTON, "index": MATCH}, "n_clicks"),
        State({"type": CSV_DATA, "index": MATCH}, "data"),
        prevent_initial_call=True,
    )(_download_csv)
