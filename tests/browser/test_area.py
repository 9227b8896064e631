"""Joint area scorecard (/area/<force>): the headline tiles first (inside the first viewport
at 1440x900, starting on the first screen at 390x844), each with the SPC label of the period
shown and the position against national worded with direction; detail folded by theme; a
force with two CPS Areas, force and period controls, focus switch (withdrawals by stage and
reason on the withdrawal tab, with axe on that tab), CSV = table, unknown force page,
board-pack PDF. A clean load and axe, as every role, are tests/browser/test_pages.py."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.helpers.browser import (
    PageLog,
    Served,
    assert_attrition_view,
    assert_axe_clean,
    assert_headline_fits,
    assert_only_its_own_404,
    card,
    downloaded_csv,
    open_fold,
    open_page,
    pdf_text,
    spc_labels,
    table_cells,
)

pytestmark = pytest.mark.browser


def test_a_force_with_two_cps_areas(served: Served, page: tuple[Page, PageLog]) -> None:
    pg, log = page
    open_page(pg, served, "/area/metropolitan")
    assert log.console_errors == [] and log.failed_requests == []
    header = table_cells(pg, "area-quality")[0]
    # The Met is served by two CPS Areas: both sit beside the force.
    assert "CPS London North" in header and "CPS London South" in header
    body = pg.inner_text("#area-content")
    assert "no different from national" in body
    assert pg.locator("#area-trend .js-plotly-plot").count() == 1
    # the attrition view: the force beside national; the Met's court stages are figures only
    # when both its CPS Areas have sent, and otherwise say which has not
    rows = assert_attrition_view(pg, "area-attrition", "rape offences recorded in")
    assert "Metropolitan" in rows[0][1] and "England and Wales" in rows[0][3], rows[0]
    if rows[-1][1] == "not yet sent":
        expect(pg.locator("#area-attrition")).to_contain_text("Court outcomes not yet sent by")


def test_changing_force_and_period_updates_figures(
    served: Served, page: tuple[Page, PageLog]
) -> None:
    pg, log = page
    open_page(pg, served, "/area/kent")
    assert "Kent" in pg.inner_text("#main h1")
    before = table_cells(pg, "area-engagement")
    pg.select_option("#area-force", "surrey")
    expect(pg.locator("#main h1")).to_contain_text("Surrey")
    pg.wait_for_load_state("networkidle")
    surrey = table_cells(pg, "area-engagement")
    assert surrey != before
    assert "/area/surrey" in pg.url
    assert (pg.get_attribute("#area-pdf", "href") or "").startswith("/area/surrey/board-pack.pdf")
    pg.select_option("#area-period", "2022-23")
    expect(pg.locator("#headline-title")).to_have_text(
        re.compile(r"^Headline: Financial year 2022-23, Surrey"), use_inner_text=True
    )
    pg.wait_for_load_state("networkidle")
    assert table_cells(pg, "area-engagement") != surrey
    assert pg.url.endswith("/area/surrey?period=2022-23")
    assert log.console_errors == [] and log.failed_requests == []


def test_focus_switch_and_csv_match_the_tables(served: Served, page: tuple[Page, PageLog]) -> None:
    pg, _ = page
    open_page(pg, served, "/area/kent?period=2023-24")
    open_fold(pg, "area-fold-quality")
    assert downloaded_csv(pg, "area-quality") == table_cells(pg, "area-quality")
    open_fold(pg, "area-fold-focus")
    open_fold(pg, "area-fold-recommendations")
    assert card(pg, "area-tab-equalities").count() == 1
    # The switch is native radios styled as buttons: click the visible label.
    pg.locator("#area-tabs label", has_text="Victim withdrawal").click()
    pg.wait_for_selector('section[aria-labelledby="area-tab-withdrawal-title"]')
    assert card(pg, "area-tab-equalities").count() == 0
    assert "Victim does not support action" in pg.inner_text("#area-focus")
    assert downloaded_csv(pg, "area-tab-withdrawal") == table_cells(pg, "area-tab-withdrawal")
    # Withdrawals by stage and by reason: Kent beside national, chart, table and CSV.
    figure = card(pg, "area-withdrawal-stage-reason")
    assert figure.count() == 1
    assert "Withdrawals by stage and reason" in figure.inner_text()
    assert figure.locator(".js-plotly-plot").count() == 1
    shares = table_cells(pg, "area-withdrawal-stage-reason")
    assert shares[0] == ["Withdrawal by", "Category", "Kent Police", "National"]
    assert {r[0] for r in shares[1:]} == {"Stage", "Reason"}
    assert "During the investigation" in {r[1] for r in shares[1:]}
    # Each figure is a share or suppressed with its reason; never blank, never a bare zero.
    for row in shares[1:]:
        for cell in row[2:]:
            assert re.fullmatch(r"\d{1,3}\.\d%", cell) or cell.startswith("suppressed ("), row
    assert downloaded_csv(pg, "area-withdrawal-stage-reason") == shares
    # The withdrawal tab is reached only by this switch: its one axe check is here.
    assert_axe_clean(pg)
    recs = table_cells(pg, "area-recommendations")
    assert len(recs) > 1 and all("Kent Police" in r[2] or "CPS" in r[2] for r in recs[1:])
    assert card(pg, "area-recommendations").count() == 1


WORDED = re.compile(
    r"^(significantly (better|worse|higher|lower) than national: outside the 99\.8% limits"
    r"|no different from national|not compared with national)$"
)


def test_headline_first_with_direction_against_national(
    served: Served, page: tuple[Page, PageLog]
) -> None:
    pg, log = page
    assert_headline_fits(pg, served, "/area/kent?period=2023-24", log)
    assert log.console_errors == [] and log.failed_requests == []
    labels = spc_labels(pg)
    assert labels and all(lab.startswith("SPC, Quarter 4 of 2023-24") for lab in labels)
    positions = pg.locator("#headline .tile-national").all_inner_texts()
    assert len(positions) == pg.locator("#headline .headline-tile").count()
    assert all(WORDED.match(p) for p in positions), positions
    assert "above national" not in pg.inner_text("#headline")  # never bare above / below
    attention = pg.inner_text("#attention")
    assert "Significantly worse than national" in attention
    assert "Overdue recommendations" in attention
    # a Kent page lists only Kent's and its CPS Area's overdue rows
    for item in pg.locator("#attention li").all_inner_texts():
        if item.startswith("Recommendation"):
            assert "Kent Police" in item or "CPS South East" in item, item
    folds = pg.locator("details.detail-fold")
    assert all(not o for o in folds.evaluate_all("ds => ds.map(d => d.open)"))
    # the count trend is indexed (like with like), not force count against national count
    trend = pg.inner_text("#area-trend")
    assert "Index" in trend or "indexed" in trend


def test_unknown_force_gives_a_clear_page(served: Served, page: tuple[Page, PageLog]) -> None:
    pg, log = page
    resp = open_page(pg, served, "/area/nope")
    assert "No such force" in pg.inner_text("#main h1")
    assert "nope" in pg.inner_text("#area-unknown-force")
    assert pg.locator('#main a[href="/area/kent"]').count() == 1
    assert "Traceback" not in pg.content()
    assert_only_its_own_404(pg, log, resp)


def test_malformed_period_falls_back_with_a_message(
    served: Served, page: tuple[Page, PageLog]
) -> None:
    pg, _ = page
    open_page(pg, served, "/area/kent?period=24-25")
    assert "not a financial year" in pg.inner_text("#area-message")
    assert "Kent" in pg.inner_text("#main h1")


def test_board_pack_pdf(served: Served, page: tuple[Page, PageLog]) -> None:
    pg, _ = page
    open_page(pg, served, "/area/kent?period=2023-24")
    href = pg.get_attribute("#area-pdf", "href")
    assert href == "/area/kent/board-pack.pdf?period=2023-24"
    response = pg.request.get(served.url + href)
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    text = pdf_text(response.body())
    assert "Joint area scorecard: Kent Police" in text and "OFFICIAL-SENSITIVE" in text
    missing = pg.request.get(served.url + "/area/nope/board-pack.pdf")
    assert missing.status == 404 and "No such force" in missing.text()
