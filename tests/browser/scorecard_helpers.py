"""Helpers shared by the national and area scorecard browser tests."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from tests.browser.conftest import Served


def open_page(page: object, served: Served, path: str) -> None:
    page.goto(served.url + path)  # type: ignore[attr-defined]
    page.wait_for_selector("#main h1")  # type: ignore[attr-defined]
    page.wait_for_load_state("networkidle")  # type: ignore[attr-defined]


def card(page: object, card_id: str) -> object:
    return page.locator(f'section[aria-labelledby="{card_id}-title"]')  # type: ignore[attr-defined]


def table_cells(page: object, card_id: str) -> list[list[str]]:
    """The card's table alternative (open or folded): header row then body rows, as text."""
    return (
        card(page, card_id)
        .locator("table tr")
        .evaluate_all(  # type: ignore[attr-defined]
            "rows => rows.map(r => Array.from(r.querySelectorAll('th, td'))"
            ".map(c => c.textContent.trim()))"
        )
    )


def downloaded_csv(page: object, card_id: str) -> list[list[str]]:
    """Click the card's CSV button and parse what the browser saved."""
    button = card(page, card_id).get_by_role("button", name="Download the figures")  # type: ignore[attr-defined]
    with page.expect_download() as info:  # type: ignore[attr-defined]
        button.click()
    path = info.value.path()
    text = Path(path).read_text(encoding="utf-8")
    return [[c.strip() for c in row] for row in csv.reader(io.StringIO(text))]


def pdf_text(body: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(body)).pages)


def axe_violations(page: object) -> list[dict]:
    """axe-core violations on the page (every rule axe runs, best practices included)."""
    from axe_playwright_python.sync_playwright import Axe

    return Axe().run(page).response["violations"]
