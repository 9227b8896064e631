"""The attrition view's chart: one cohort from report to verdict as horizontal bars (% of
the cohort's recorded offences at each stage), the force beside national. A stage without a
number (court outcomes not yet sent, suppressed) is written at the axis, never a zero bar."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.ui.charts.withdrawal import withdrawal_chart


def attrition_chart(plot: pd.DataFrame) -> go.Figure:
    """Same marks as the withdrawal chart (force blue, national orange and hatched)."""
    fig = withdrawal_chart(plot)
    fig.update_xaxes(title_text="% of recorded offences", range=[0, 125])
    return fig
