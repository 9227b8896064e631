"""Joint area scorecard (``/area/<force_code>``): a force and its CPS Area(s) side by side.

For a PCC's office or a local board: every catalogue metric for the force (its joint
scorecard) and each CPS Area serving it (the Met has two), the owner side, where each sits
against national (funnel plot position, as text and symbol), quarterly trends, a tab-like
switch between equalities, victim withdrawal and action plans tables, and the
recommendations the force and its Areas own. An unknown force code gives a page listing the
valid forces, never a traceback.
"""

from __future__ import annotations

import logging

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, html

from dashboard import ids
from dashboard.data import area as area_data
from dashboard.data import attrition as attrition_data
from dashboard.data import headline as headline_data
from dashboard.data import national as national_data
from dashboard.data import scorecard as sd
from dashboard.data import source
from dashboard.data.snapshot import NoSnapshotError
from dashboard.ui import editions as edition_ui
from dashboard.ui import headline as headline_ui
from dashboard.ui.attrition import attrition_section
from dashboard.ui.attrs import attrs
from dashboard.ui.cards import labelled_select, pdf_href
from dashboard.ui.charts import trend
from dashboard.ui.charts.withdrawal import withdrawal_chart
from dashboard.ui.components import notice, page_header
from dashboard.ui.figures import figure_card
from dashboard.ui.status import RAG_ORDER, rag_label
from dashboard.ui.wording import POSITION_SAME, POSITION_WORDS
from warehouse.metrics import catalogue

log = logging.getLogger(__name__)

dash.register_page(
    __name__,
    name="Joint area scorecard",
    path_template="/area/<force_code>",
    title="Joint area scorecard",
    order=1,
    shows_editions=True,
)

# Tabs: the metrics evidencing a recommendation (catalogue recs), so the tabs follow the
# catalogue rather than a list of metric ids.
TABS = (
    ("equalities", "Equalities", 1),
    ("withdrawal", "Victim withdrawal", 3),
    ("action-plans", "Action plans and case progression", 4),
)
REC_SOURCE = "Source: recommendation owners' returns and in-app updates, rape response scorecard."


def unknown_force(code: object) -> html.Div:
    """A clear page for a force code that does not exist, linking every valid force."""
    shown = str(code)[:60] if code else "(none)"
    try:
        valid = area_data.forces()
    except NoSnapshotError as exc:
        return html.Div([page_header("No such force"), notice(str(exc))])
    return html.Div(
        [
            page_header("No such force"),
            html.P(
                f"There is no police force with the code '{shown}'. Choose one of the "
                f"{len(valid)} forces below.",
                id=ids.AREA_UNKNOWN,
                role="status",
            ),
            html.Ul(
                [html.Li(html.A(f.name, href=f"/area/{f.code}")) for f in valid],
                className="list-unstyled row row-cols-md-3",
            ),
        ]
    )


def scope_of(force: area_data.ForceInfo) -> headline_data.Scope:
    return headline_data.Scope(
        force.name, force.code, owner_codes=(force.code, *(a.code for a in force.areas))
    )


def render(
    force: area_data.ForceInfo, period: str, info: sd.PeriodInfo, rows: pd.DataFrame | None = None
) -> list:
    """Header, the headline tiles, what needs attention and every metric's table by theme
    (folded) of the joint scorecard for one force and period."""
    shown = dict(info.options).get(period, period)
    area_names = " and ".join(a.name for a in force.areas) or "no CPS Area"
    head = headline_data.headline(scope_of(force), period, info.data_as_at)
    quarter = headline_data.quarter_words(head.spc_quarter) if head.spc_quarter else "no quarter"
    children: list = [
        page_header(f"Joint area scorecard: {force.name}"),
        headline_ui.headline_section(
            head,
            f"Headline: {shown}, {force.name} with {area_names}",
            area=True,
            summary=headline_ui.summary_line(head, info.data_as_at),
        ),
        headline_ui.attention_section(head, area=True, quarter_words=quarter),
        *headline_ui.court_section(head, force.name),
        *attrition_view(force, period, info),
        html.H2("Detail by theme", className="h5 mt-3"),
        html.P(
            f"Every metric for {shown}: {force.name} and {area_names} side by side with "
            f"national. Region: {force.region or 'unknown'}. Local policing body: "
            f"{force.policing_body or 'unknown'}. Police metrics read the force's records; "
            "CPS metrics read each Area's records (an Area serves several forces); the force "
            "column is the force's joint scorecard (CPS records linked to the force). "
            "Against national: the figure against the national figure with funnel plot "
            "limits (99.8%, allowing for over-dispersion), in words that say whether that "
            "is better or worse: "
            f"'{POSITION_WORDS[('higher_is_better', 'below')]}', '{POSITION_SAME}'; a "
            "metric with no better direction is only 'significantly higher' or 'lower'.",
            className="small",
        ),
    ]
    by_theme: dict[str, list] = {}
    for m in catalogue.load():
        by_theme.setdefault(m.theme or national_data.OTHER_THEME[0], []).append(m)
    for key, title in national_data.theme_groups():
        if key not in by_theme:
            continue
        frame = area_data.area_table(force, period, by_theme[key], rows=rows)
        children.append(
            headline_ui.folded(
                f"{title}: {len(frame)} figures",
                [
                    figure_card(
                        f"area-{key}",
                        f"{title}: {force.name} and {area_names}",
                        shown,
                        frame,
                        table_open=True,
                    )
                ],
                fold_id=f"area-fold-{key}",
            )
        )
    return children


