"""Chart builders for the national and joint area scorecards (plotly, Okabe-Ito palette).

Each builder takes the numbers a figure card shows and returns a figure; the card carries
the title, period, source, table alternative and CSV. Series are told apart by marker and
dash style as well as colour, so nothing rests on colour alone.

Figures are assembled from plain dicts on top of the shared :func:`dashboard.ui.figures.
base_layout` (resolved once): plotly's per-figure validation and template copy cost ~90 ms
a chart, which would dominate a callback that otherwise reads a few hundred mart rows.
"""

from __future__ import annotations

import copy
from functools import cache
from typing import Any

import plotly.graph_objects as go

from dashboard.ui.figures import base_layout


@cache
def base() -> dict[str, Any]:
    """The shared base layout as a plain dict (read-only: copy before changing)."""
    return base_layout(go.Figure()).to_plotly_json()["layout"]


def figure(traces: list[dict], *, y_title: str | None = None, **layout: Any) -> go.Figure:
    """A figure with the shared base layout; ``xaxis``/``yaxis`` dicts are merged into it."""
    lay = copy.deepcopy(base())
    for axis in ("xaxis", "yaxis"):
        lay[axis] = {**lay.get(axis, {}), **layout.pop(axis, {})}
    if y_title:
        lay["yaxis"]["title"] = {"text": y_title}
    lay.update(layout)
    return go.Figure(data=traces, layout=lay, _validate=False)
