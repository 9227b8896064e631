"""The headline scorecard as HTML: tiles by theme, then what needs attention, then the detail
tables folded by theme (native ``<details>``: keyboard operable, state announced).

Each tile carries its judgement in a symbol and words (improving / worsening / no
significant change; SPC; against national); the border colour only repeats it (WCAG 1.4.1).
The words come from :mod:`dashboard.ui.wording` through :mod:`dashboard.data.headline`.
"""

from __future__ import annotations

from collections.abc import Sequence

from dash import html

from dashboard import ids
from dashboard.data.headline import Headline, Tile
from dashboard.ui.attrs import attrs
from warehouse.metrics.change import ALPHA, METHODS

TONE = {"improving": "good", "worsening": "bad"}
SPC_TONE = {"improving": "good", "concerning": "bad"}


def summary_line(head: Headline, as_at: object) -> str:
    """What the tiles compare, in one line: the comparison year and the SPC quarter."""
    spc = head.spc_label if head.spc_quarter else f"none ({head.spc_label})"
    return f"Data as at {as_at or 'unknown'}. Change on {head.year_earlier}; SPC for {spc}."


def method_note(head: Headline, area: bool) -> str:
    """How to read the tiles: the comparison period, the tests and the SPC quarter."""
    tests = (
        f"{METHODS['percent']} for percentages, exact Poisson tests for counts and rates per "
        "100, a z-test for mean days using each period's standard deviation; "
        f"significant at the {100 * ALPHA:.0f}% level, two-sided"
    )
    spc = (
        f"SPC: {head.spc_label}"
        if head.spc_quarter
        else f"SPC: {head.spc_label}, so no SPC judgement"
    )
    national = (
        " Against national: the funnel plot's 99.8% limits (allowing for over-dispersion)."
        if area
        else ""
    )
    return (
        f"Change: on {head.year_earlier}, the same period a year earlier ({tests}). "
        f"{spc}.{national}"
    )


def tile(t: Tile, index: int, prefix: str = "headline") -> html.Article:
    title_id = f"{prefix}-tile-{index}"
    lines = [
        html.P(t.stage, className="tile-stage"),
        html.H4(html.A(t.title, href=t.href), id=title_id, className="tile-title"),
        html.P(
            t.value,
            className="tile-value" if t.value[:1].isdigit() else "tile-value tile-words",
        ),
        html.P(
            t.change,
            className=f"tile-line tone-{TONE.get(t.judgement, 'neutral')}",
            title=f"Test: {t.method}",
        ),
        html.P(
            t.spc,
            className=f"tile-line tile-spc tone-{SPC_TONE.get(t.spc_variation or '', 'neutral')}",
        ),
    ]
    if t.position is not None:
        lines.append(
            html.P(t.position, className=f"tile-line tile-national tone-{t.position_tone}")
        )
    tone = "bad" if "bad" in {TONE.get(t.judgement), t.position_tone} else "neutral"
    return attrs(
        html.Article(lines, className=f"headline-tile tone-border-{tone}"),
        {"aria-labelledby": title_id},
    )


def tile_columns(groups: list[tuple[str, str, list[Tile]]], prefix: str) -> html.Div:
    """Tiles in theme columns, four wide on a desktop, one on a phone."""
    columns = []
    n = 0
    for key, words, tiles in groups:
        cards = []
        for t in tiles:
            cards.append(tile(t, n, prefix))
            n += 1
        columns.append(
            html.Div(
                [html.H3(words, className="headline-theme", id=f"{prefix}-theme-{key}"), *cards],
                className="col headline-column",
            )
        )
    return html.Div(columns, className="row row-cols-1 row-cols-md-2 row-cols-xl-4 g-2")


def headline_section(head: Headline, title: str, area: bool, summary: str) -> html.Section:
    """The tiles, four theme columns wide on a desktop, one column on a phone: a heading,
    one line saying what is compared with what, the tiles, then how to read them."""
    return attrs(
        html.Section(
            [
                html.H2(title, id="headline-title", className="h5 mb-1"),
                html.P(summary, className="headline-summary"),
                tile_columns(head.by_theme(), "headline"),
                html.P(method_note(head, area), className="headline-note"),
            ],
            id="headline",
            className="headline mb-3",
        ),
        {"aria-labelledby": "headline-title"},
    )


COURT_TITLE = "Stage three: charge to completion at court"


def court_section(head: Headline, who: str) -> list[html.Section]:
    """Stage three's tiles, as the headline's (same tile, same judgements), after it:
    completed prosecutions, conviction rate, days from charge to completion and to first
    hearing, withdrawal after charge, support at trial, ineffective trials. Where court
    outcomes are not yet sent a tile says so, never zero. Nothing without stage-three metrics."""
    if not head.court:
        return []
    children: list = [
        html.H2(f"{COURT_TITLE}, {who}", id=f"{ids.COURT_TILES}-title", className="h5 mb-1"),
        html.P(
            "Prosecutions of rape charges at court, from the CPS Areas' court outcomes; the "
            "change and SPC lines read as the headline's above.",
            className="headline-summary",
        ),
    ]
    if head.court_note:
        children.append(html.P(head.court_note, className="small mb-1"))
    children.append(tile_columns(head.by_theme(court=True), ids.COURT_TILES))
    return [
        attrs(
            html.Section(children, id=ids.COURT_TILES, className="headline mb-3"),
            {"aria-labelledby": f"{ids.COURT_TILES}-title"},
        )
    ]


ATTENTION_TITLES = {
    "spc": "Concerning SPC signals",
    "national": "Significantly worse than national",
    "overdue": "Overdue recommendations",
}


def attention_section(head: Headline, area: bool, quarter_words: str) -> html.Section:
    """Needs attention: one short list per kind, each item a link to its detail."""
    kinds = ["spc", "national", "overdue"] if area else ["spc", "overdue"]
    blocks = []
    for kind in kinds:
        items = [a for a in head.attention if a.kind == kind]
        heading = ATTENTION_TITLES[kind] + (f" ({quarter_words})" if kind == "spc" else "")
        body = (
            html.Ul([html.Li(html.A(a.text, href=a.href)) for a in items], className="mb-2")
            if items
            else html.P("None.", className="mb-2")
        )
        blocks.append(html.Div([html.H3(f"{heading}: {len(items)}", className="h6 mb-1"), body]))
    return attrs(
        html.Section(
            [html.H2("Needs attention", id="attention-title", className="h5"), *blocks],
            id="attention",
            className="attention mb-3",
        ),
        {"aria-labelledby": "attention-title"},
    )


def folded(summary: str, children: Sequence, *, fold_id: str) -> html.Details:
    """A detail block folded by default (native <details>)."""
    return html.Details(
        [html.Summary(summary, className="h6 mb-0"), html.Div(list(children), className="pt-2")],
        id=fold_id,
        className="detail-fold mb-2",
    )