def attrition_view(force: area_data.ForceInfo, period: str, info: sd.PeriodInfo) -> list:
    """One cohort from report to verdict, the force beside national."""
    year, note = attrition_data.cohort_for(period, info.data_as_at)
    if year is None:
        return []
    att = attrition_data.attrition(year, force.code, force.name)
    return [attrition_section(ids.AREA_ATTRITION, att, f"{force.name} and national", note)]


def focus_panel(
    force: area_data.ForceInfo,
    period: str,
    info: sd.PeriodInfo,
    key: str | None,
    rows: pd.DataFrame | None = None,
) -> html.Div:
    """One focus table (equalities, withdrawal or action plans): every breakdown of the
    metrics evidencing that recommendation, and for withdrawal the stage and reason chart.
    Only the chosen one is built."""
    key, label, rec = next((t for t in TABS if t[0] == key), TABS[0])
    area_names = " and ".join(a.name for a in force.areas) or "no CPS Area"
    if rows is None:
        rows = area_data.area_rows(force, period)
    shown = dict(info.options).get(period, period)
    frame = area_data.area_table(
        force, period, area_data.metrics_for_rec(rec), rows=rows, all_breakdowns=True
    )
    cards = [
        figure_card(
            f"area-tab-{key}",
            f"{label}: {force.name} and {area_names}",
            shown,
            frame,
            description=f"Metrics evidencing recommendation {rec}, every published breakdown. "
            "Small groups are suppressed, with the reason.",
            table_open=True,
        )
    ]
    if key == "withdrawal":
        cards.insert(0, withdrawal_card(force, period, shown, rows))
    return html.Div(cards)


def withdrawal_card(
    force: area_data.ForceInfo, period: str, shown: str, rows: pd.DataFrame
) -> html.Section:
    """Withdrawals by stage and by reason for the force beside national (recommendation 3:
    record when and why victims withdraw)."""
    m = catalogue.get(area_data.WITHDRAWAL_METRIC)
    plot, frame = area_data.withdrawal_breakdown(force, period, rows=rows)
    has_numbers = any(v is not None and not pd.isna(v) for v in plot["value"])
    return figure_card(
        "area-withdrawal-stage-reason",
        area_data.withdrawal_title(force),
        shown,
        frame,
        figure=withdrawal_chart(plot) if has_numbers else None,
        description=f"{m.definition} Shares of all withdrawals in the period, so each "
        "group adds to 100%. Small groups are suppressed, with the reason."
        + ("" if len(frame) else " No stage or reason figures are published for this period."),
        table_open=True,
    )


def recs_block(force: area_data.ForceInfo, info: sd.PeriodInfo) -> list:
    """The recommendations the force and its Area(s) own, with status and RAG in words."""
    area_names = " and ".join(a.name for a in force.areas) or "no CPS Area"
    recs = area_data.owned_recommendations((area_data.Org(force.code, force.name), *force.areas))
    return [
        figure_card(
            "area-recommendations",
            f"Recommendations owned by {force.name} and {area_names}",
            f"Status as at {info.data_as_at or 'unknown'}",
            recs,
            source=REC_SOURCE,
            description="RAG is given in words: "
            + "; ".join(rag_label(r) for r in RAG_ORDER)
            + ".",
            table_open=True,
        ),
        html.Ul(
            [
                html.Li(html.A(f"Recommendation {n}", href=f"/recommendations/{n}"))
                for n in sorted(set(recs["Recommendation"]), key=int)
            ],
            className="list-inline",
        ),
    ]


