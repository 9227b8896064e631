"""Compare forces (``/compare``): funnel plot of a rate (or, for timeliness, the mean days)
for all 43 forces against national, worded with the metric's direction, a force and its
peers highlighted (a PCC's own force by default), the force's SPC chart and a sortable grid
(no ranks).

The selection lives in the query string (``?metric=&basis=&period=&breakdown=&force=&peers=``)
so a view is linkable; a malformed query shows a clear message and falls back to defaults.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlencode

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import Input, Output, dcc, html

from dashboard import ids
from dashboard.auth.web import signed_in
from dashboard.data import compare as cd
from dashboard.data import source
from dashboard.data.snapshot import NoSnapshotError
from dashboard.ui import editions as edition_ui
from dashboard.ui.attrs import attrs
from dashboard.ui.charts import compare as charts_compare
from dashboard.ui.charts import spc as spc_marks
from dashboard.ui.components import notice, page_header
from dashboard.ui.figures import figure_card
from dashboard.ui.wording import format_value, spc_text
from scorecard import labels
from warehouse.metrics import catalogue

log = logging.getLogger(__name__)

dash.register_page(
    __name__,
    name="Compare forces",
    path="/compare",
    title="Compare forces",
    order=1,
    shows_editions=True,
)

PEER_LABELS = {
    "region": "Police region",
    "configured": "Configured peer group",
    "none": "No peers",
}
FUNNEL_SOURCE = (
    "Source: force and CPS Area extracts (synthetic in the demo); limits: Spiegelhalter (2005) "
    "funnel plot with over-dispersion, against the national rate."
)
DAYS_SOURCE = (
    "Source: force and CPS Area extracts (synthetic in the demo); limits: funnel plot on the "
    "mean (national mean +/- z x national standard deviation / square root of cases) with "
    "over-dispersion; medians: sign test against the national median. Method on Definitions."
)


def own_force() -> str:
    """The signed-in user's force when they have one (a PCC's office): highlighted by
    default."""
    user = signed_in()
    org = user.org_code if user is not None else None
    return org if org and org in cd.force_names() else ""


def _select(
    label: str, select_id: str, options: list[dict[str, str]], value: str, *, wide: bool = False
) -> dbc.Col:
    return dbc.Col(
        [
            html.Label(label, htmlFor=select_id, className="form-label"),
            dbc.Select(id=select_id, options=options, value=value),
        ],
        md=8 if wide else 4,
        lg=4 if wide else 2,
        className="mb-2",
    )


def _bvalue(b: str) -> str:
    return b or cd.ALL_CASES


def _breakdown_label(b: str) -> str:
    return labels.breakdown(b).capitalize() if not b else labels.breakdown(b)


def _controls(sel: cd.Selection) -> dbc.Row:
    m = catalogue.get(sel.metric)
    forces = [{"label": "None", "value": cd.NO_FORCE}] + [
        {"label": n, "value": c} for c, n in sorted(cd.force_names().items(), key=lambda x: x[1])
    ]
    return dbc.Row(
        [
            _select("Metric", ids.COMPARE_METRIC, cd.metric_options(), sel.metric, wide=True),
            _select(
                "Breakdown",
                ids.COMPARE_BREAKDOWN,
                [{"label": _breakdown_label(sel.breakdown), "value": _bvalue(sel.breakdown)}],
                _bvalue(sel.breakdown),
            ),
            _select(
                "Basis",
                ids.COMPARE_BASIS,
                [{"label": b.title(), "value": b} for b in m.basis],
                sel.basis,
            ),
            _select(
                "Period",
                ids.COMPARE_PERIOD,
                [{"label": sel.period or "none", "value": sel.period or ""}],
                sel.period or "",
            ),
            _select("Force to highlight", ids.COMPARE_FORCE, forces, sel.force or cd.NO_FORCE),
            _select(
                "Peers",
                ids.COMPARE_PEERS,
                [{"label": v, "value": k} for k, v in PEER_LABELS.items()],
                sel.peers,
            ),
        ],
        className="mb-3",
    )


@source.edition_page
def layout(**query: Any) -> html.Div:
    header = page_header(
        "Compare forces",
        "Where each force sits against national, allowing for chance: a funnel plot with 95% "
        "and 99.8% control limits, not a league table - rates, and for timeliness the mean "
        "days. Highlight a force and its peers; its quarterly SPC chart shows whether it is "
        "changing.",
    )
    if "force" not in query and (mine := own_force()):
        query = {**query, "force": mine}
    sel = cd.parse_query(query)
    try:
        sel = cd.resolve(sel)
    except NoSnapshotError as exc:
        return html.Div([header, edition_ui.picker("compare-"), notice(str(exc))])
    message = (
        html.Div(
            [
                html.Strong("Some of the address could not be used: "),
                "; ".join(sel.problems) + ". Showing the defaults instead.",
            ],
            className="alert alert-warning",
            role="status",
        )
        if sel.problems
        else None
    )
    return html.Div(
        [
            header,
            edition_ui.picker("compare-"),
            html.Div(message, id=ids.COMPARE_MESSAGE),
            attrs(html.Form(_controls(sel)), {"aria-label": "Choose what to compare"}),
            dcc.Loading(html.Div(id=ids.COMPARE_CONTENT), type="default"),
            dcc.Store(id=ids.COMPARE_URL),
        ]
    )


def _content(sel: cd.Selection) -> list[Any]:
    """The three cards for a resolved selection (simple filtered selects on the marts)."""
    m = catalogue.get(sel.metric)
    what = m.name + ("" if not sel.breakdown else f" ({_breakdown_label(sel.breakdown)})")
    period_text = f"{sel.period}, {sel.basis} basis"
    if not sel.period:
        return [notice(f"There are no force figures for {what} on the {sel.basis} basis.")]
    desc, peers = cd.peers_of(sel.force, sel.peers)
    rates = cd.with_roles(cd.force_rates(sel), sel.force, peers)
    national = cd.national_rate(sel)
    curves = cd.curves_for(sel, m.unit)
    days = m.unit == "days"
    table = cd.funnel_table(rates, national, m.unit, m.direction)
    n_suppressed = int(rates["suppressed"].notna().sum())
    n_missing = int((rates["value"].isna() & rates["suppressed"].isna()).sum())
    against_what = "the national mean" if days else "the national rate"
    notes = [f"{len(rates) - n_suppressed - n_missing} forces plotted against {against_what}."]
    if n_suppressed:
        notes.append(
            f"{n_suppressed} not plotted: suppressed (the reason is in the table), never zero."
        )
    if n_missing:
        notes.append(f"{n_missing} with no figures for this period.")
    if sel.force:
        notes.append(
            f"{cd.force_names()[sel.force]} is the star"
            + (f"; its peers ({desc}) are diamonds." if peers else ".")
        )
    if curves is not None:
        notes.append(f"Over-dispersion factor used for the limits: {max(curves.phi, 1.0):.2f}.")
    if days:
        notes.append(
            "Each force's median days is in the table with its own comparison (a sign test "
            "against the national median); lower is better."
        )
    funnel_fig = charts_compare.funnel_figure(
        rates,
        curves,
        metric_name="Mean" if days else what,
        unit=m.unit,
        denominator_label=(m.denominator or "denominator").capitalize(),
        direction=m.direction,
    )
    funnel_card = figure_card(
        ids.COMPARE_FUNNEL_CARD,
        f"{what}{': mean days' if days else ''}: forces against national",
        period_text,
        table,
        figure=funnel_fig,
        source=DAYS_SOURCE if days else FUNNEL_SOURCE,
        description=" ".join(notes)
        + " The grid below the chart sorts on any column heading; there are no ranks, because "
        "forces within the limits are not distinguishable from national by chance alone.",
        body=_grid(rates, m.unit, m.direction),
    )
    spc_org = sel.force or None
    series = cd.spc_series(sel, spc_org)
    who = cd.force_names()[sel.force] if sel.force else "England and Wales (national)"
    spc_title = f"{what}: {who}, quarterly SPC chart"
    spc_frame = cd.spc_table(series, m.unit, m.direction)
    if series.empty:
        spc_card = figure_card(
            ids.COMPARE_SPC_CARD,
            spc_title,
            "all quarters",
            spc_frame,
            description="No quarterly series for this selection.",
        )
    else:
        span = f"{series['period'].iloc[0]} to {series['period'].iloc[-1]}, {sel.basis} basis"
        latest = series["variation"].dropna()
        icon = spc_text(str(latest.iloc[-1]) if len(latest) else None)
        spc_card = figure_card(
            ids.COMPARE_SPC_CARD,
            spc_title,
            span,
            spc_frame,
            figure=charts_compare.spc_figure(
                series, metric_name=what, unit=m.unit, direction=m.direction
            ),
            description=(
                ("" if sel.force else "Choose a force to see its own chart. ")
                + f"Latest quarter: {icon}. {spc_marks.DESCRIPTION} Rules as in NHS England "
                "'Making Data Count'."
            ),
        )
    return [
        html.H2("Against national", className="h4"),
        _highlight_summary(sel, rates, m),
        funnel_card,
        html.H2("Over time", className="h4"),
        spc_card,
    ]


def _highlight_summary(sel: cd.Selection, rates: Any, m: catalogue.Metric) -> Any:
    """One sentence for the highlighted force, worded with direction, above the funnel."""
    if not sel.force:
        return None
    row = rates[rates["org_code"] == sel.force]
    if row.empty:
        return None
    r = row.iloc[0]
    sup = r["suppressed"] if isinstance(r["suppressed"], str) else None
    value = format_value(r["value"], m.unit, sup)
    words = cd.against(r["position"], sup, m.direction)
    kind = "mean" if m.unit == "days" else ""
    text: list[Any] = [
        html.Strong(cd.force_names()[sel.force]),
        f", {sel.period}: {kind + ' ' if kind else ''}{value} - {words}.",
    ]
    if m.unit == "days" and "median" in rates.columns:
        msup = r["median_suppressed"] if isinstance(r["median_suppressed"], str) else None
        text.append(
            f" Median {format_value(r['median'], m.unit, msup)} - "
            f"{cd.against(r['median_position'], msup, m.direction)}."
        )
    return html.P(text, className="lead fs-6")


def _grid(rates: Any, unit: str, direction: str) -> dag.AgGrid:
    days = unit == "days"
    suffix = "%" if unit == "percent" else ""
    places = ".0f" if days else ".1f"
    fmt = {
        "function": f"params.value == null ? '' : d3.format('{places}')(params.value) + '{suffix}'"
    }
    rate_fmt = {
        "function": "params.value == null ? (params.data.note || 'no data') : "
        f"d3.format('{places}')(params.value) + '{suffix}'"
    }
    median_fmt = {
        "function": "params.value == null ? (params.data.median_note || 'no data') : "
        "d3.format('.0f')(params.value)"
    }
    count_fmt = {"function": "params.value == null ? '' : d3.format(',.0f')(params.value)"}
    words = {"wrapText": True, "autoHeight": True, "minWidth": 150, "flex": 2}
    num = {"type": "numericColumn", "minWidth": 88}
    cols: list[dict[str, Any]] = [
        # the highlight is part of the name ("Kent Police (selected)"): one column fewer
        {"field": "force", "headerName": "Force", "pinned": "left", "minWidth": 160,
         "wrapText": True, "autoHeight": True, "valueGetter": {"function":
             "params.data.highlight ? params.data.force + ' (' + params.data.highlight + ')'"
             " : params.data.force"}},
        {"field": "region", "headerName": "Police region", "minWidth": 105, "wrapText": True,
         "autoHeight": True},
    ]  # fmt: skip
    if days:
        cols += [
            {"field": "denominator", "headerName": "Cases", "valueFormatter": count_fmt, **num},
            {"field": "value", "headerName": "Mean days", "valueFormatter": rate_fmt, **num,
             "minWidth": 110, "wrapText": True, "autoHeight": True},
        ]  # fmt: skip
    else:
        cols += [
            {"field": "numerator", "headerName": "Numerator", "valueFormatter": count_fmt, **num,
             "minWidth": 105},
            {"field": "denominator", "headerName": "Denominator", "valueFormatter": count_fmt,
             **num, "minWidth": 115},
            {"field": "value", "headerName": "Rate", "valueFormatter": rate_fmt, **num,
             "minWidth": 110, "wrapText": True, "autoHeight": True},
        ]  # fmt: skip
    cols += [
        {"field": "lower_95", "headerName": "95% lower", "valueFormatter": fmt, **num},
        {"field": "upper_95", "headerName": "95% upper", "valueFormatter": fmt, **num},
        {"field": "lower_998", "headerName": "99.8% lower", "valueFormatter": fmt, **num},
        {"field": "upper_998", "headerName": "99.8% upper", "valueFormatter": fmt, **num},
        {"field": "position", "headerName": ("Mean a" if days else "A") + "gainst national",
         **words},
    ]  # fmt: skip
    if days:
        cols += [
            {"field": "median", "headerName": "Median days", "valueFormatter": median_fmt,
             **num, "minWidth": 110, "wrapText": True, "autoHeight": True},
            {"field": "median_position", "headerName": "Median against national", **words},
        ]  # fmt: skip
    return html.Div(
        dag.AgGrid(
            id=ids.COMPARE_GRID,
            rowData=cd.grid_rows(rates, unit, direction),
            columnDefs=cols,
            defaultColDef={
                "sortable": True,
                "resizable": True,
                "flex": 1,
                "minWidth": 88,
                "wrapHeaderText": True,
                # wrapped cells read as text, not one line per row height
                "cellStyle": {"lineHeight": "1.35", "paddingTop": "6px", "paddingBottom": "6px"},
                "autoHeaderHeight": True,
            },
            dashGridOptions={
                "domLayout": "autoHeight",
                "ensureDomOrder": True,
                "suppressColumnVirtualisation": True,
            },
            className="ag-theme-alpine",
            style={"width": "100%"},
        ),
        className="mb-2",
    )


@dash.callback(
    Output(ids.COMPARE_BREAKDOWN, "options"),
    Output(ids.COMPARE_BREAKDOWN, "value"),
    Output(ids.COMPARE_BASIS, "options"),
    Output(ids.COMPARE_BASIS, "value"),
    Output(ids.COMPARE_PERIOD, "options"),
    Output(ids.COMPARE_PERIOD, "value"),
    Output(ids.COMPARE_CONTENT, "children"),
    Output(ids.COMPARE_URL, "data"),
    Input(ids.COMPARE_METRIC, "value"),
    Input(ids.COMPARE_BREAKDOWN, "value"),
    Input(ids.COMPARE_BASIS, "value"),
    Input(ids.COMPARE_PERIOD, "value"),
    Input(ids.COMPARE_FORCE, "value"),
    Input(ids.COMPARE_PEERS, "value"),
)
def _update(
    metric: str | None,
    breakdown: str | None,
    basis: str | None,
    period: str | None,
    force: str | None,
    peers: str | None,
) -> tuple[Any, ...]:
    """Re-resolve the whole selection (a new metric may lack the old basis, breakdown or
    period) and redraw; also hands the query string to the browser for the address bar."""
    raw = {
        "metric": metric,
        "breakdown": breakdown,
        "basis": basis,
        "period": period,
        "force": force,
        "peers": peers,
    }
    sel = cd.parse_query({k: v for k, v in raw.items() if v})
    try:
        sel = cd.resolve(sel)
        content = _content(sel)
        m = catalogue.get(sel.metric)
        breakdowns, avail = sel.breakdowns, sel.period_choices
    except NoSnapshotError as exc:
        return ([], "", [], "", [], "", notice(str(exc)), "")
    return (
        [{"label": _breakdown_label(b), "value": _bvalue(b)} for b in breakdowns]
        or [{"label": "All cases", "value": cd.ALL_CASES}],
        _bvalue(sel.breakdown),
        [{"label": b.title(), "value": b} for b in m.basis],
        sel.basis,
        cd.period_options(avail),
        sel.period or "",
        content,
        "?" + urlencode({**sel.query(), **source.edition_query()}),
    )


# Keep the address bar linkable without re-rendering the page (replaceState does not
# trigger Dash's router, unlike a dcc.Location update).
dash.clientside_callback(
    """function(search) {
        const path = window.location.pathname;
        if (search && path.endsWith('/compare') && window.location.search !== search) {
            window.history.replaceState(window.history.state, '', path + search);
        }
    }""",
    Input(ids.COMPARE_URL, "data"),
)
