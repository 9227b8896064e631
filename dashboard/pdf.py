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
from pathlib import Path

import pandas as pd
from flask import Flask, Response, request
from reportlab.graphics.charts.barcharts import BarChart, HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.textlabels import NA_Label
from reportlab.graphics.shapes import Drawing
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
    TableStyle,
)

from dashboard.data import area as area_data
from dashboard.data import national as national_data
from dashboard.data import scorecard as sd
from dashboard.data.snapshot import NoSnapshotError
from dashboard.ui.figures import SOURCE
from scorecard import periods

log = logging.getLogger(__name__)

MARKING = "OFFICIAL-SENSITIVE"
PUBLISHED_SOURCE = (
    "Source: HMICFRS and HMCPSI joint thematic inspection of the police and CPS response to "
    "rape (July 2021)."
)
REC_SOURCE = "Source: recommendation owners' returns and in-app updates."
_FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))
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
        "h2": ParagraphStyle("h2", parent=base["Heading2"], fontName=FONT_BOLD, fontSize=12),
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
) -> Drawing:
    """A simple grouped bar chart (Okabe-Ito colours, a legend naming each series). A
    suppressed or missing value (None) draws no bar, only ``na_text`` if given; the table
    under the chart says why. ``horizontal`` puts long category names down the left (first
    at the top); ``labels`` (one text per value) are written at the end of each bar."""
    colours = [colors.HexColor(c) for c in ("#0072B2", "#56B4E9", "#E69F00", "#009E73")]
    legend_room, label_room = 150, 175
    chart: BarChart
    if horizontal:
        height = max(62 * mm, 40 + len(categories) * (9 * len(series) + 8))
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


def _count(text: object) -> float | None:
    try:
        return float(str(text).replace(",", ""))
    except ValueError:
        return None


def volumes_drawing(frame: pd.DataFrame, period: str, width: float) -> Drawing | None:
    """The national volumes (period, previous period, year earlier) as bars."""
    if not len(frame):
        return None
    names = [
        m if b == "all" else f"{m} ({b})"
        for m, b in zip(frame["Metric"], frame["Breakdown"], strict=True)
    ]
    series = [
        (label, [_count(v) for v in frame[col]])
        for label, col in (
            (period, "Value"),
            (periods.previous_period(period), "Previous period"),
            (f"{periods.year_earlier(period)} (year earlier)", "Year earlier"),
        )
    ]
    return bar_chart(names, series, width)


def withdrawal_drawing(plot: pd.DataFrame, width: float) -> Drawing | None:
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
    )


def render_pdf(
    title: str, subtitle: str, sections: Sequence[Section], notes: Sequence[str] = ()
) -> bytes:
    """A landscape A4 pack: title page block, then one titled table per section."""
    buf = io.BytesIO()
    page = landscape(A4)
    doc = SimpleDocTemplate(
        buf,
        pagesize=page,
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=title,
        author="Rape response scorecard",
        subject=subtitle,
        creator="rape response scorecard (reportlab)",
    )
    styles = _styles()
    width = page[0] - 24 * mm

    def marks(canvas: object, doc_: object) -> None:
        canvas.saveState()  # type: ignore[attr-defined]
        canvas.setFont(FONT_BOLD, 9)  # type: ignore[attr-defined]
        canvas.drawCentredString(page[0] / 2, page[1] - 9 * mm, MARKING)  # type: ignore[attr-defined]
        canvas.drawCentredString(page[0] / 2, 7 * mm, MARKING)  # type: ignore[attr-defined]
        canvas.setFont(FONT, 7)  # type: ignore[attr-defined]
        canvas.drawRightString(  # type: ignore[attr-defined]
            page[0] - 12 * mm,
            7 * mm,
            f"{title} - page {doc_.page}",  # type: ignore[attr-defined]
        )
        canvas.restoreState()  # type: ignore[attr-defined]

    story: list = [
        Paragraph(_t(title), styles["title"]),
        Paragraph(_t(subtitle), styles["body"]),
        Spacer(1, 3 * mm),
    ]
    story += [Paragraph(_t(n), styles["small"]) for n in notes]
    for i, section in enumerate(sections):
        heading, period, frame, source = section[:4]
        chart = section[4] if len(section) > 4 else None  # type: ignore[misc]
        block = [
            Paragraph(_t(heading), styles["h2"]),
            Paragraph(_t(f"{period}. {source}"), styles["small"]),
            Spacer(1, 2 * mm),
        ]
        if chart is not None:
            block.append(chart)
        if len(frame):
            story.append(KeepTogether([*block, _table(frame, width, styles)]))
        else:
            story += [*block, Paragraph("No figures published.", styles["body"])]
        story.append(Spacer(1, 5 * mm))
        if i == 0 and len(sections) > 3:
            story.append(PageBreak())
    doc.build(story, onFirstPage=marks, onLaterPages=marks)
    return buf.getvalue()


