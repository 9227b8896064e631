"""Board-pack PDF of the national and of any joint area scorecard, rendered server-side.

ReportLab only: no browser, no network. The pack holds the same frames the page shows (from
:mod:`dashboard.data`), so a board member's paper matches the screen: title,
period, source, every table with suppressed cells as "suppressed (reason)", and the
OFFICIAL-SENSITIVE marking at the top and bottom of every page.

Routes (registered by :func:`register` from ``dashboard.app.create_app``):
``/board-pack.pdf?period=…`` and ``/area/<force_code>/board-pack.pdf?period=…``; an unknown
force gives 404 and a malformed or unpublished period 400, each with a plain message.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Sequence
from datetime import date
from itertools import zip_longest
from pathlib import Path

import pandas as pd
from flask import Flask, Response, request
from reportlab.graphics.charts.barcharts import BarChart, HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.lineplots import LinePlot
from reportlab.graphics.charts.textlabels import NA_Label
from reportlab.graphics.shapes import Drawing, String
from reportlab.graphics.widgets.markers import makeMarker
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    KeepTogether,
    LongTable,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from dashboard.data import area as area_data
from dashboard.data import attrition as attrition_data
from dashboard.data import headline as headline_data
from dashboard.data import national as national_data
from dashboard.data import scorecard as sd
from dashboard.data.snapshot import NoSnapshotError, UnknownEditionError
from dashboard.ui import attrition as attrition_ui
from dashboard.ui import headline as headline_ui
from dashboard.ui.editions import current_words
from dashboard.ui.figures import SOURCE
from warehouse.metrics import catalogue

log = logging.getLogger(__name__)

MARKING = "OFFICIAL-SENSITIVE"
PUBLISHED_SOURCE = (
    "Source: HMICFRS and HMCPSI joint thematic inspection of the police and CPS response to "
    "rape (July 2021)."
)
REC_SOURCE = "Source: recommendation owners' returns and in-app updates."
_FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))
PAGE = landscape(A4)
WIDTH = PAGE[0] - 24 * mm
_ASCII = str.maketrans({"▲": "^", "▼": "v", "●": "o", "◆": "*", "−": "-", "–": "-", "±": "+/-"})


def _fonts() -> tuple[str, str, bool]:
    """(regular, bold, unicode?) - DejaVu when installed (has the status symbols), else the
    built-in Helvetica with the symbols spelt in ASCII."""
    for d in _FONT_DIRS:
        reg, bold = d / "DejaVuSans.ttf", d / "DejaVuSans-Bold.ttf"
        if reg.exists() and bold.exists():
            try:
                pdfmetrics.registerFont(TTFont("ScorecardSans", str(reg)))
                pdfmetrics.registerFont(TTFont("ScorecardSans-Bold", str(bold)))
                return "ScorecardSans", "ScorecardSans-Bold", True
            except Exception:  # a broken font file must not break the pack
                log.warning("could not load %s; using Helvetica", reg)
    return "Helvetica", "Helvetica-Bold", False


FONT, FONT_BOLD, UNICODE = _fonts()


def _t(text: object) -> str:
    """Text safe for a Paragraph in the chosen font (XML-escaped; symbols spelt if needed)."""
    s = "" if text is None or (isinstance(text, float) and pd.isna(text)) else str(text)
    if not UNICODE:
        s = s.translate(_ASCII)
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _styles() -> dict[str, ParagraphStyle]:
    base = getSampleStyleSheet()
    return {
        "title": ParagraphStyle("t", parent=base["Title"], fontName=FONT_BOLD, fontSize=18),
        "h2": ParagraphStyle(
            "h2",
            parent=base["Heading2"],
            fontName=FONT_BOLD,
            fontSize=12,
            keepWithNext=1,
            spaceBefore=12,
        ),
        "h3": ParagraphStyle(
            "h3",
            parent=base["Heading3"],
            fontName=FONT_BOLD,
            fontSize=9,
            keepWithNext=1,
            spaceBefore=2,
            spaceAfter=1,
        ),
        "theme": ParagraphStyle("th", fontName=FONT_BOLD, fontSize=8.5, leading=10),
        "page1_title": ParagraphStyle(
            "p1", parent=base["Title"], fontName=FONT_BOLD, fontSize=15, spaceAfter=3
        ),
        "note": ParagraphStyle(
            "n", fontName=FONT, fontSize=6.5, leading=8, textColor=colors.HexColor("#444444")
        ),
        "h2_tight": ParagraphStyle(
            "h2t",
            parent=base["Heading2"],
            fontName=FONT_BOLD,
            fontSize=11,
            spaceBefore=4,
            spaceAfter=2,
        ),
        "tile_stage": ParagraphStyle(
            "ts", fontName=FONT, fontSize=6.5, leading=8, textColor=colors.HexColor("#444444")
        ),
        "tile_title": ParagraphStyle("tt", fontName=FONT_BOLD, fontSize=7.5, leading=9),
        "tile_value": ParagraphStyle("tv", fontName=FONT_BOLD, fontSize=13, leading=15),
        "tile_line": ParagraphStyle("tl", fontName=FONT, fontSize=6.5, leading=7.8),
        "tile_bold": ParagraphStyle("tb", fontName=FONT_BOLD, fontSize=6.5, leading=7.8),
        "item": ParagraphStyle(
            "it", fontName=FONT, fontSize=7, leading=8.4, leftIndent=8, bulletIndent=0
        ),
        "body": ParagraphStyle("b", parent=base["BodyText"], fontName=FONT, fontSize=9),
        "small": ParagraphStyle(
            "s",
            parent=base["BodyText"],
            fontName=FONT,
            fontSize=7.5,
            textColor=colors.HexColor("#444444"),
        ),
        "cell": ParagraphStyle("c", fontName=FONT, fontSize=6.8, leading=8),
        "head": ParagraphStyle("h", fontName=FONT_BOLD, fontSize=6.8, leading=8),
    }


def _table(frame: pd.DataFrame, width: float, styles: dict[str, ParagraphStyle]) -> LongTable:
    """The frame as a wrapped table with a repeating header row."""
    cols = list(frame.columns)
    data = [[Paragraph(_t(c), styles["head"]) for c in cols]]
    data += [[Paragraph(_t(v), styles["cell"]) for v in row] for row in frame.itertuples(False)]
    weights = [2.2 if c in ("Metric", "Title") else 1.0 for c in cols]
    total = sum(weights)
    table = LongTable(data, colWidths=[width * w / total for w in weights], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#999999")),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e9ecef")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f7f7f7")]),
            ]
        )
    )
    return table


# title, period line, frame, source[, chart drawn above the table]
Section = tuple[str, str, pd.DataFrame, str] | tuple[str, str, pd.DataFrame, str, Drawing | None]


def bar_chart(
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    width: float,
    *,
    horizontal: bool = False,
    labels: Sequence[Sequence[str]] | None = None,
    na_text: str | None = None,
    value_format: str | None = None,
    min_height: float = 62 * mm,
    bar_pt: float = 9,
) -> Drawing:
    """A simple grouped bar chart (Okabe-Ito colours, a legend naming each series). A
    suppressed or missing value (None) draws no bar, only ``na_text`` if given; the table
    under the chart says why. ``horizontal`` puts long category names down the left (first
    at the top); ``labels`` (one text per value) are written at the end of each bar."""
    colours = [colors.HexColor(c) for c in ("#0072B2", "#56B4E9", "#E69F00", "#009E73")]
    legend_room, label_room = 150, 175
    chart: BarChart
    if horizontal:
        height = max(min_height, 40 + len(categories) * (bar_pt * len(series) + 8))
        chart = HorizontalBarChart()
        chart.x, chart.y = label_room, 24
        chart.width, chart.height = width - label_room - legend_room - 40, height - 34
        chart.categoryAxis.reverseDirection = 1
        anchor = "w"
    else:
        height = 62 * mm
        chart = VerticalBarChart()
        chart.x, chart.y, chart.width, chart.height = 40, 28, width - 200, height - 40
        anchor = "s"
    drawing = Drawing(width, height)
    # Horizontal bars stack a group's series upwards; reversed, the first series is on top.
    order = list(range(len(series)))[:: -1 if horizontal else 1]
    chart.data = [list(series[i][1]) for i in order]
    chart.categoryAxis.categoryNames = [c[:48] for c in categories]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 6.5
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = 6.5
    chart.valueAxis.valueMin = 0
    if value_format:
        chart.valueAxis.labelTextFormat = value_format
    if labels is not None:
        chart.barLabelFormat = "values"
        chart.barLabelArray = [list(labels[i]) for i in order]
        chart.barLabels.fontName, chart.barLabels.fontSize = FONT, 6
        chart.barLabels.boxAnchor, chart.barLabels.nudge = anchor, 3
    if na_text:
        chart.naLabel = NA_Label()
        chart.naLabel.text = na_text
        chart.naLabel.fontName, chart.naLabel.fontSize = FONT, 6
        chart.naLabel.boxAnchor, chart.naLabel.nudge = anchor, 3
    for k, i in enumerate(order):
        chart.bars[k].fillColor = colours[i % len(colours)]
        chart.bars[k].strokeColor = None
    drawing.add(chart)
    legend = Legend()
    legend.x, legend.y = width - legend_room, height - 12
    legend.fontName, legend.fontSize = FONT, 7
    legend.colorNamePairs = [
        (colours[i % len(colours)], name) for i, (name, _) in enumerate(series)
    ]
    drawing.add(legend)
    return drawing


def withdrawal_drawing(
    plot: pd.DataFrame, width: float, min_height: float = 62 * mm, bar_pt: float = 9
) -> Drawing | None:
    """The shares of withdrawals by stage and by reason (the plot frame of
    :func:`dashboard.data.area.withdrawal_breakdown`), the force beside national, as
    horizontal bars like the area page's. A hidden share draws no bar and is written
    "suppressed" (or "no data") in its place, never as a number; None when nothing has a
    number, as the page then shows only the table."""
    numbers = [v for v in plot["value"] if v is not None and not pd.isna(v)]
    if not numbers:
        return None
    categories = list(dict.fromkeys(plot["label"]))
    series: list[tuple[str, list[float | None]]] = []
    labels: list[list[str]] = []
    hidden: set[bool] = set()
    for org, part in plot.groupby("org", sort=False):
        got = {
            label: (None if v is None or pd.isna(v) else float(v), str(text))
            for label, v, text in zip(part["label"], part["value"], part["text"], strict=True)
        }
        cells = [got.get(c, (None, "no data")) for c in categories]
        series.append((str(org), [v for v, _ in cells]))
        labels.append([text for _, text in cells])
        hidden |= {text.startswith("suppressed") for v, text in cells if v is None}
    if not hidden:
        na_text = None
    elif hidden == {True}:
        na_text = "suppressed"
    elif hidden == {False}:
        na_text = "no data"
    else:
        na_text = "suppressed or no data"
    return bar_chart(
        categories,
        series,
        width,
        horizontal=True,
        labels=labels,
        na_text=na_text,
        value_format="%g%%",
        min_height=min_height,
        bar_pt=bar_pt,
    )


def _document(buf: io.BytesIO, title: str, subtitle: str) -> SimpleDocTemplate:
    return SimpleDocTemplate(
        buf,
        pagesize=PAGE,
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=title,
        author="Rape response scorecard",
        subject=subtitle,
        creator="rape response scorecard (reportlab)",
    )


def footer_text(title: str, page: int) -> str:
    """The footer line of every page (tests leave it out when counting a page's text)."""
    return f"{title} - page {page}"


def _build(title: str, subtitle: str, story: list) -> bytes:
    """Lay the story out on landscape A4 with the marking at the top and bottom of every
    page and the pack's title and page number in the footer."""
    buf = io.BytesIO()
    doc = _document(buf, title, subtitle)

    def marks(canvas: object, doc_: object) -> None:
        canvas.saveState()  # type: ignore[attr-defined]
        canvas.setFont(FONT_BOLD, 9)  # type: ignore[attr-defined]
        canvas.drawCentredString(PAGE[0] / 2, PAGE[1] - 9 * mm, MARKING)  # type: ignore[attr-defined]
        canvas.drawCentredString(PAGE[0] / 2, 7 * mm, MARKING)  # type: ignore[attr-defined]
        canvas.setFont(FONT, 7)  # type: ignore[attr-defined]
        canvas.drawRightString(  # type: ignore[attr-defined]
            PAGE[0] - 12 * mm,
            7 * mm,
            footer_text(title, doc_.page),  # type: ignore[attr-defined]
        )
        canvas.restoreState()  # type: ignore[attr-defined]

    doc.build(story, onFirstPage=marks, onLaterPages=marks)
    return buf.getvalue()


def _section(section: Section, width: float, styles: dict[str, ParagraphStyle]) -> list:
    """A titled table (with its chart above it, if any); the heading stays with what follows
    and a long table splits across pages with its header row repeated."""
    heading, period, frame, source = section[:4]
    chart = section[4] if len(section) > 4 else None
    block: list = [
        Paragraph(_t(heading), styles["h2"]),
        Paragraph(_t(f"{period}. {source}"), styles["small"]),
        Spacer(1, 2 * mm),
    ]
    if chart is not None:
        block.append(chart)
    if len(frame):
        table = _table(frame, width, styles)
        if chart is not None or len(frame) <= 25:
            return [KeepTogether([*block, table])]
        return [*block, table]  # the heading keeps with the table
    return [*block, Paragraph("No figures published.", styles["body"])]


def render_pdf(
    title: str, subtitle: str, sections: Sequence[Section], notes: Sequence[str] = ()
) -> bytes:
    """A landscape A4 pack: title block, then one titled table per section."""
    styles = _styles()
    story: list = [
        Paragraph(_t(title), styles["title"]),
        Paragraph(_t(subtitle), styles["body"]),
        Spacer(1, 3 * mm),
    ]
    story += [Paragraph(_t(n), styles["small"]) for n in notes]
    for section in sections:
        story += _section(section, WIDTH, styles)
    return _build(title, subtitle, story)


SUPPRESSION_NOTE = (
    "Figures are disclosure-controlled: counts of 1-4 and rates, medians and means on fewer "
    "than 10 cases are shown as 'suppressed' with the reason, never as zero."
)


# --- page 1: the headline tiles and what needs attention -------------------------------------

TILE_BORDER = {"bad": colors.HexColor("#D55E00"), "neutral": colors.HexColor("#adb5bd")}


def _tile_cell(t: headline_data.Tile, styles: dict[str, ParagraphStyle]) -> list:
    bold = {"improving", "worsening"}
    lines = [
        Paragraph(_t(t.stage), styles["tile_stage"]),
        Paragraph(_t(t.title), styles["tile_title"]),
        Paragraph(_t(t.value), styles["tile_value" if t.value[:1].isdigit() else "tile_title"]),
        Paragraph(_t(t.change), styles["tile_bold" if t.judgement in bold else "tile_line"]),
        Paragraph(
            _t(t.spc),
            styles["tile_bold" if t.spc_variation in ("improving", "concerning") else "tile_line"],
        ),
    ]
    if t.position is not None:
        tone = "tile_bold" if t.position_tone in ("good", "bad") else "tile_line"
        lines.append(Paragraph(_t(t.position), styles[tone]))
    return lines


def headline_grid(
    head: headline_data.Headline,
    styles: dict[str, ParagraphStyle],
    width: float,
    court: bool = False,
) -> Table:
    """The tiles as on screen: one column per theme, the theme's tiles down it; a tile that
    is worsening or worse than national has a vermillion left rule (its words say so).
    ``court``: stage three's tiles instead of the headline's."""
    themes = head.by_theme(court=court)
    depth = max(len(tiles) for _, _, tiles in themes)
    data: list[list] = [[Paragraph(_t(words.upper()), styles["theme"]) for _, words, _ in themes]]
    style: list = [("VALIGN", (0, 0), (-1, -1), "TOP"), ("BOTTOMPADDING", (0, 0), (-1, 0), 2)]
    for row in range(depth):
        cells: list = []
        for col, (_, _, tiles) in enumerate(themes):
            if row < len(tiles):
                t = tiles[row]
                cells.append(_tile_cell(t, styles))
                bad = t.judgement == "worsening" or t.position_tone == "bad"
                r = row + 1
                style += [
                    ("BOX", (col, r), (col, r), 0.4, colors.HexColor("#ced4da")),
                    ("LINEBEFORE", (col, r), (col, r), 3, TILE_BORDER["bad" if bad else "neutral"]),
                ]
            else:
                cells.append("")
        data.append(cells)
    table = Table(data, colWidths=[width / len(themes)] * len(themes))
    table.setStyle(TableStyle(style))
    return table


ATTENTION_MAX = 14  # items per list on page 1; the rest are counted (the page lists all)


def attention_flowables(
    head: headline_data.Headline, styles: dict[str, ParagraphStyle], area: bool
) -> list:
    """Needs attention, as on the page: concerning SPC signals, (area) significantly worse
    than national, overdue recommendations; each with its count. Two columns (signals left,
    recommendations right) so page 1 holds the headline and the list together."""
    quarter = headline_data.quarter_words(head.spc_quarter) if head.spc_quarter else "no quarter"
    titles = {
        "spc": f"Concerning SPC signals ({quarter})",
        "national": "Significantly worse than national",
        "overdue": "Overdue recommendations",
    }

    def block(kind: str) -> list:
        items = [a for a in head.attention if a.kind == kind]
        out: list = [Paragraph(_t(f"{titles[kind]}: {len(items)}"), styles["h3"])]
        if not items:
            out.append(Paragraph("None.", styles["item"]))
        out += [
            Paragraph(_t(a.text), styles["item"], bulletText="•") for a in items[:ATTENTION_MAX]
        ]
        if len(items) > ATTENTION_MAX:
            more = len(items) - ATTENTION_MAX
            out.append(Paragraph(_t(f"and {more} more (listed on the scorecard page)"),
                                 styles["item"]))  # fmt: skip
        return out

    left = block("spc") + (block("national") if area else [])
    right = block("overdue")
    # one row per line, so a long list carries on to the next page rather than moving
    rows = [[x or "", y or ""] for x, y in zip_longest(left, right)]
    grid = Table(rows, colWidths=[WIDTH * 0.36, WIDTH * 0.64], splitByRow=1)
    grid.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0.5),
            ]
        )
    )
    return [Paragraph("Needs attention", styles["h2_tight"]), grid]


