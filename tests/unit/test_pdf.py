"""Board-pack PDF: rendered server-side with title, period, source, tables, suppression as
text and the OFFICIAL-SENSITIVE marking; routes give 404/400 with a plain message."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pandas as pd
import pytest
from flask import Flask

from dashboard import pdf
from dashboard import scorecard_data as sd
from tests.metrics_fixtures import Warehouse, d

pypdf = pytest.importorskip("pypdf")


def text_of(body: bytes) -> str:
    return "\n".join(p.extract_text() or "" for p in pypdf.PdfReader(io.BytesIO(body)).pages)


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
    """The PDF routes over a small built mart (queries routed to it, no snapshot)."""
    w = Warehouse()
    w.police(
        "kent", [{"recorded_date": d("2023-05-10")}] * 20 + [{"recorded_date": d("2023-06-10")}] * 3
    )
    w.build()
    mp = pytest.MonkeyPatch()
    mp.setattr(sd, "_default_query", lambda sql, params: w.con.execute(sql, params).df())
    app = Flask(__name__)
    pdf.register(app)
    yield app.test_client()
    mp.undo()


def test_national_pack_route(client: object) -> None:
    r = client.get("/board-pack.pdf?period=2023-24")  # type: ignore[attr-defined]
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    text = text_of(r.data)
    assert "National scorecard" in text and "Financial year 2023-24" in text
    assert "Adult rape offences recorded" in text and "OFFICIAL-SENSITIVE" in text
    default = client.get("/board-pack.pdf")  # type: ignore[attr-defined]
    assert default.status_code == 200


def test_area_pack_route(client: object) -> None:
    r = client.get("/area/kent/board-pack.pdf?period=2023-24")  # type: ignore[attr-defined]
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    text = text_of(r.data)
    assert "Joint area scorecard: Kent Police" in text and "CPS South East" in text


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