SUPPRESSION_NOTE = (
    "Figures are disclosure-controlled: counts of 1-4 and rates, medians and means on fewer "
    "than 10 cases are shown as 'suppressed' with the reason, never as zero."
)


def national_pack(period: str, info: sd.PeriodInfo) -> bytes:
    card = national_data.national_scorecard(period)
    shown = dict(info.options).get(period, period)
    width = landscape(A4)[0] - 24 * mm
    sections: list[Section] = [
        (
            f"{title}, national",
            shown,
            frame,
            SOURCE,
            volumes_drawing(frame, period, width) if key == sd.VOLUMES[0] else None,
        )
        for key, title, frame in card.groups
    ]
    sections += [
        (
            "Recommendation owners by status (RAG)",
            f"Status as at {info.data_as_at}",
            national_data.recommendation_rollup(),
            REC_SOURCE,
        ),
        (
            "Published national figures, 2015/16 to 2019/20 (context)",
            "Financial years 2015-16 to 2019-20",
            national_data.published_series(),
            PUBLISHED_SOURCE,
        ),
    ]
    notes = [
        f"Period: {shown}. Data as at {info.data_as_at}. Changes are on the previous period "
        f"({periods.previous_period(period)}) and a year earlier "
        f"({periods.year_earlier(period)}). SPC icons describe the latest complete quarter "
        f"({card.spc_quarter}).",
        SUPPRESSION_NOTE,
    ]
    return render_pdf("National scorecard", f"Board pack: {shown}", sections, notes)


def area_pack(force: area_data.ForceInfo, period: str, info: sd.PeriodInfo) -> bytes:
    shown = dict(info.options).get(period, period)
    areas = " and ".join(a.name for a in force.areas) or "no CPS Area"
    rows = area_data.area_rows(force, period)
    width = landscape(A4)[0] - 24 * mm
    sections: list[Section] = [
        (
            f"Every metric: {force.name} and {areas}",
            shown,
            area_data.area_table(force, period, rows=rows),
            SOURCE,
        ),
    ]
    for key, label, rec in (
        ("equalities", "Equalities", 1),
        ("withdrawal", "Victim withdrawal", 3),
        ("action-plans", "Action plans and case progression", 4),
    ):
        if key == "withdrawal":  # as on the page's tab: the stage and reason chart first
            plot, shares = area_data.withdrawal_breakdown(force, period, rows=rows)
            drawing = withdrawal_drawing(plot, width)
            sections.append((area_data.withdrawal_title(force), shown, shares, SOURCE, drawing))
        frame = area_data.area_table(
            force, period, area_data.metrics_for_rec(rec), rows=rows, all_breakdowns=True
        )
        sections.append((f"{label} (recommendation {rec})", shown, frame, SOURCE))
    owners = (area_data.Org(force.code, force.name), *force.areas)
    sections.append(
        (
            f"Recommendations owned by {force.name} and {areas}",
            f"Status as at {info.data_as_at}",
            area_data.owned_recommendations(owners),
            REC_SOURCE,
        )
    )
    notes = [
        f"{force.name} with {areas}. Period: {shown}. Data as at {info.data_as_at}. "
        "'Against national' is the funnel-plot position of the rate against the national rate "
        "(99.8% limits, allowing for over-dispersion): above, within or below - not a ranking.",
        SUPPRESSION_NOTE,
    ]
    return render_pdf(
        f"Joint area scorecard: {force.name}", f"Board pack: {shown}", sections, notes
    )


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
