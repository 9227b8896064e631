"""A recommendation's status and RAG as shown: words, symbol, colour and hatch pattern.

The one home of the RAG -> presentation mapping (the RAG itself is :mod:`scorecard.rag`):
the badges, the legend, the home page's roll-up chart and the recommendations summary chart
all read it, so a status is never drawn with another's pattern. The symbol, words and
pattern carry the status; colour only helps (WCAG 1.4.1).
"""

from __future__ import annotations

from dash import html
from dash.development.base_component import Component

from dashboard.ui.attrs import attrs
from dashboard.ui.figures import PALETTE
from scorecard.rag import RAGS

RECS_SOURCE = (
    "Source: owners' recommendation returns (extracts) and updates made in this app; "
    "recommendations from the 2021 HMICFRS/HMCPSI joint inspection."
)
STATUS_TEXT = {
    "not_started": "Not started",
    "in_progress": "In progress",
    "implemented": "Implemented",
    "verified": "Verified",
    "not_applicable": "Not applicable",
    "no_return": "No return",
}
OWNER_KIND_TEXT = {"national": "National body", "cps_area": "CPS Area", "force": "Police force"}
KIND_ORDER = {"national": 0, "cps_area": 1, "force": 2}  # owners are listed in this order
# RAG -> (symbol, word, meaning); the symbol and word carry the status, colour only helps.
RAG = {
    "red": ("✕", "red", "overdue: past its target date and not done"),
    "amber": ("●", "amber", "in hand: not done, not yet due"),
    "green": ("✓", "green", "done: implemented or verified"),
    "grey": ("–", "grey", "not applicable to this owner"),
}
assert set(RAG) == set(RAGS)
RAG_ORDER = RAGS
# Okabe-Ito; text on each is black (grey: white), all at least 4.5:1 (assets/scorecard.css
# has the same colours as the grid badges' rag-<rag> classes).
RAG_STYLE = {
    "green": {"backgroundColor": PALETTE["green"], "color": "#000000"},
    "amber": {"backgroundColor": PALETTE["orange"], "color": "#000000"},
    "red": {"backgroundColor": PALETTE["vermillion"], "color": "#000000"},
    "grey": {"backgroundColor": PALETTE["grey"], "color": "#ffffff"},
}
# Plotly bar hatch per RAG (status without colour in every chart of owners by RAG).
RAG_PATTERN = {"green": "", "amber": ".", "red": "x", "grey": "/"}


def rag_colour(rag: str) -> str:
    return RAG_STYLE[rag]["backgroundColor"]


def rag_label(rag: str) -> str:
    """'Green: done (implemented or verified)': the RAG and its meaning in words."""
    head, _, rest = RAG[rag][2].partition(": ")
    return f"{RAG[rag][1].capitalize()}: {head}" + (f" ({rest})" if rest else "")


def status_words(status: str, rag: str) -> str:
    """The cell text for CSV and table alternative: status and RAG in words."""
    return f"{STATUS_TEXT.get(status, status)} ({rag}: {RAG[rag][2].split(':')[0]})"


def badge(status: str, rag: str, *, css_class: bool = False) -> html.Span:
    """A status badge: symbol + words, coloured; the RAG meaning in words for screen readers.
    ``css_class`` colours it with the ``rag-<rag>`` class instead of an inline style (the
    grid's ~400 badges would otherwise repeat the style in the JSON the page sends)."""
    symbol, word, meaning = RAG[rag]
    children: list[Component | str] = [
        hidden(symbol),
        " " + STATUS_TEXT.get(status, status),
        html.Span(f" ({word}: {meaning.split(':')[0]})", className="visually-hidden"),
    ]
    if css_class:
        return html.Span(children, className=f"badge rag-{rag}")
    return html.Span(children, className="badge", style=RAG_STYLE[rag])


def hidden(symbol: str) -> html.Span:
    """A symbol screen readers skip (the words beside it say the same)."""
    return attrs(html.Span(symbol), {"aria-hidden": "true"})


def legend() -> html.Ul:
    """Key to the badges: each RAG's symbol, colour and meaning in words."""
    key = html.Ul(
        [
            html.Li(
                [
                    html.Span(
                        [hidden(sym), f" {word}"],
                        className="badge",
                        style=RAG_STYLE[rag],
                    ),
                    f" {meaning}",
                ],
                className="me-3",
            )
            for rag, (sym, word, meaning) in RAG.items()
        ],
        className="list-unstyled d-flex flex-wrap small mb-3",
    )
    return attrs(key, {"aria-label": "Key to the status symbols and colours"})


def rag_bar_traces(y: list[str], counts: dict[str, list[int]], names: dict[str, str]) -> list[dict]:
    """Horizontal stacked bars of owners by RAG (one trace per RAG, in :data:`RAG_ORDER`),
    each with its colour and hatch: the home page's roll-up and the recommendations summary."""
    return [
        {
            "type": "bar",
            "y": y,
            "x": counts[rag],
            "name": names[rag],
            "orientation": "h",
            "marker": {
                "color": rag_colour(rag),
                "pattern": {"shape": RAG_PATTERN[rag], "fgcolor": "#000000", "fgopacity": 0.35},
            },
        }
        for rag in RAG_ORDER
        if rag in counts
    ]
