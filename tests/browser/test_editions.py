"""The edition picker and the revisions view in the browser: choosing an edition reloads
the page with ?edition= and says which edition it shows, the board-pack link carries it,
and /revisions lists the moved headline figures as a table; axe-clean, no sideways
scrolling at 1440x900 or 390x844. Screenshots for docs/screenshots when SCORECARD_SHOTS is
set to a folder.

The served home is shared by every browser module, so the edition is made for this module
and removed after it. It is the served snapshot with Kent's headline figures and its police
extract's checksum altered, as if published before a correction from Kent: the real
correction through the flow is tests/integration/test_editions.py.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from playwright.sync_api import Page, expect

from tests.helpers.browser import (
    DESKTOP,
    PHONE,
    PageLog,
    Served,
    assert_axe_clean,
    assert_fits,
    open_page,
)
from tests.helpers.warehouse import settings as make_settings

pytestmark = pytest.mark.browser

LABEL = "Q2 2026-27 board"


@pytest.fixture(scope="module")
def edition(served: Served, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from warehouse import editions

    work = tmp_path_factory.mktemp("edition-src") / "home"
    (work / "snapshots").mkdir(parents=True)
    current = (served.home / "snapshots" / "current.duckdb").resolve()
    copy = work / "snapshots" / current.name
    shutil.copyfile(current, copy)
    con = duckdb.connect(str(copy))
    con.execute(
        "UPDATE mart.metric_values SET value = value * 1.2 + 1 "
        "WHERE org_code = 'kent' AND breakdown = '' AND suppressed IS NULL"
    )
    con.execute(
        "UPDATE raw.extracts SET checksum = 'before-correction' "
        "WHERE org_code = 'kent' AND kind = 'police_cases' AND is_current"
    )
    con.close()
    (work / "snapshots" / "current.duckdb").symlink_to(copy.name)
    made = editions.publish(make_settings(work), LABEL, "Seen by the national board", "tests")
    target = editions.editions_dir(make_settings(served.home))
    target.mkdir(exist_ok=True)
    moved = [shutil.copy2(p, target / p.name) for p in made.file.parent.iterdir()]
    try:
        yield LABEL
    finally:
        for p in moved:
            Path(p).unlink()


def _shoot(pg: Page, name: str) -> None:
    folder = os.environ.get("SCORECARD_SHOTS")
    if folder:
        pg.screenshot(path=str(Path(folder) / name), full_page=False)


def test_picker_shows_an_edition_and_back(
    served: Served, page: tuple[Page, PageLog], edition: str
) -> None:
    pg, log = page
    pg.set_viewport_size(DESKTOP)
    open_page(pg, served, "/area/kent?period=2023-24")
    shown = pg.locator("#area-edition-shown")
    expect(shown).to_have_text("Latest figures")
    latest_tiles = pg.inner_text("#area-content")
    picker = pg.get_by_label("Edition", exact=True)
    picker.select_option(edition)  # option values are the labels
    pg.get_by_role("button", name="Show edition").click()
    expect(pg.locator("#area-edition-shown")).to_contain_text(f"Edition: {edition}, published")
    assert "edition=" in pg.url and "period=2023-24" in pg.url
    assert pg.inner_text("#area-content") != latest_tiles, "the edition's own figures"
    href = pg.get_attribute("#area-pdf", "href") or ""
    assert "edition=" in href and "period=2023-24" in href
    resp = pg.request.get(served.url + href)
    assert resp.status == 200
    # The main navigation keeps the edition on pages that show editions, not elsewhere.
    nav = pg.get_by_role("navigation", name="Main")
    compare_href = nav.get_by_role("link", name="Compare forces").get_attribute("href") or ""
    assert "edition=" in compare_href
    recs_href = nav.get_by_role("link", name="Recommendations").get_attribute("href")
    assert recs_href == "/recommendations"
    assert log.console_errors == [] and log.failed_requests == []
    assert_axe_clean(pg)
    _shoot(pg, "edition-picker-area-kent-1440x900.png")
    assert_fits(pg, DESKTOP)
    assert_fits(pg, PHONE)
    pg.locator("#area-edition-shown").scroll_into_view_if_needed()
    _shoot(pg, "edition-picker-area-kent-390x844.png")
    pg.set_viewport_size(DESKTOP)
    pg.get_by_label("Edition", exact=True).select_option(label="Latest figures")
    pg.get_by_role("button", name="Show edition").click()
    expect(pg.locator("#area-edition-shown")).to_have_text("Latest figures")
    assert "edition=" not in pg.url


def test_unknown_edition_is_a_clear_message(served: Served, page: tuple[Page, PageLog]) -> None:
    pg, log = page
    open_page(pg, served, "/?edition=no-such-edition")
    expect(pg.locator("#main")).to_contain_text("There is no published edition called")
    assert log.console_errors == [] and log.failed_requests == []


def test_revisions_view(served: Served, page: tuple[Page, PageLog], edition: str) -> None:
    pg, log = page
    pg.set_viewport_size(DESKTOP)
    open_page(pg, served, "/revisions")
    expect(pg.get_by_role("link", name=edition)).to_be_visible()
    assert_axe_clean(pg)
    pg.get_by_role("link", name=edition).click()
    expect(pg.locator("#revisions-summary")).to_contain_text("have changed beyond the threshold")
    body = pg.inner_text("#main")
    assert "percentage points or more" in body
    assert "Kent Police" in body
    rows = pg.locator("#revisions-table-title ~ details table tbody tr")
    assert rows.count() > 0
    first = [c.strip() for c in rows.first.locator("td").all_inner_texts()]
    assert first[-1] == "Kent Police", first
    assert log.console_errors == [] and log.failed_requests == []
    assert_axe_clean(pg)
    _shoot(pg, "revisions-1440x900.png")
    assert_fits(pg, DESKTOP)
    assert_fits(pg, PHONE)
    _shoot(pg, "revisions-390x844.png")
