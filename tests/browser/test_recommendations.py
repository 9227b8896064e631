"""The 13 recommendations (/recommendations, /recommendations/<n>): the grid and the
escalation list, CSV = table alternative, an owner's update round-trips into the history
with before and after, validation messages, only owners get the form, and clear pages for
bad numbers. A clean load and axe, as every role, are tests/browser/test_pages.py; the
owner's form, which only an owner of the recommendation sees, is checked with axe here."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from scorecard import reference
from tests.helpers.browser import (
    PageLog,
    Served,
    alt_table,
    assert_axe_clean,
    assert_only_its_own_404,
    card,
    downloaded_csv,
    open_page,
    sign_in,
)

pytestmark = pytest.mark.browser

PageAs = Callable[[str | None], tuple[Page, PageLog]]


def test_grid_and_escalation_list(served: Served, page: tuple[Page, PageLog]) -> None:
    pg, _ = page
    open_page(pg, served, "/recommendations")
    grid = alt_table(pg, "recs-grid")
    assert grid[0][:3] == ["Owner", "Owner type", "Rec 1"] and len(grid[0]) == 15
    owners = [r[0] for r in grid[1:]]
    assert "Home Office" in owners and len(owners) == 43 + 14 + 6
    # Every badge carries a symbol and words, not colour alone.
    badges = card(pg, "recs-grid").locator(".table-responsive .badge").all_inner_texts()
    assert badges and all(b[0] in "✕●✓–" and len(b) > 3 for b in badges)
    overdue = alt_table(pg, "recs-overdue")
    assert overdue[0][:3] == ["Days overdue", "Recommendation", "Owner"]
    days = [int(r[0]) for r in overdue[1:]]
    assert days and days == sorted(days, reverse=True) and min(days) > 0
    for card_id in ("recs-summary", "recs-grid", "recs-overdue"):
        assert downloaded_csv(pg, card_id) == alt_table(pg, card_id), card_id
    # The escalation list (hundreds of rows) is folded; a board member sees no owner section.
    assert card(pg, "recs-overdue").locator("details").get_attribute("open") is None
    assert card(pg, "recs-mine").count() == 0


def test_an_owner_lands_on_their_own_recommendations(served: Served, page_as: PageAs) -> None:
    pg, log = page_as(None)
    pg.set_viewport_size({"width": 1440, "height": 900})
    sign_in(pg, served, "owner")  # CPS headquarters, through the login page: where it lands
    pg.wait_for_selector("#main h1")
    pg.wait_for_load_state("networkidle")
    assert pg.url == served.url + "/recommendations"
    headline = pg.locator("#recs-mine-headline")
    expect(headline).to_be_in_viewport()
    mine = alt_table(pg, "recs-mine")
    assert mine[0] == [
        "Recommendation", "Title", "Status", "Target date", "Days overdue", "Last update",
    ]  # fmt: skip
    owned = sorted(n for n in range(1, 14) if "cps_hq" in reference.owners_of(n))
    assert sorted(int(r[0]) for r in mine[1:]) == owned
    late = [int(r[4]) for r in mine[1:] if r[4]]
    assert late == sorted(late, reverse=True), "overdue first, most overdue first"
    assert [bool(r[4]) for r in mine[1:]] == sorted((bool(r[4]) for r in mine[1:]), reverse=True)
    assert headline.inner_text().startswith(
        f"{len(late)} of your {len(owned)} recommendations" if late else "None of your"
    )
    # Each row links to the page where the owner updates it; the national view follows.
    links = card(pg, "recs-mine").locator("tbody th a")
    assert links.count() == len(owned)
    assert downloaded_csv(pg, "recs-mine") == mine
    assert pg.locator("#main h2").all_inner_texts()[:2] == ["Your recommendations", "All owners"]
    assert log.console_errors == [] and log.failed_requests == []


def test_an_owner_sees_their_row_first(served: Served, page_as: PageAs) -> None:
    pg, _ = page_as("owner")  # CPS headquarters: joint owner of recommendation 13
    open_page(pg, served, "/recommendations/13")
    owners = alt_table(pg, "rec-owners")
    assert owners[1][0].startswith("CPS headquarters") and len(owners) > 2
    cps_hq = owners[1][0]
    board, _ = page_as("board")
    open_page(board, served, "/recommendations/13")
    national = [r[0] for r in alt_table(board, "rec-owners")[1:]]
    assert [r[0] for r in owners[1:]] == [cps_hq] + [n for n in national if n != cps_hq]


def test_owner_update_round_trips_into_history(served: Served, page_as: PageAs) -> None:
    pg, log = page_as("owner")  # signed in for CPS headquarters
    open_page(pg, served, "/recommendations/9")  # CPS HQ is the only owner
    expect(pg.locator("#rec-form-status")).not_to_have_value("")
    before_status = pg.input_value("#rec-form-status")
    # The form offers only the signed-in owner's organisation and names who is updating.
    offered = [o for o in pg.locator("#rec-form-owner option").all_inner_texts() if o]
    assert len(offered) == 1 and offered[0].startswith("CPS headquarters")
    assert "signed in as test-owner" in pg.inner_text("#main")
    # Only an owner of the recommendation sees the form: its one axe check is here.
    assert_axe_clean(pg)

    # Validation: evidence missing for "implemented".
    pg.select_option("#rec-form-status", "implemented")
    pg.fill("#rec-form-evidence", "")
    pg.click("#rec-form-submit")
    expect(pg.locator("#rec-form-result")).to_contain_text("Evidence is required")
    pg.fill("#rec-form-evidence", "Public policy page republished; link in the board pack.")
    pg.fill("#rec-form-target", "2027-03-31")
    pg.click("#rec-form-submit")
    pg.wait_for_selector("#rec-form-result .alert-success")
    pg.wait_for_load_state("networkidle")

    history = alt_table(pg, "rec-history-card")
    assert history[0] == ["When", "Who", "Owner", "Before", "After", "Source"]
    row = history[1]
    assert row[1] == "test-owner" and row[2].startswith("CPS headquarters")
    assert row[3].lower().startswith(before_status.replace("_", " "))
    assert row[4].startswith("Implemented; target 2027-03-31; evidence: Public policy page")
    owners = alt_table(pg, "rec-owners")
    assert "Implemented (green: done)" in owners[1][1] and "app update" in owners[1][4]

    # The newer app update is what every page shows from now on.
    open_page(pg, served, "/recommendations/9")
    assert "test-owner" in pg.inner_text("#rec-history")
    assert "Implemented (green: done)" in alt_table(pg, "rec-owners")[1][1]
    assert log.console_errors == [] and log.failed_requests == []


@pytest.mark.parametrize(
    ("path", "words"),
    [("/recommendations/99", "no recommendation 99"), ("/recommendations/abc", "'abc'")],
)
def test_unknown_recommendation_gives_a_clear_page(
    served: Served, page: tuple[Page, PageLog], path: str, words: str
) -> None:
    pg, log = page
    resp = open_page(pg, served, path)
    assert pg.inner_text("#main h1") == "Recommendation not found"
    assert words in pg.inner_text("#main")
    assert "Traceback" not in pg.content()
    assert_only_its_own_404(pg, log, resp)


@pytest.mark.parametrize("role", ["board", "pcc"])
def test_only_owners_see_the_update_form(served: Served, page_as: PageAs, role: str) -> None:
    pg, log = page_as(role)
    open_page(pg, served, "/recommendations/9")
    assert pg.locator("#rec-form-submit").count() == 0
    assert "You cannot update this recommendation" in pg.inner_text("#main")
    assert log.console_errors == [] and log.failed_requests == []
