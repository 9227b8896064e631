"""How a special-cause quarter is drawn on every SPC chart (national, area and /compare).

The one home of the special-cause markers: a triangle pointing to the side of the special
cause (up for high, down for low), coloured by whether that side is better for the metric,
and named in the legend in words, so nothing rests on colour alone.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import pandas as pd

from dashboard.ui.figures import PALETTE
from dashboard.ui.wording import SPC_WORD, spc_rules_text, special_cause_variation

SIDE_SYMBOL = {"high": ("triangle-up", "triangle up"), "low": ("triangle-down", "triangle down")}
VARIATION_COLOUR = {
    "improving": PALETTE["blue"],
    "concerning": PALETTE["vermillion"],
    "special_cause_neither": PALETTE["purple"],
}
MARKER_SIZE = 13
DESCRIPTION = (
    "Special-cause quarters are marked with a triangle pointing to the side of the special "
    "cause (up: high, down: low), named in the legend as improving, concerning or neither."
)


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
