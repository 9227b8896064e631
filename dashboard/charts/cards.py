"""Small UI pieces shared by the national and area scorecards: a labelled native select, the
board-pack link target, and the quarterly SPC trend card."""

from __future__ import annotations

from urllib.parse import quote, urlencode

import dash_bootstrap_components as dbc
from dash import html

from dashboard import scorecard_data as sd
from dashboard.charts import trend
from dashboard.components import notice
from dashboard.figures import figure_card
from warehouse.metrics import catalogue


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
    base = f"/area/{quote(force_code)}/board-pack.pdf" if force_code else "/board-pack.pdf"
    return base + (f"?{urlencode({'period': period})}" if period else "")


def trend_options(level: str = "national") -> list[dict]:
    return [{"label": m.name, "value": m.id} for m in sd.trend_metrics(level)]


def spc_card(card_id: str, metric_id: str | None, level: str, org: str) -> html.Section:
    """Quarterly SPC chart of one metric's headline series, with its points as a table."""
    if not metric_id:
        return html.Section(notice("No quarterly metric to chart."))
    m = catalogue.get(metric_id)
    points, key = sd.spc_series(level, org, metric_id)
    if key is None:
        return figure_card(
            card_id,
            f"{m.name}: quarterly SPC chart",
            "No quarters published",
            sd.spc_frame(points, m.unit),
        )
    basis, stat, bd = key
    unit = sd.stat_unit(m, stat)
    label = f"{m.name} ({sd.stat_label(m, stat)}, {basis} basis, {sd.breakdown_label(bd)})"
    period = f"Quarters {points['period'].iloc[0]} to {points['period'].iloc[-1]}"
    return figure_card(
        card_id,
        f"{label}: quarterly SPC chart",
        period,
        sd.spc_frame(points, unit),
        figure=trend.spc_chart(points, sd.stat_label(m, stat)),
        description=f"{m.definition} Latest quarter: {sd.spc_text(points['variation'].iloc[-1])}."
        " Limits are 3 sigma around the mean; special-cause quarters are marked with an open "
        "diamond.",
    )