def page_one(
    title: str,
    subtitle: str,
    head: headline_data.Headline,
    area: bool,
    as_at: object,
    styles: dict[str, ParagraphStyle],
) -> list:
    """Page 1: the headline tiles by theme and what needs attention, on one page."""
    return [
        Paragraph(_t(title), styles["page1_title"]),
        Paragraph(
            _t(f"{subtitle}. {current_words()}. {headline_ui.summary_line(head, as_at)}"),
            styles["body"],
        ),
        Spacer(1, 1.5 * mm),
        headline_grid(head, styles, WIDTH),
        Paragraph(_t(headline_ui.method_note(head, area)), styles["note"]),
        *attention_flowables(head, styles, area),
    ]


# --- page 2: stage three and one cohort from report to verdict ------------------------------


def court_and_cohort(
    head: headline_data.Headline,
    who: str,
    period: str,
    as_at: date | None,
    styles: dict[str, ParagraphStyle],
    force: area_data.ForceInfo | None = None,
) -> list:
    """As on the page after needs attention: stage three's tiles ("not yet sent" where court
    outcomes are not), then the cohort view: its headline sentence, what the court stages
    cover, the chart (the withdrawal chart's bars) and its table. Nothing when neither is
    published."""
    out: list = []
    if head.court:
        out += [
            Paragraph(_t(f"{headline_ui.COURT_TITLE}, {who}"), styles["h2_tight"]),
            *([Paragraph(_t(head.court_note), styles["small"])] if head.court_note else []),
            headline_grid(head, styles, WIDTH, court=True),
        ]
    year, note = attrition_data.cohort_for(period, as_at)
    if year is not None:
        att = (
            attrition_data.attrition(year, force.code, force.name)
            if force
            else attrition_data.attrition(year)
        )
        # shorter than the withdrawal tab's: page 2 holds stage three's tiles and the cohort
        chart = withdrawal_drawing(att.plot, WIDTH * 0.8, min_height=44 * mm, bar_pt=6)
        who_att = f"{force.name} and national" if force else attrition_data.NATIONAL
        out.append(
            KeepTogether(
                [
                    Paragraph(_t(attrition_ui.TITLE), styles["h2_tight"]),
                    Paragraph(_t(att.headline), styles["body"]),
                    *[
                        Paragraph(_t(n), styles["small"])
                        for n in (*att.notes, *([note] if note else []))
                    ],
                    Paragraph(
                        _t(
                            f"Offences recorded in {att.year} reaching each stage: {who_att}. "
                            "Cohort recorded in financial year "
                            f"{att.year}, as at the extract date. {SOURCE}"
                        ),
                        styles["small"],
                    ),
                    *([chart] if chart is not None else []),
                    _table(att.frame, WIDTH, styles),
                ]
            )
        )
    return [PageBreak(), *out] if out else []


