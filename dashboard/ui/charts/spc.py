"""How a special-cause quarter and a baseline are drawn on every SPC chart (national, area
and /compare).

The one home of the special-cause markers: a triangle pointing to the side of the special
cause (up for high, down for low), coloured by whether that side is better for the metric,
and named in the legend in words, so nothing rests on colour alone. Also of the baseline
marks (:func:`baseline_marks`): a dotted vertical line and "new baseline from <quarter>"
where the limits were recalculated after a sustained shift, and a shaded band over the
run-in year's quarters, which are in no baseline (:mod:`warehouse.metrics.spc`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import pandas as pd

from dashboard.ui.figures import PALETTE
from dashboard.ui.wording import SPC_WORD, spc_rules_text, special_cause_variation
from warehouse.metrics import spc

SIDE_SYMBOL = {"high": ("triangle-up", "triangle up"), "low": ("triangle-down", "triangle down")}
VARIATION_COLOUR = {
    "improving": PALETTE["blue"],
    "concerning": PALETTE["vermillion"],
    "special_cause_neither": PALETTE["purple"],
}
MARKER_SIZE = 13
DESCRIPTION = (
    "Special-cause quarters are marked with a triangle pointing to the side of the special "
    "cause (up: high, down: low), named in the legend as improving, concerning or neither. "
    "The mean and limits are recalculated once after each sustained shift "
    f"({spc.SHIFT} quarters in a row on one side of the mean): a dotted line marks the new "
    "baseline. The first year of the extracts (shaded) is shown but not used for the limits."
)
RUN_IN_LABEL = "first year of the extracts: not in the limits"
RUN_IN_SHORT = "first year: not in limits"
BASELINE_LABEL = "new baseline from {period}"


def _flag(v: object) -> bool:
    """A nullable boolean cell as True only when set (NA / NaN / None are False)."""
    return (
        v is not None
        and v is not pd.NA
        and not (isinstance(v, float) and math.isnan(v))
        and bool(v)
    )


def _num(v: object) -> float | None:
    if v is None or v is pd.NA:
        return None
    f = float(v)  # type: ignore[arg-type]
    return None if math.isnan(f) else f


def special_cause_traces(
    period: Iterable[object],
    value: Iterable[object],
    special: Iterable[object],
    side: Iterable[object],
    rules: Iterable[object],
    direction: str,
) -> list[dict[str, Any]]:
    """One marker trace per (side, variation) present, in a fixed order."""
    marks: dict[tuple[str, str], list[tuple[str, float | None, str]]] = {}
    for p, v, sp, sd, r in zip(period, value, special, side, rules, strict=True):
        if not _flag(sp) or sd not in SIDE_SYMBOL:
            continue
        key = (str(sd), special_cause_variation(str(sd), direction))
        marks.setdefault(key, []).append((str(p), _num(v), spc_rules_text(r)))
    traces = []
    for sd, (symbol, shape) in SIDE_SYMBOL.items():
        for variation, colour in VARIATION_COLOUR.items():
            part = marks.get((sd, variation))
            if not part:
                continue
            traces.append(
                {
                    "type": "scatter",
                    "x": [x for x, _, _ in part],
                    "y": [y for _, y, _ in part],
                    "mode": "markers",
                    "name": f"Special cause, {SPC_WORD[variation]} ({shape})",
                    "marker": {
                        "symbol": symbol,
                        "size": MARKER_SIZE,
                        "color": colour,
                        "line": {"width": 1, "color": PALETTE["black"]},
                    },
                    "customdata": [r for _, _, r in part],
                    "hovertemplate": "%{x}: %{y:.1f}<br>rules: %{customdata}<extra></extra>",
                }
            )
    return traces


def _phases(phase: Iterable[object]) -> list[int | None]:
    out: list[int | None] = []
    for v in phase:
        n = _num(v)
        out.append(None if n is None else int(n))
    return out


def _new_baselines(phases: list[int | None]) -> list[int]:
    """Indexes of the first quarter of each baseline after the first."""
    return [
        i
        for i in range(1, len(phases))
        if (now := phases[i]) is not None and (was := phases[i - 1]) and now > was
    ]


def baseline_marks(
    period: Iterable[object], phase: Iterable[object]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(shapes, annotations) for a category-axis SPC chart: a dotted line before the first
    quarter of each baseline after the first, labelled "new baseline from <quarter>", and a
    shaded band over the run-in quarters (phase 0)."""
    periods = [str(p) for p in period]
    phases = _phases(phase)
    shapes: list[dict[str, Any]] = []
    notes: list[dict[str, Any]] = []
    label = {"showarrow": False, "xref": "x", "yref": "paper", "font": {"size": 11}}
    run_in = [i for i, ph in enumerate(phases) if ph == 0]
    if run_in:
        x0, x1 = run_in[0] - 0.5, run_in[-1] + 0.5
        band = {"color": PALETTE["grey"], "opacity": 0.15}
        shapes.append(
            {"type": "rect", "xref": "x", "yref": "paper", "x0": x0, "x1": x1, "y0": 0,
             "y1": 1, "fillcolor": band["color"], "opacity": band["opacity"],
             "line": {"width": 0}, "layer": "below"}
        )  # fmt: skip
        notes.append(
            {**label, "x": (x0 + x1) / 2, "y": 0.02, "yanchor": "bottom", "textangle": -90,
             "xanchor": "center", "text": RUN_IN_SHORT}
        )  # fmt: skip
    line = {"color": PALETTE["black"], "width": 1.5, "dash": "dot"}
    for k, i in enumerate(_new_baselines(phases)):
        x = i - 0.5
        shapes.append(
            {"type": "line", "xref": "x", "yref": "paper", "x0": x, "x1": x, "y0": 0,
             "y1": 1, "line": line}
        )  # fmt: skip
        notes.append(
            {**label, "x": x, "y": 1 - 0.09 * (k % 2), "xanchor": "left", "yanchor": "top",
             "bgcolor": "rgba(255,255,255,0.8)",
             "text": BASELINE_LABEL.format(period=periods[i])}
        )  # fmt: skip
    return shapes, notes


def year_ticks(period: Iterable[object]) -> dict[str, Any]:
    """Category-axis ticks at each financial year's first quarter, labelled with the year
    ("2019-20"): ten labels for ten years, which plotly turns upright on a phone, instead of
    forty quarter labels that overlap."""
    quarters = [str(p) for p in period]
    firsts = [q for q in quarters if q.endswith("-Q1")] or quarters[:1]
    return {"tickmode": "array", "tickvals": firsts, "ticktext": [q[:7] for q in firsts]}


def baseline_text(period: Iterable[object], phase: Iterable[object]) -> list[str]:
    """Per quarter, its baseline in words (a chart's table alternative)."""
    periods = [str(p) for p in period]
    phases = _phases(phase)
    starts = {0: periods[0]} if periods else {}
    starts.update({i: periods[i] for i in _new_baselines(phases)})
    out: list[str] = []
    since = ""
    for i, ph in enumerate(phases):
        if ph == 0:
            out.append(RUN_IN_LABEL)
            continue
        if i in starts or (i > 0 and phases[i - 1] == 0):
            since = periods[i]
        out.append("" if ph is None else f"from {since}")
    return out
