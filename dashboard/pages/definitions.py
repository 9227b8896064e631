"""Definitions (``/definitions``): the metric catalogue, searchable, and how the statistics
are worked out (SPC with its recalculation rule and run-in year, the funnel plots, the
timeliness comparison) in plain English, with the figures taken from the modules that apply
them (:mod:`warehouse.metrics.spc`, :mod:`warehouse.metrics.funnel`)."""

from __future__ import annotations

import dash
import pandas as pd
from dash import Input, Output, dcc, html

from dashboard import ids
from dashboard.ui.attrs import attrs
from dashboard.ui.components import page_header, table
from scorecard import labels
from warehouse.metrics import catalogue, funnel, spc

dash.register_page(
    __name__, name="Definitions", path="/definitions", title="Metric definitions", order=5
)

# The name first: the table's fixed column while the rest scrolls on a phone.
COLUMNS = ("name", "definition", "side", "basis", "unit", "direction", "recommendations", "id")
HEADERS = (
    "Name",
    "Definition",
    "Owner side",
    "Basis",
    "Unit",
    "Direction",
    "Recommendations",
    "Metric id (export and API)",
)
# The id is the key `scorecard metrics export` and /api/metrics use: shown, and set as code.
CODE_COLUMNS = ("id",)


def _frame() -> pd.DataFrame:
    rows = [
        {
            "id": m.id,
            "name": m.name,
            "definition": m.definition,
            "side": labels.side(m.side),
            "basis": "; ".join(labels.basis(b) for b in m.basis),
            "unit": labels.unit(m.unit),
            "direction": labels.direction(m.direction),
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


def _catalogue_table(frame: pd.DataFrame) -> html.Div:
    return table(frame, "Metric catalogue", headers=HEADERS, code_columns=CODE_COLUMNS)


METHODS_ID = "how-the-statistics-work"


def _method(title: str, *paragraphs: str) -> html.Section:
    return html.Section([html.H3(title, className="h5 mt-3"), *[html.P(p) for p in paragraphs]])


def methods() -> html.Section:
    """The statistical methods in plain English (numbers from the code that applies them)."""
    run_in_end = f"31 March {int(spc.RUN_IN_FY[:4]) + 1}"
    return attrs(
        html.Section(
            [
                html.H2("How the statistics are worked out", id=METHODS_ID, className="h4 mt-4"),
                _method(
                    "Change over time: statistical process control (SPC)",
                    "Each quarterly series is drawn as a control chart, following NHS England's "
                    "'Making Data Count'. Rates use a p-chart (the limits widen when fewer cases "
                    "stand behind a quarter); counts, means and medians use an XmR chart (limits "
                    "from the average quarter-to-quarter change). The control limits are 3 "
                    "standard deviations either side of the mean. A quarter is 'special cause' "
                    f"when it is outside the limits, when it is one of {spc.RUN} or more quarters "
                    f"in a row on the same side of the mean, one of {spc.TREND} or more quarters "
                    "each higher (or lower) than the last, or one of 2 out of 3 quarters close to "
                    "the same limit. Whether that is improving or concerning depends on whether "
                    "higher is better for the metric. A series needs at least "
                    f"{spc.MIN_POINTS} quarters to be charted.",
                    "New baselines. When a series has moved to a new level and stayed there, one "
                    "mean for the whole series would make nearly every quarter 'special cause'. "
                    f"So the mean and limits are recalculated when {spc.SHIFT} quarters in a row "
                    "lie on the same side of the mean of the quarters before them, and their "
                    "average is at least one standard deviation away from it (so a single "
                    "unusual quarter never starts a new baseline). The new baseline starts at "
                    "the first of those quarters; each baseline needs at least "
                    f"{spc.MIN_BASELINE} quarters of its own before it can change again, so the "
                    "limits are recalculated once per lasting shift, not to follow noise. The "
                    "chart marks each change with a dotted line and 'new baseline from' the "
                    "quarter; the rules are applied within each baseline.",
                    f"The first year of the extracts ({spc.RUN_IN_FY}). The extracts hold cases "
                    "recorded from 1 April 2016 only. In that first year every later stage - a "
                    "referral, a decision - and every time taken is for a case at most a few "
                    "months old, so the year's rates and times are not like later years' (the "
                    "referral rate, for example, opens with a spike). The quarters up to "
                    f"{run_in_end} are shown, shaded, but are not used for any mean or limit and "
                    "are never flagged.",
                ),
                _method(
                    "Comparing forces and CPS Areas: funnel plots",
                    "Each force (or CPS Area) is compared with the national figure for the same "
                    "period, allowing for its size: a small force's rate can differ from national "
                    "by chance far more than a large one's. The funnel's 95% and 99.8% limits "
                    "show how far chance alone could take a force of that size; a force outside "
                    "the 99.8% limits is 'significantly' above or below national. Where forces "
                    "differ from each other more than chance would explain, the limits are "
                    "widened by the over-dispersion factor (Spiegelhalter, 2005, with the most "
                    "extreme 10% at each end pulled in first), so ordinary differences between "
                    f"forces are not reported as significant; this needs at least "
                    f"{funnel.MIN_UNITS} forces with figures. The words say whether the "
                    "difference is good or bad using the metric's direction: for a metric where "
                    "lower is better, a force above the upper limit is 'significantly worse than "
                    "national'. There are no league-table ranks.",
                ),
                _method(
                    "Timeliness compared",
                    "Mean days: a funnel on the mean. The limits are the national mean plus or "
                    "minus a multiple (1.96 for 95%, 3.09 for 99.8%) of the national standard "
                    "deviation of the days divided by the square root of the force's number of "
                    "cases, widened for over-dispersion as above. The standard deviation comes "
                    "from the exact sums of the days and of their squares, so no case-level "
                    "data is needed.",
                    "Median days: a sign test. Of the force's cases that did not take exactly the "
                    "national median number of days, how many took longer and how many took "
                    "less; if the median were the same as national, about half would be each. "
                    "The difference is judged at the same 99.8% level, allowing for "
                    "over-dispersion in the same way; a median has no funnel curve, so only the "
                    "position is shown.",
                    "A force or Area is 'not compared' only with a reason, for example fewer "
                    "than 10 cases (its mean and median are then suppressed) or no figures for "
                    "the period.",
                ),
            ],
            className="mt-4",
        ),
        {"aria-labelledby": METHODS_ID},
    )


def layout(**_: str) -> html.Div:
    frame = _frame()
    return html.Div(
        [
            page_header(
                "Metric definitions",
                "Every figure in the scorecard, what it counts and who owns it. "
                "The same catalogue drives the marts, the pages and the exports.",
            ),
            html.P(
                html.A(
                    "How the statistics are worked out (control charts, funnel plots, timeliness)",
                    href=f"#{METHODS_ID}",
                )
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
            html.Div(_catalogue_table(frame), id=ids.DEFINITIONS_TABLE),
            methods(),
        ]
    )


@dash.callback(
    Output(ids.DEFINITIONS_TABLE, "children"),
    Output(ids.DEFINITIONS_COUNT, "children"),
    Input(ids.DEFINITIONS_SEARCH, "value"),
)
def _search(query: str | None) -> tuple[html.Div, str]:
    frame = filter_definitions(query)
    return _catalogue_table(frame), f"{len(frame)} metrics"