def focus_switch() -> html.Fieldset:
    """Tab-like switch between the focus tables: native radio buttons styled as a button
    group (keyboard operable with arrow keys, state announced; dbc.Tabs emits aria-controls
    pointing at panes it never renders, which axe rejects)."""
    return html.Fieldset(
        [
            html.Legend("Show", className="visually-hidden"),
            dbc.RadioItems(
                id=ids.AREA_TABS,
                options=[{"label": label, "value": key} for key, label, _ in TABS],
                value=TABS[0][0],
                inline=True,
                className="btn-group flex-wrap",
                inputClassName="btn-check",
                labelClassName="btn btn-outline-primary",
                labelCheckedClassName="active",
            ),
        ],
        className="mb-3",
    )


def trend_card(force: area_data.ForceInfo, metric_id: str | None) -> html.Section:
    """Quarterly values for the force, its Area(s) and national on one metric."""
    if not metric_id:
        return html.Section(notice("No quarterly metric to chart."))
    m = catalogue.get(metric_id)
    plot, shown, key, base = area_data.area_trend(force, metric_id)
    if key is None:
        return figure_card("area-trend-card", f"{m.name}: quarterly trend", "no quarters", shown)
    basis, stat, bd = key
    label = f"{m.name} ({sd.stat_label(m, stat)}, {basis} basis, {sd.breakdown_label(bd)})"
    if stat == "count":
        y_title = f"Index ({base} = 100)" if base else "Index"
        how = (
            f" Counts are shown as an index: each organisation's average quarter in {base} = "
            "100, so a force and the nation are compared like with like (their rise or fall), "
            "not on one count axis."
            if base
            else " No year has every quarter for every organisation, so the counts cannot be "
            "indexed; the table gives them."
        )
    else:
        y_title, how = sd.stat_label(m, stat), ""
    return figure_card(
        "area-trend-card",
        f"{label}: {force.name}, its CPS Area(s) and national by quarter",
        f"Quarters {shown['Quarter'].iloc[0]} to {shown['Quarter'].iloc[-1]}",
        shown,
        figure=trend.lines_chart(plot, y_title) if stat != "count" or base else None,
        description=m.definition + how,
    )


def _trend_options(force: area_data.ForceInfo) -> list[dict]:
    return [{"label": m.name, "value": m.id} for m in national_data.trend_metrics("national")]


@source.edition_page
def layout(
    force_code: object = None, period: object = None, metric: object = None, **_: object
) -> html.Div:
    try:
        force = area_data.force_info(force_code if isinstance(force_code, str) else None)
        info = sd.period_info()
        all_forces = area_data.forces()
    except NoSnapshotError as exc:
        return html.Div(
            [page_header("Joint area scorecard"), edition_ui.picker("area-"), notice(str(exc))]
        )
    if force is None:
        return unknown_force(force_code)
    chosen, message = sd.resolve_period(period if isinstance(period, str) else None, info)
    if period is not None and not isinstance(period, str):
        chosen, message = info.default, f"Give one period only; showing {info.default}."
    if chosen is None:
        return html.Div([page_header("Joint area scorecard"), notice("No figures yet.")])
    metrics = _trend_options(force)
    first = metrics[0]["value"] if metrics else None
    if isinstance(metric, str) and metric in {o["value"] for o in metrics}:
        first = metric  # a tile or needs-attention link opens its trend
    rows = area_data.area_rows(force, chosen)
    return html.Div(
        [
            attrs(
                html.Div(notice(message) if message else None, id=ids.AREA_MESSAGE),
                {"aria-live": "polite"},
            ),
            html.Div(
                [
                    labelled_select(
                        ids.AREA_FORCE,
                        "Police force",
                        [{"label": f.name, "value": f.code} for f in all_forces],
                        force.code,
                        width="col-12 col-sm-6 col-md-4",
                    ),
                    labelled_select(
                        ids.AREA_PERIOD,
                        "Period",
                        [{"label": lab, "value": v} for v, lab in info.options],
                        chosen,
                        width="col-12 col-sm-6 col-md-4",
                    ),
                    html.Div(
                        html.A(
                            "Board pack (PDF)",
                            href=pdf_href(chosen, force.code),
                            id=ids.AREA_PDF,
                            className="btn btn-outline-primary text-nowrap",
                        ),
                        className="col-12 col-md-3 d-flex align-items-end",
                    ),
                ],
                className="row g-2 mb-2 align-items-end",
            ),
            edition_ui.picker("area-"),
            html.Div(render(force, chosen, info, rows), id=ids.AREA_CONTENT),
            headline_ui.folded(
                "Focus areas: equalities, victim withdrawal, action plans",
                [
                    focus_switch(),
                    html.Div(focus_panel(force, chosen, info, TABS[0][0], rows), id=ids.AREA_FOCUS),
                ],
                fold_id="area-fold-focus",
            ),
            headline_ui.folded(
                "Recommendations owned by the force and its CPS Area(s)",
                [html.Div(recs_block(force, info), id=ids.AREA_RECS)],
                fold_id="area-fold-recommendations",
            ),
            html.H2("Quarterly trend", className="h5 mt-4"),
            html.Div(
                labelled_select(ids.AREA_TREND_METRIC, "Metric to chart", metrics, first),
                className="row mb-3",
            ),
            html.Div(trend_card(force, first), id=ids.AREA_TREND),
            html.Div(id=ids.AREA_URL_SYNC, hidden=True),
        ],
        className="scorecard-page",
    )