# --- a funnel plot and a trend for each headline rate ---------------------------------------

OKABE = {
    "blue": colors.HexColor("#0072B2"),
    "orange": colors.HexColor("#E69F00"),
    "vermillion": colors.HexColor("#D55E00"),
    "grey": colors.HexColor("#595959"),
    "sky": colors.HexColor("#56B4E9"),
    "black": colors.black,
}


def _plot(
    width: float,
    height: float,
    lines: Sequence[tuple[str, Sequence[tuple[float, float]], object, bool, str | None]],
    *,
    x_title: str,
    y_title: str,
    x_labels: Sequence[str] | None = None,
    emphasis: str | None = None,
) -> Drawing:
    """A small line/scatter plot: each line is (name, points, colour, joined?, dash or None).
    Category x axes pass ``x_labels`` (points at 0, 1, 2, ...); the points of the line named
    ``emphasis`` (a funnel's highlighted force) are drawn larger."""
    drawing = Drawing(width, height)
    plot = LinePlot()
    plot.x, plot.y = 38, 30
    plot.width, plot.height = width - 50, height - 52
    shown = [ln for ln in lines if ln[1]]
    plot.data = [list(ln[1]) for ln in shown] or [[(0, 0)]]
    for i, (name, _, colour, joined, dash) in enumerate(shown):
        plot.lines[i].strokeColor = colour if joined else None
        plot.lines[i].strokeWidth = 1.2 if joined else 0
        if dash:
            plot.lines[i].strokeDashArray = [3, 2]
        if not joined or len(shown[i][1]) < 40:
            plot.lines[i].symbol = makeMarker("Circle" if not joined else "FilledCircle")
            big = emphasis is not None and name == emphasis
            plot.lines[i].symbol.size = 2.2 if joined else (5.5 if big else 3.2)
            plot.lines[i].symbol.fillColor = colour
            plot.lines[i].symbol.strokeColor = colour
        if joined and dash:
            plot.lines[i].symbol = None
    for axis in (plot.xValueAxis, plot.yValueAxis):
        axis.labels.fontName, axis.labels.fontSize = FONT, 6
    if x_labels is not None:
        n = len(x_labels)
        step = max(1, n // 6)
        plot.xValueAxis.valueMin, plot.xValueAxis.valueMax = -0.5, n - 0.5
        plot.xValueAxis.valueSteps = list(range(0, n, step))
        plot.xValueAxis.labelTextFormat = lambda v: x_labels[int(v)] if 0 <= v < n else ""
    drawing.add(plot)
    drawing.add(String(plot.x + plot.width / 2, 6, x_title, fontName=FONT, fontSize=6.5,
                       textAnchor="middle"))  # fmt: skip
    drawing.add(String(4, height - 19, y_title, fontName=FONT, fontSize=6.5))
    legend = Legend()
    legend.x, legend.y = plot.x + 4, height - 4
    legend.fontName, legend.fontSize = FONT, 6
    legend.columnMaximum = 1
    legend.alignment = "right"
    legend.deltax = 0
    legend.dx, legend.dy = 6, 6
    legend.colorNamePairs = [(ln[2], ln[0]) for ln in lines if ln[0]]
    legend.boxAnchor = "nw"
    legend.autoXPadding = 6
    legend.variColumn = 1
    legend.columnMaximum = 1
    drawing.add(legend)
    return drawing


def funnel_drawing(
    funnel: headline_data.Funnel, unit_label: str, width: float, height: float
) -> Drawing:
    """Every unit's rate against its denominator, with the national rate and the 99.8% and
    95% limits; the highlighted unit (an area pack's force) drawn in vermillion."""
    c = funnel.curves
    lines: list = []
    if c is not None:
        lines += [
            ("99.8% limits", list(zip(c.n, c.upper_998, strict=True)), OKABE["grey"], True, "d"),
            ("", list(zip(c.n, c.lower_998, strict=True)), OKABE["grey"], True, "d"),
            ("95% limits", list(zip(c.n, c.upper_95, strict=True)), OKABE["sky"], True, "d"),
            ("", list(zip(c.n, c.lower_95, strict=True)), OKABE["sky"], True, "d"),
            ("National", [(c.n[0], c.centre), (c.n[-1], c.centre)], OKABE["black"], True, None),
        ]
    others = [(n, v) for n, v, hi in funnel.points if not hi]
    mine = [(n, v) for n, v, hi in funnel.points if hi]
    lines.append((funnel.unit_word, others, OKABE["blue"], False, None))
    if mine:
        lines.append((funnel.highlight or "", mine, OKABE["vermillion"], False, None))
    return _plot(
        width,
        height,
        lines,
        x_title=funnel.x_title,
        y_title=unit_label,
        emphasis=funnel.highlight if mine else None,
    )


def _segments(values: Sequence[float | None]) -> list[list[tuple[float, float]]]:
    """Runs of consecutive quarters with a value: a suppressed or missing quarter is a gap
    in the line, never bridged."""
    runs: list[list[tuple[float, float]]] = []
    current: list[tuple[float, float]] = []
    for k, v in enumerate(values):
        if v is None:
            if current:
                runs.append(current)
            current = []
        else:
            current.append((float(k), v))
    if current:
        runs.append(current)
    return runs


def trend_drawing(
    trend: headline_data.Trend, unit_label: str, width: float, height: float
) -> Drawing:
    """Quarterly lines on one axis (rates: like with like); gaps where a value is hidden."""
    others = [OKABE["orange"], OKABE["sky"]]
    lines: list = []
    for i, (name, values) in enumerate(trend.series):
        # the force (first) vermillion, national (last) black, its Area(s) between
        colour = (
            OKABE["vermillion"]
            if i == 0 and len(trend.series) > 1
            else OKABE["black"]
            if i == len(trend.series) - 1
            else others[(i - 1) % len(others)]
        )
        runs = _segments(values)
        if not runs:
            lines.append((f"{name} (no quarter shown)", [], colour, True, None))
        for j, run in enumerate(runs):
            lines.append((name if j == 0 else "", run, colour, len(run) > 1, None))
    for name, values in trend.limits:
        for j, run in enumerate(_segments(values)):
            lines.append((name if j == 0 else "", run, OKABE["grey"], True, "d"))
    return _plot(
        width, height, lines, x_title="Quarter", y_title=unit_label, x_labels=trend.quarters
    )


def rate_pages(
    scope: headline_data.Scope,
    period: str,
    shown: str,
    as_at: date | None,
    styles: dict[str, ParagraphStyle],
) -> list:
    """For each headline rate: its funnel plot for the period and its quarterly trend, side
    by side, three rates to a page, each with one line saying what they show."""
    out: list = [PageBreak(), Paragraph(_t(f"Headline rates: funnel plot and trend, {shown}"),
                                        styles["h2"])]  # fmt: skip
    half = (WIDTH - 6 * mm) / 2
    height = 37 * mm
    empty: list[str] = []
    for m, funnel, trend, caption in headline_data.rate_charts(scope, period, as_at):
        label = sd.stat_label(m, "rate")
        if not funnel.points and not trend.quarters:
            empty.append(m.name)  # nothing to draw: named once below, not a blank block
            continue
        unit_label = "per 100" if label == "per 100" else "%"
        cells = [
            funnel_drawing(funnel, unit_label, half, height)
            if funnel.points
            else Paragraph("No funnel: no published figures for the units.", styles["body"]),
            trend_drawing(trend, unit_label, half, height)
            if trend.quarters
            else Paragraph("No quarterly figures published.", styles["body"]),
        ]
        row = Table([cells], colWidths=[half + 3 * mm, half + 3 * mm])
        row.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                                 ("LEFTPADDING", (0, 0), (-1, -1), 0)]))  # fmt: skip
        out.append(
            KeepTogether(
                [
                    Paragraph(_t(f"{m.name} ({label})"), styles["h3"]),
                    Paragraph(_t(caption), styles["small"]),
                    row,
                ]
            )
        )
    if empty:
        out.append(
            Paragraph(
                _t("No published figures to plot for " + ", ".join(empty) + f" in {shown}."),
                styles["body"],
            )
        )
    out.append(PageBreak())
    return out


