"""Board-pack PDF: rendered server-side with title, period, source, tables, suppression as
text and the OFFICIAL-SENSITIVE marking; routes give 404/400 with a plain message."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator

import pandas as pd
import pytest
from flask import Flask

from dashboard import pdf
from tests.helpers.serving import serving
from tests.helpers.warehouse import Warehouse, d
from warehouse.metrics import catalogue

pypdf = pytest.importorskip("pypdf")


def text_of(body: bytes) -> str:
    return "\n".join(p.extract_text() or "" for p in pypdf.PdfReader(io.BytesIO(body)).pages)


def pages_of(body: bytes) -> list[str]:
    return [p.extract_text() or "" for p in pypdf.PdfReader(io.BytesIO(body)).pages]


def content_lines(page: str) -> list[str]:
    """A page's lines of text other than the marking and the footer (title - page n)."""
    return [
        line
        for line in page.splitlines()
        if line.strip() and line.strip() != pdf.MARKING and not re.search(r" - page \d+$", line)
    ]


def flat(text: str) -> str:
    return " ".join(text.split())


# Text a board member reads must not look like a code (issue 14; as tests/browser/test_pages.py).
CODE_PATTERNS = (
    re.compile(r"\b[a-z]+_[a-z_]+\b"),
    re.compile(r"\w=\w"),
    re.compile(r"outcome: \d"),
)


def codes_in(text: str) -> list[str]:
    return sorted({m.group(0) for p in CODE_PATTERNS for m in p.finditer(text)})


def test_codes_in_catches_codes() -> None:
    assert codes_in("Basis: period team_type=non_specialist, outcome: 16") == [
        "e=n",
        "non_specialist",
        "outcome: 1",
        "team_type",
    ]
    assert codes_in("Investigating team: non-specialist team, +2.1 percentage points") == []


def check_pack(body: bytes, before_appendix: int) -> list[str]:
    """The board pack's rules: page 1 holds every headline tile's title and the needs
    attention list; no page is blank or near-empty (fewer than three lines besides the
    marking and footer); at most ``before_appendix`` pages before the appendix; no text
    that looks like a code, on any page."""
    pages = pages_of(body)
    assert codes_in("\n".join(pages)) == []
    first = flat(pages[0])
    for m in catalogue.headline():
        name = m.name if "rate" in m.stats or "count" in m.stats else f"{m.name} (mean)"
        assert flat(name) in first, name
    assert "Needs attention" in first and "Overdue recommendations" in first
    for i, page in enumerate(pages, 1):
        assert len(content_lines(page)) >= 3, (i, page)
    at = next(i for i, p in enumerate(pages) if pdf.APPENDIX in flat(p))
    assert 1 <= at <= before_appendix, at
    return pages


def test_render_pdf_has_title_marking_source_and_suppression_text() -> None:
    frame = pd.DataFrame(
        {"Metric": ["Recorded", "Charged"], "Value": ["1,234", "suppressed (count of 1-4)"]}
    )
    body = pdf.render_pdf(
        "National scorecard",
        "Board pack: Financial year 2023-24",
        [("Volumes", "Financial year 2023-24", frame, "Source: test")],
    )
    assert body.startswith(b"%PDF")
    text = text_of(body)
    for s in (
        "National scorecard",
        "OFFICIAL-SENSITIVE",
        "Financial year 2023-24",
        "Source: test",
        "suppressed (count of 1-4)",
        "1,234",
    ):
        assert s in text, s
    assert pypdf.PdfReader(io.BytesIO(body)).metadata.title == "National scorecard"


@pytest.fixture(scope="module")
def client() -> Iterator[object]:
    """The PDF routes over a small built mart (queries routed to it, no snapshot). Kent's
    withdrawals are those of tests/unit/test_scorecard_data.py: 16, of which 1 awaiting the
    CPS (suppressed)."""
    w = Warehouse()
    wd = {"withdrawal_date": d("2023-06-01")}
    later16 = {"outcome_code": "16", "outcome_date": d("2023-07-01"),
               "victim_supported_at_outset": True}  # fmt: skip
    w.police(
        "kent",
        [{"recorded_date": d("2023-05-10")}] * 20
        + [{"recorded_date": d("2023-06-10")}] * 3
        + [{**wd, "withdrawal_stage": "investigation", "withdrawal_reason": "time_taken"}] * 6
        + [{**wd, "withdrawal_stage": "before_account", "withdrawal_reason": "fear_of_process"}] * 5
        + [{**wd, "withdrawal_stage": "awaiting_cps", "withdrawal_reason": "u"}]
        + [later16] * 4,
    )
    w.police("surrey", [{**wd, "withdrawal_stage": "after_charge",
                         "withdrawal_reason": "other"}] * 3)  # fmt: skip
    w.build()
    app = Flask(__name__)
    pdf.register(app)
    with serving(w.con):  # a stand-in has its own cache key: nothing cached elsewhere is served
        yield app.test_client()


def test_national_pack_route(client: object) -> None:
    r = client.get("/board-pack.pdf?period=2023-24")  # type: ignore[attr-defined]
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    pages = check_pack(r.data, 7)
    # page 2 stage three and the cohort, then the rates' funnel plots and trends, then the
    # recommendations
    assert "Stage three: charge to completion at court" in flat(pages[1])
    assert "Headline rates: funnel plot and trend" in flat(pages[2])
    assert any("The 13 recommendations" in flat(p) for p in pages)
    text = text_of(r.data)
    assert "National scorecard" in text and "Financial year 2023-24" in text
    assert "Adult rape offences recorded" in text and "OFFICIAL-SENSITIVE" in text
    default = client.get("/board-pack.pdf")  # type: ignore[attr-defined]
    assert default.status_code == 200


