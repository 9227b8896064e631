"""National scorecard (/): the headline tiles fill the first screen at 1440x900 and start on
the first screen of a 390x844 phone, each tile's SPC label names the period shown; needs
attention links to detail; every theme's table folded (keyboard opens it); period control,
CSV = table, board-pack PDF. A clean load and axe, as every role, are
tests/browser/test_pages.py."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.helpers.browser import (
    PageLog,
    Served,
    assert_attrition_view,
    assert_headline_fits,
    card,
    downloaded_csv,
    open_fold,
    open_page,
    pdf_text,
    spc_labels,
    table_cells,
)

pytestmark = pytest.mark.browser


THEMES = ("Volume", "Timeliness", "Victim engagement", "Quality")


def test_headline_first_then_attention_then_folded_detail(
    served: Served, page: tuple[Page, PageLog]
) -> None:
    pg, log = page
    assert_headline_fits(pg, served, "/?period=2023-24", log)
    assert log.console_errors == [] and log.failed_requests == []
    head = pg.inner_text("#headline")
    for theme in THEMES:
        assert theme.upper() in head.upper()
    # every tile: a value, the change on a year earlier judged, the SPC of the same period
    tiles = pg.locator("#headline .headline-tile")
    for i in range(tiles.count()):
        text = tiles.nth(i).inner_text()
        assert "on 2022-23" in text.lower(), text
    labels = spc_labels(pg)
    assert labels and all(lab.startswith("SPC, Quarter 4 of 2023-24") for lab in labels)
    # needs attention: each item links to its detail
    attention = pg.locator("#attention")
    assert "Overdue recommendations" in attention.inner_text()
    for href in attention.locator("a").evaluate_all("as => as.map(a => a.getAttribute('href'))"):
        assert href.startswith(("/recommendations/", "/?", "/compare?")), href
    # detail by theme, folded; the keyboard opens a fold
    folds = pg.locator("details.detail-fold")
    assert folds.count() >= 4
    assert all(not o for o in folds.evaluate_all("ds => ds.map(d => d.open)"))
    summary = pg.locator("#national-fold-volume > summary")
    summary.focus()
    pg.keyboard.press("Enter")
    expect(pg.locator("#national-fold-volume")).to_have_attribute("open", "")
    expect(card(pg, "national-volume")).to_be_visible()
    # a quarter: the SPC label names that quarter
    open_page(pg, served, "/?period=2023-24-Q2")
    labels = spc_labels(pg)
    assert labels and all(lab.startswith("SPC, Quarter 2 of 2023-24") for lab in labels)
    assert "on 2022-23 Q2" in pg.inner_text("#headline")
    # the attrition view: one cohort from report to verdict, the headline sentence first,
    # then the chart with its table; it fits a desktop and a phone and is axe-clean
    open_page(pg, served, "/?period=2023-24")
    assert_attrition_view(pg, "national-attrition", "rape offences recorded in 2023-24")


def test_changing_period_updates_figures_link_and_address(
    served: Served, page: tuple[Page, PageLog]
) -> None:
    pg, log = page
    open_page(pg, served, "/")
    options = pg.locator("#national-period option").evaluate_all("os => os.map(o => o.value)")
    current = pg.input_value("#national-period")
    other = next(o for o in options if o != current and len(o) == 7)
    label = pg.locator(f'#national-period option[value="{other}"]').text_content() or ""
    before = table_cells(pg, "national-engagement")
    pg.select_option("#national-period", other)
    # The headline names the period shown once the figures are redrawn.
    expect(pg.locator("#headline-title")).to_have_text(
        re.compile("^" + re.escape(f"Headline: {label}, England and Wales")), use_inner_text=True
    )
    pg.wait_for_load_state("networkidle")
    assert table_cells(pg, "national-engagement") != before
    assert pg.get_attribute("#national-pdf", "href") == f"/board-pack.pdf?period={other}"
    assert pg.url.endswith(f"?period={other}")
    assert log.console_errors == [] and log.failed_requests == []


def test_csv_download_matches_the_table(served: Served, page: tuple[Page, PageLog]) -> None:
    pg, _ = page
    open_page(pg, served, "/?period=2023-24")
    open_fold(pg, "national-fold-engagement")
    open_fold(pg, "national-fold-volume")
    open_fold(pg, "national-fold-recommendations")
    for card_id in ("national-engagement", "national-volume", "national-recommendations"):
        assert downloaded_csv(pg, card_id) == table_cells(pg, card_id), card_id
    # one comparison column per meaning: a year's previous period is the year earlier
    header = table_cells(pg, "national-volume")[0]
    assert "Year earlier" in header and "Previous period" not in header
    assert header[-1] == "SPC, Quarter 4 of 2023-24"


def test_malformed_period_gives_a_message_and_the_default(
    served: Served, page: tuple[Page, PageLog]
) -> None:
    pg, _ = page
    open_page(pg, served, "/?period=garbage%3Cscript%3E")
    assert "is not a financial year" in pg.inner_text("#national-message")
    assert "Traceback" not in pg.content()
    assert len(pg.input_value("#national-period")) == 7
    assert card(pg, "national-engagement").count() == 1


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
