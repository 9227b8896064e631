"""National scorecard (``/``): what is good, bad, changing and overdue, for a chosen period.

For a board member before a meeting: first the headline tiles by theme (volume, timeliness,
victim engagement, quality) with the change on a year earlier and the SPC judgement of the
same period, then what needs attention, then every metric's table by theme (folded), the
13 recommendations' owner roll-up, the published national series as context and a
quarterly SPC chart. The period is in the query string (``?period=2023-24``) so a link and the
board pack reproduce the view.
"""

from __future__ import annotations

import logging
import time

import dash
from dash import Input, Output, html

from dashboard import ids
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
from dashboard.ui.charts import spc as spc_marks
from dashboard.ui.charts import stage, trend
from dashboard.ui.components import notice, page_header
from dashboard.ui.figures import figure_card
from dashboard.ui.status import RAG_ORDER, rag_label
from dashboard.ui.wording import SPC_TEXT, spc_text
from scorecard import periods
from warehouse.metrics import catalogue

log = logging.getLogger(__name__)

dash.register_page(
    __name__,
    name="National scorecard",
    path="/",
    title="National scorecard",
    order=0,
    shows_editions=True,
)

PUBLISHED_SOURCE = (
    "Source: HMICFRS and HMCPSI joint thematic inspection of the police and CPS response to "
    "rape, phase one (July 2021), citing ONS recorded crime and CPS data."
)
REC_SOURCE = "Source: recommendation owners' returns and in-app updates, rape response scorecard."


def period_name(info: sd.PeriodInfo, period: str) -> str:
    return dict(info.options).get(period, period)


def render(period: str) -> list:
    """The scorecard for one period: headline tiles, what needs attention, then the detail
    tables by theme (folded), the published series and the recommendations' roll-up."""
    started = time.perf_counter()
    info = sd.period_info()
    shown = period_name(info, period)
    head = headline_data.headline(headline_data.Scope("England and Wales"), period, info.data_as_at)
    card = national_data.national_scorecard(period, head.spc_quarter)
    quarter = headline_data.quarter_words(head.spc_quarter) if head.spc_quarter else "no quarter"
    children: list = [
        headline_ui.headline_section(
            head,
            f"Headline: {shown}, England and Wales",
            area=False,
            summary=headline_ui.summary_line(head, info.data_as_at),
        ),
        headline_ui.attention_section(head, area=False, quarter_words=quarter),
        *headline_ui.court_section(head, "England and Wales"),
        *attrition_view(period, info),
        html.H2("Detail by theme", className="h5 mt-3"),
        html.P(
            [
                f"Every metric for {shown}, by theme. "
                + (
                    "Changes are on the previous quarter "
                    f"({headline_data.period_short(periods.previous_period(period))}) and the "
                    f"same quarter a year earlier ({head.year_earlier}). "
                    if periods.kind(period) == "quarter"
                    else f"Changes are on the same period a year earlier ({head.year_earlier}). "
                )
                + f"SPC: {head.spc_label}: ",
                *_spc_key(),
                ".",
            ],
            className="small",
        ),
    ]
    for key, title, frame in card.groups:
        children.append(
            headline_ui.folded(
                f"{title}: {len(frame)} figures",
                [
                    figure_card(
                        f"national-{key}", f"{title}, national", shown, frame, table_open=True
                    )
                ],
                fold_id=f"national-fold-{key}",
            )
        )
    published = national_data.published_series()
    rollup = national_data.recommendation_rollup()
    children += [
        headline_ui.folded(
            "The 13 recommendations: owners' status",
            [
                figure_card(
                    "national-recommendations",
                    "Recommendation owners by status (RAG)",
                    f"Status as at {info.data_as_at or 'unknown'}",
                    rollup,
                    figure=stage.rollup_chart(rollup),
                    source=REC_SOURCE,
                    description="; ".join(rag_label(r) for r in RAG_ORDER) + ".",
                ),
                attrs(
                    html.Nav(
                        html.Ul(
                            [
                                html.Li(
                                    html.A(
                                        f"Recommendation {r}: {t}",
                                        href=f"/recommendations/{r}",
                                    )
                                )
                                for r, t in zip(
                                    rollup["Recommendation"], rollup["Title"], strict=True
                                )
                            ]
                        )
                    ),
                    {"aria-label": "Recommendations"},
                ),
            ],
            fold_id="national-fold-recommendations",
        ),
        headline_ui.folded(
            "Published national series, 2015/16 to 2019/20 (context)",
            [
                figure_card(
                    "national-published",
                    "Published national figures, 2015/16 to 2019/20",
                    "Financial years 2015-16 to 2019-20",
                    published,
                    figure=stage.published_chart(published),
                    source=PUBLISHED_SOURCE,
                    description="Published before this scorecard's data begin; shown as "
                    "context, not compared with the figures above (different sources and "
                    "definitions).",
                ),
            ],
            fold_id="national-fold-published",
        ),
    ]
    log.debug(
        "national scorecard %s rendered in %.0f ms", period, 1000 * (time.perf_counter() - started)
    )
    return children


def attrition_view(period: str, info: sd.PeriodInfo) -> list:
    """One cohort from report to verdict, nationally (nothing when none is published)."""
    year, note = attrition_data.cohort_for(period, info.data_as_at)
    if year is None:
        return []
    att = attrition_data.attrition(year)
    return [attrition_section(ids.NAT_ATTRITION, att, attrition_data.NATIONAL, note)]