# --- the packs ----------------------------------------------------------------------------

APPENDIX = "Appendix: every metric by theme"


def national_pack(period: str, info: sd.PeriodInfo) -> bytes:
    """Page 1 headline and needs attention; a funnel and trend per headline rate; the 13
    recommendations with what is overdue; then the appendix tables by theme."""
    shown = dict(info.options).get(period, period)
    styles = _styles()
    scope = headline_data.Scope("England and Wales")
    head = headline_data.headline(scope, period, info.data_as_at)
    card = national_data.national_scorecard(period, head.spc_quarter)
    title = "National scorecard"
    story = page_one(
        f"{title}: board pack", f"{shown}, England and Wales", head, False, info.data_as_at,
        styles,
    )  # fmt: skip
    story += court_and_cohort(head, "England and Wales", period, info.data_as_at, styles)
    story += rate_pages(scope, period, shown, info.data_as_at, styles)
    rollup = national_data.recommendation_rollup()
    overdue = int(sum(int(x) for x in rollup["Overdue"]))
    story += _section(
        (
            f"The 13 recommendations: owners by status; {overdue} owner returns overdue",
            f"Status as at {info.data_as_at}",
            rollup,
            REC_SOURCE,
        ),
        WIDTH,
        styles,
    )
    story += [PageBreak(), Paragraph(_t(APPENDIX), styles["title"])]
    story.append(Paragraph(_t(SUPPRESSION_NOTE), styles["small"]))
    for _key, group, frame in card.groups:
        story += _section((f"{group}, national", shown, frame, SOURCE), WIDTH, styles)
    story += _section(
        (
            "Published national figures, 2015/16 to 2019/20 (context)",
            "Financial years 2015-16 to 2019-20",
            national_data.published_series(),
            PUBLISHED_SOURCE,
        ),
        WIDTH,
        styles,
    )
    return _build(title, f"Board pack: {shown}", story)


