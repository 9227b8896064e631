"""The 13 recommendations (/recommendations, /recommendations/<n>): the grid and the
escalation list, CSV = table alternative, an owner's update round-trips into the history
with before and after, validation messages, only owners get the form, and clear pages for
bad numbers. A clean load and axe, as every role, are tests/browser/test_pages.py; the
owner's form, which only an owner of the recommendation sees, is checked with axe here."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.helpers.browser import (
    PageLog,
    Served,
    alt_table,
    assert_axe_clean,
    card,
    downloaded_csv,
    open_page,
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
    open_page(pg, served, path)
    assert pg.inner_text("#main h1") == "Recommendation not found"
    assert words in pg.inner_text("#main")
    assert "Traceback" not in pg.content()
    assert log.console_errors == [] and log.failed_requests == []


@pytest.mark.parametrize("role", ["board", "pcc"])
def test_only_owners_see_the_update_form(served: Served, page_as: PageAs, role: str) -> None:
    pg, log = page_as(role)
    open_page(pg, served, "/recommendations/9")
    assert pg.locator("#rec-form-submit").count() == 0
    assert "You cannot update this recommendation" in pg.inner_text("#main")
    assert log.console_errors == [] and log.failed_requests == []
