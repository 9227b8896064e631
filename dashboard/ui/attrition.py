"""The attrition view on the national and area pages: one cohort from report to verdict.

GOV.UK order: a heading, the headline sentence, what the court stages cover, then the chart
with its table (the same figures) in a :func:`dashboard.ui.figures.figure_card`."""

from __future__ import annotations

from dash import html

from dashboard.data.attrition import Attrition
from dashboard.ui.attrs import attrs
from dashboard.ui.charts.attrition import attrition_chart
from dashboard.ui.figures import figure_card
from warehouse.metrics import catalogue

TITLE = "From report to verdict: one cohort"


def attrition_section(
    section_id: str, att: Attrition, who: str, note: str | None = None
) -> html.Section:
    """The view for ``who`` ("England and Wales" or "Kent and national")."""
    m = catalogue.get("flow.attrition")
    has_numbers = bool(att.plot["value"].notna().any())
    heading = f"{section_id}-heading"
    children: list = [
        html.H2(TITLE, id=heading, className="h5 mt-3"),
        html.P(att.headline, className="lead fs-6 fw-semibold mb-1"),
    ]
    children += [html.P(n, className="small mb-1") for n in att.notes]
    if note:
        children.append(html.P(note, className="small mb-1"))
    children.append(
        figure_card(
            f"{section_id}-card",
            f"Offences recorded in {att.year} reaching each stage: {who}",
            f"Cohort recorded in financial year {att.year}, as at the extract date",
            att.frame,
            figure=attrition_chart(att.plot) if has_numbers else None,
            description=m.definition,
            table_open=True,
        )
    )
    return attrs(html.Section(children, id=section_id), {"aria-labelledby": heading})