def area_pack(force: area_data.ForceInfo, period: str, info: sd.PeriodInfo) -> bytes:
    """As the national pack for a force and its CPS Area(s): the force highlighted on each
    funnel, its trend beside national, the recommendations it and its Areas own."""
    shown = dict(info.options).get(period, period)
    areas = " and ".join(a.name for a in force.areas) or "no CPS Area"
    styles = _styles()
    scope = headline_data.Scope(
        force.name, force.code, owner_codes=(force.code, *(a.code for a in force.areas))
    )
    head = headline_data.headline(scope, period, info.data_as_at)
    rows = area_data.area_rows(force, period)
    title = f"Joint area scorecard: {force.name}"
    story = page_one(
        f"{title}: board pack", f"{shown}. {force.name} with {areas}", head, True,
        info.data_as_at, styles,
    )  # fmt: skip
    story += court_and_cohort(head, force.name, period, info.data_as_at, styles, force)
    story += rate_pages(scope, period, shown, info.data_as_at, styles)
    owners = (area_data.Org(force.code, force.name), *force.areas)
    recs = area_data.owned_recommendations(owners)
    overdue = recs[recs["Overdue"] == "yes"]
    story += _section(
        (
            f"Recommendations owned by {force.name} and {areas}: {len(overdue)} overdue",
            f"Status as at {info.data_as_at}",
            pd.concat([overdue, recs[recs["Overdue"] != "yes"]]),
            REC_SOURCE + " Overdue rows first.",
        ),
        WIDTH,
        styles,
    )
    story += [PageBreak(), Paragraph(_t(APPENDIX), styles["title"])]
    story.append(
        Paragraph(
            _t(
                f"{force.name} with {areas}. 'Against national' is the funnel-plot position "
                "against the national figure (99.8% limits, allowing for over-dispersion), "
                "worded with the metric's direction. " + SUPPRESSION_NOTE
            ),
            styles["small"],
        )
    )
    by_theme: dict[str, list] = {}
    for m in catalogue.load():
        by_theme.setdefault(m.theme or national_data.OTHER_THEME[0], []).append(m)
    for key, group in national_data.theme_groups():
        if key in by_theme:
            frame = area_data.area_table(force, period, by_theme[key], rows=rows)
            story += _section(
                (f"{group}: {force.name} and {areas}", shown, frame, SOURCE), WIDTH, styles
            )
    for key, label, rec in (
        ("equalities", "Equalities", 1),
        ("withdrawal", "Victim withdrawal", 3),
        ("action-plans", "Action plans and case progression", 4),
    ):
        if key == "withdrawal":  # as on the page's tab: the stage and reason chart first
            plot, shares = area_data.withdrawal_breakdown(force, period, rows=rows)
            drawing = withdrawal_drawing(plot, WIDTH)
            story += _section(
                (area_data.withdrawal_title(force), shown, shares, SOURCE, drawing), WIDTH, styles
            )
        frame = area_data.area_table(
            force, period, area_data.metrics_for_rec(rec), rows=rows, all_breakdowns=True
        )
        story += _section((f"{label} (recommendation {rec})", shown, frame, SOURCE), WIDTH, styles)
    return _build(title, f"Board pack: {shown}", story)