@source.edition_page
def layout(period: object = None, metric: object = None, **_: object) -> html.Div:
    header = html.Div([page_header("National scorecard"), edition_ui.picker("national-")])
    try:
        info = sd.period_info()
    except NoSnapshotError as exc:
        return html.Div([header, notice(str(exc))])
    chosen, message = sd.resolve_period(period if isinstance(period, str) else None, info)
    if period is not None and not isinstance(period, str):
        chosen, message = info.default, f"Give one period only; showing {info.default}."
    if chosen is None:
        return html.Div([header, notice("No figures have been published yet.")])
    metrics = trend_options()
    first = metrics[0]["value"] if metrics else None
    if isinstance(metric, str) and metric in {o["value"] for o in metrics}:
        first = metric  # a needs-attention or tile link opens its chart
    return html.Div(
        [
            header,
            attrs(
                html.Div(notice(message) if message else None, id=ids.NAT_MESSAGE),
                {"aria-live": "polite"},
            ),
            html.Div(
                [
                    labelled_select(
                        ids.NAT_PERIOD,
                        "Period",
                        [{"label": lab, "value": v} for v, lab in info.options],
                        chosen,
                        width="col-12 col-sm-7 col-md-4",
                    ),
                    html.Div(
                        html.A(
                            "Board pack (PDF)",
                            href=pdf_href(chosen),
                            id=ids.NAT_PDF,
                            className="btn btn-outline-primary",
                        ),
                        className="col-12 col-sm-5 col-md-3 d-flex align-items-end",
                    ),
                ],
                className="row g-2 mb-2 align-items-end",
            ),
            html.Div(render(chosen), id=ids.NAT_CONTENT),
            html.H2("Quarterly trend (SPC chart)", className="h5 mt-4"),
            html.Div(
                labelled_select(ids.NAT_TREND_METRIC, "Metric to chart", metrics, first),
                className="row mb-3",
            ),
            html.Div(
                spc_card("national-trend-card", first, "national", "national"), id=ids.NAT_TREND
            ),
            html.Div(id=ids.NAT_URL_SYNC, hidden=True),
        ],
        className="scorecard-page",
    )


@dash.callback(
    Output(ids.NAT_CONTENT, "children"),
    Output(ids.NAT_PDF, "href"),
    Output(ids.NAT_MESSAGE, "children"),
    Input(ids.NAT_PERIOD, "value"),
    prevent_initial_call=True,
)
def _on_period(period: str | None) -> tuple[list, str, object]:
    """Redraw every figure for the chosen period (marts only: three small selects)."""
    info = sd.period_info()
    chosen, message = sd.resolve_period(period, info)
    if chosen is None:
        raise dash.exceptions.PreventUpdate
    return render(chosen), pdf_href(chosen), notice(message) if message else None


@dash.callback(
    Output(ids.NAT_TREND, "children"),
    Input(ids.NAT_TREND_METRIC, "value"),
    prevent_initial_call=True,
)
def _on_trend_metric(metric_id: str | None) -> html.Section:
    if metric_id not in catalogue.by_id():
        raise dash.exceptions.PreventUpdate
    return spc_card("national-trend-card", metric_id, "national", "national")


# Keep the address bar in step with the chosen period without reloading the page
# (replaceState does not trigger the page router), so a copied link reproduces the view.
dash.clientside_callback(
    """
    function(period) {
        if (period) {
            const url = new URL(window.location.href);
            url.searchParams.set('period', period);
            window.history.replaceState(window.history.state, '', url.toString());
        }
        return '';
    }
    """,
    Output(ids.NAT_URL_SYNC, "children"),
    Input(ids.NAT_PERIOD, "value"),
    prevent_initial_call=True,
)


def trend_options(level: str = "national") -> list[dict]:
    return [{"label": m.name, "value": m.id} for m in national_data.trend_metrics(level)]


def spc_card(card_id: str, metric_id: str | None, level: str, org: str) -> html.Section:
    """Quarterly SPC chart of one metric's headline series, with its points as a table."""
    if not metric_id:
        return html.Section(notice("No quarterly metric to chart."))
    m = catalogue.get(metric_id)
    points, key = national_data.spc_series(level, org, metric_id)
    if key is None:
        return figure_card(
            card_id,
            f"{m.name}: quarterly SPC chart",
            "No quarters published",
            national_data.spc_frame(points, m.unit),
        )
    basis, stat, bd = key
    unit = sd.stat_unit(m, stat)
    label = f"{m.name} ({sd.stat_label(m, stat)}, {basis} basis, {sd.breakdown_label(bd)})"
    period = f"Quarters {points['period'].iloc[0]} to {points['period'].iloc[-1]}"
    return figure_card(
        card_id,
        f"{label}: quarterly SPC chart",
        period,
        national_data.spc_frame(points, unit),
        figure=trend.spc_chart(points, sd.stat_label(m, stat), m.direction),
        description=f"{m.definition} Latest quarter: {spc_text(points['variation'].iloc[-1])}."
        f" Limits are 3 sigma around the mean. {spc_marks.DESCRIPTION}",
    )


def _spc_key() -> list:
    """The SPC icons in words, as the scorecard's cells write them (one wording)."""
    words = list(SPC_TEXT.values())
    out: list = []
    for i, text in enumerate(words):
        out.append(html.Strong(text))
        if i < len(words) - 2:
            out.append(", ")
        elif i == len(words) - 2:
            out.append(" or ")
    return out
