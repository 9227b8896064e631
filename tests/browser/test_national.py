"""National scorecard (/): every stage shown, period control, CSV = table, board-pack PDF.
A clean load and axe, as every role, are tests/browser/test_pages.py."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.helpers.browser import (
    PageLog,
    Served,
    card,
    downloaded_csv,
    open_page,
    pdf_text,
    table_cells,
)

pytestmark = pytest.mark.browser


def test_shows_every_stage(served: Served, page: tuple[Page, PageLog]) -> None:
    pg, log = page
    open_page(pg, served, "/")
    assert log.console_errors == [] and log.failed_requests == []
    text = pg.inner_text("#national-content")
    for heading in (
        "Volumes from report to charge",
        "Report to police decision",
        "Referral to CPS decision",
        "Published national figures",
        "Recommendation owners by status",
    ):
        assert heading in text
    # SPC status is given in words, not colour alone; recommendations link to their pages.
    assert "common cause" in text or "improving" in text or "concerning" in text
    assert pg.locator('a[href="/recommendations/13"]').count() == 1
    assert pg.locator("#national-trend .js-plotly-plot").count() == 1


def test_changing_period_updates_figures_link_and_address(
    served: Served, page: tuple[Page, PageLog]
) -> None:
    pg, log = page
    open_page(pg, served, "/")
    options = pg.locator("#national-period option").evaluate_all("os => os.map(o => o.value)")
    current = pg.input_value("#national-period")
    other = next(o for o in options if o != current and len(o) == 7)
    label = pg.locator(f'#national-period option[value="{other}"]').text_content() or ""
    before = table_cells(pg, "national-police")
    pg.select_option("#national-period", other)
    # The summary line starts with the period shown once the figures are redrawn.
    expect(pg.locator("#national-content p").first).to_have_text(
        re.compile("^" + re.escape(label + ".")), use_inner_text=True
    )
    pg.wait_for_load_state("networkidle")
    assert table_cells(pg, "national-police") != before
    assert pg.get_attribute("#national-pdf", "href") == f"/board-pack.pdf?period={other}"
    assert pg.url.endswith(f"?period={other}")
    assert log.console_errors == [] and log.failed_requests == []


def test_csv_download_matches_the_table(served: Served, page: tuple[Page, PageLog]) -> None:
    pg, _ = page
    open_page(pg, served, "/?period=2023-24")
    for card_id in ("national-police", "national-volumes", "national-recommendations"):
        assert downloaded_csv(pg, card_id) == table_cells(pg, card_id), card_id


def test_malformed_period_gives_a_message_and_the_default(
    served: Served, page: tuple[Page, PageLog]
) -> None:
    pg, _ = page
    open_page(pg, served, "/?period=garbage%3Cscript%3E")
    assert "is not a financial year" in pg.inner_text("#national-message")
    assert "Traceback" not in pg.content()
    assert len(pg.input_value("#national-period")) == 7
    assert card(pg, "national-police").count() == 1


def test_board_pack_pdf(served: Served, page: tuple[Page, PageLog]) -> None:
    pg, _ = page
    open_page(pg, served, "/?period=2023-24")
    href = pg.get_attribute("#national-pdf", "href")
    assert href is not None
    response = pg.request.get(served.url + href)
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    text = pdf_text(response.body())
    assert "National scorecard" in text and "OFFICIAL-SENSITIVE" in text
    assert "Financial year 2023-24" in text
    bad = pg.request.get(served.url + "/board-pack.pdf?period=2023-2024")
    assert bad.status == 400 and "Bad period" in bad.text()