def _plain(message: str, status: int) -> Response:
    return Response(message + "\n", status=status, mimetype="text/plain")


def _period(info: sd.PeriodInfo) -> tuple[str | None, Response | None]:
    raw = request.args.get("period")
    period, message = sd.resolve_period(raw, info)
    if message:
        return None, _plain(f"Bad period: {message.split(';')[0]}.", 400)
    if period is None:
        return None, _plain("No figures have been published yet.", 404)
    return period, None


def _pdf(body: bytes, name: str) -> Response:
    safe = re.sub(r"[^a-z0-9-]+", "-", name.lower()).strip("-")
    return Response(
        body,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="{safe}.pdf"',
            "Cache-Control": "no-store",
        },
    )


def register(server: Flask) -> None:
    """Add the board-pack routes to the app's Flask server."""

    @server.get("/board-pack.pdf")
    def national_board_pack() -> Response:
        try:
            info = sd.period_info()
        except UnknownEditionError as exc:
            return _plain(str(exc), 404)
        except NoSnapshotError as exc:
            return _plain(str(exc), 503)
        period, error = _period(info)
        if error is not None:
            return error
        assert period is not None
        return _pdf(national_pack(period, info), f"national-scorecard-{period}-{date.today()}")

    @server.get("/area/<force_code>/board-pack.pdf")
    def area_board_pack(force_code: str) -> Response:
        try:
            force = area_data.force_info(force_code)
            info = sd.period_info()
        except UnknownEditionError as exc:
            return _plain(str(exc), 404)
        except NoSnapshotError as exc:
            return _plain(str(exc), 503)
        if force is None:
            return _plain(
                f"No such force: '{force_code[:60]}'. See /area/<code> for the list.", 404
            )
        period, error = _period(info)
        if error is not None:
            return error
        assert period is not None
        return _pdf(area_pack(force, period, info), f"{force.code}-scorecard-{period}")