@dash.callback(
    Output(ids.AREA_CONTENT, "children"),
    Output(ids.AREA_FOCUS, "children"),
    Output(ids.AREA_RECS, "children"),
    Output(ids.AREA_PDF, "href"),
    Output(ids.AREA_MESSAGE, "children"),
    Output(ids.AREA_TREND, "children"),
    Input(ids.AREA_FORCE, "value"),
    Input(ids.AREA_PERIOD, "value"),
    State(ids.AREA_TABS, "value"),
    State(ids.AREA_TREND_METRIC, "value"),
    prevent_initial_call=True,
)
def _on_change(
    force_code: str | None, period: str | None, focus: str | None, metric_id: str | None
) -> tuple:
    """Redraw for the chosen force and period (marts only: a handful of small selects)."""
    force = area_data.force_info(force_code)
    if force is None:
        raise dash.exceptions.PreventUpdate
    info = sd.period_info()
    chosen, message = sd.resolve_period(period, info)
    if chosen is None:
        raise dash.exceptions.PreventUpdate
    metric = metric_id if metric_id in catalogue.by_id() else None
    rows = area_data.area_rows(force, chosen)
    return (
        render(force, chosen, info, rows),
        focus_panel(force, chosen, info, focus, rows),
        recs_block(force, info),
        pdf_href(chosen, force.code),
        notice(message) if message else None,
        trend_card(force, metric),
    )


@dash.callback(
    Output(ids.AREA_FOCUS, "children", allow_duplicate=True),
    Input(ids.AREA_TABS, "value"),
    State(ids.AREA_FORCE, "value"),
    State(ids.AREA_PERIOD, "value"),
    prevent_initial_call=True,
)
def _on_focus(focus: str | None, force_code: str | None, period: str | None) -> html.Div:
    """Build only the chosen focus table."""
    force = area_data.force_info(force_code)
    info = sd.period_info()
    chosen, _ = sd.resolve_period(period, info)
    if force is None or chosen is None:
        raise dash.exceptions.PreventUpdate
    return focus_panel(force, chosen, info, focus)


@dash.callback(
    Output(ids.AREA_TREND, "children", allow_duplicate=True),
    Input(ids.AREA_TREND_METRIC, "value"),
    State(ids.AREA_FORCE, "value"),
    prevent_initial_call=True,
)
def _on_trend_metric(metric_id: str | None, force_code: str | None) -> html.Section:
    force = area_data.force_info(force_code)
    if force is None or metric_id not in catalogue.by_id():
        raise dash.exceptions.PreventUpdate
    return trend_card(force, metric_id)


# Keep the address bar in step with the chosen force and period without a reload.
dash.clientside_callback(
    """
    function(force, period) {
        if (force) {
            const url = new URL(window.location.href);
            url.pathname = '/area/' + encodeURIComponent(force);
            if (period) { url.searchParams.set('period', period); }
            window.history.replaceState(window.history.state, '', url.toString());
        }
        return '';
    }
    """,
    Output(ids.AREA_URL_SYNC, "children"),
    Input(ids.AREA_FORCE, "value"),
    Input(ids.AREA_PERIOD, "value"),
    prevent_initial_call=True,
)