def test_area_pack_route(client: object) -> None:
    r = client.get("/area/kent/board-pack.pdf?period=2023-24")  # type: ignore[attr-defined]
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    pages = check_pack(r.data, 9)
    assert "Significantly worse than national" in flat(pages[0])
    assert any("Recommendations owned by Kent Police" in flat(p) for p in pages)
    text = text_of(r.data)
    assert "Joint area scorecard: Kent Police" in text and "CPS South East" in text


def test_area_pack_has_withdrawal_stage_reason(client: object) -> None:
    """The withdrawal tab's stage and reason chart and table are in the pack, before the
    recommendation 3 table; a suppressed share is written as suppressed, never a number."""
    r = client.get("/area/kent/board-pack.pdf?period=2023-24")  # type: ignore[attr-defined]
    text = text_of(r.data)
    title = "Withdrawals by stage and reason: Kent Police and national"
    assert title in text
    section = text[text.index(title) : text.index("Victim withdrawal (recommendation 3)")]
    lines = section.splitlines()
    # chart: category labels, shares at the bars and "suppressed" where a bar is hidden
    assert "Stage: Awaiting the CPS decision" in lines
    assert "Reason: The time the case was taking" in lines
    assert "suppressed" in lines and "37.5%" in lines
    # table: awaiting the CPS is 1 withdrawal -> suppressed for Kent and national
    at = lines.index("Awaiting the CPS decision")
    assert lines[at + 1 : at + 3] == ["suppressed (count of 1-4)"] * 2
    at = lines.index("During the investigation")
    assert lines[at + 1 : at + 3] == ["37.5%", "31.6%"]


def plot_frame(rows: list[tuple[str, str, float | None, str]]) -> pd.DataFrame:
    """A withdrawal plot frame as dashboard.data.scorecard.withdrawal_breakdown returns:
    (label, org, value, text)."""
    return pd.DataFrame(
        [
            {"group": lab.split(":")[0], "category": lab.split(": ")[1], "label": lab,
             "org": org, "value": value, "text": text}
            for lab, org, value, text in rows
        ],
        columns=["group", "category", "label", "org", "value", "text"],
    )  # fmt: skip


def test_withdrawal_drawing_has_no_number_for_a_suppressed_share() -> None:
    plot = plot_frame(
        [
            ("Stage: After charge", "Kent Police", 40.0, "40.0%"),
            ("Stage: After charge", "National", None, "suppressed (count of 1-4)"),
            ("Reason: Other", "Kent Police", None, "suppressed (fewer than 10 cases)"),
            ("Reason: Other", "National", 12.5, "12.5%"),
        ]
    )
    drawing = pdf.withdrawal_drawing(plot, 700)
    assert drawing is not None
    chart = next(c for c in drawing.contents if hasattr(c, "naLabel"))
    assert chart.categoryAxis.categoryNames == ["Stage: After charge", "Reason: Other"]
    # series reversed so the force is the top bar of each group; the legend keeps the order
    assert chart.data == [[None, 12.5], [40.0, None]]
    assert chart.naLabel.text == "suppressed"
    assert chart.barLabelArray[1][0] == "40.0%"
    # nothing with a number -> no chart (the table alone says why), as on the page
    assert pdf.withdrawal_drawing(plot.assign(value=None), 700) is None
    # a category missing for one side is "no data", not "suppressed"
    mixed = plot_frame(
        [
            ("Stage: After charge", "Kent Police", 40.0, "40.0%"),
            ("Stage: After charge", "National", None, "suppressed (count of 1-4)"),
            ("Reason: Other", "National", 12.5, "12.5%"),
        ]
    )
    got = pdf.withdrawal_drawing(mixed, 700)
    assert got is not None
    assert next(c for c in got.contents if hasattr(c, "naLabel")).naLabel.text == (
        "suppressed or no data"
    )


@pytest.mark.parametrize(
    ("url", "status", "says"),
    [
        ("/area/nope/board-pack.pdf", 404, "No such force"),
        ("/board-pack.pdf?period=garbage", 400, "Bad period"),
        ("/board-pack.pdf?period=2001-02", 400, "Bad period"),
        ("/area/kent/board-pack.pdf?period=2023-2024", 400, "Bad period"),
    ],
)
def test_bad_input_gives_a_plain_message(client: object, url: str, status: int, says: str) -> None:
    r = client.get(url)  # type: ignore[attr-defined]
    assert r.status_code == status and r.mimetype == "text/plain"
    assert says in r.get_data(as_text=True) and "Traceback" not in r.get_data(as_text=True)


def test_stage_three_and_the_cohort_on_page_two(client: object) -> None:
    """Page 2 of both packs, as on the page after needs attention: stage three's tiles, each
    "not yet sent" here (no Area has sent court outcomes; never a zero), then the cohort's
    headline sentence, what its court stages cover, and its table with the same words."""
    from dashboard.data.headline import court_metrics

    for url, who in (
        ("/board-pack.pdf?period=2023-24", "England and Wales"),
        ("/area/kent/board-pack.pdf?period=2023-24", "Kent Police"),
    ):
        r = client.get(url)  # type: ignore[attr-defined]
        assert r.status_code == 200
        page = flat(pages_of(r.data)[1])
        assert f"Stage three: charge to completion at court, {who}" in page
        for m in court_metrics():
            name = m.name if "rate" in m.stats or "count" in m.stats else f"{m.name} (mean)"
            assert flat(name) in page, name
        assert page.count("not yet sent") >= len(court_metrics()) + 2, page
        assert "Court outcomes not yet sent by" in page
        assert "From report to verdict: one cohort" in page
        assert "rape offences recorded in 2023-24" in page
        assert "court outcomes are not yet sent" in page  # the cohort's headline sentence
        assert "Completed at court not yet sent" in page and "Convicted not yet sent" in page
