"""Stage three where a CPS Area has not sent court outcomes: the session's test nation has
every Area's court file, so this module serves a home where CPS South East (Kent, Surrey and
Sussex) has none, and checks that / and /area/kent say "not yet sent" (never zero) on the
stage-three tiles and the cohort view, with no axe violations and no sideways scrolling at
1440x900 and 390x844.

How the home is made, cheaply: a copy of the session's published home (its users and the
browser sessions already signed in come with it), whose warehouse has the Area's
``cps_court_outcomes`` extract marked no longer current, as if it had never been sent; then
the real build (:func:`warehouse.build.build`: core, facts, marts from the raw tables) and
:func:`pipelines.publish.publish_snapshot`. So every figure is what the product computes for
that nation, without generating, validating or loading a second nation (a full refresh).
While the module runs, the session's server reads this home (the snapshot reader follows
SCORECARD_HOME); the fixture gives the session's home back afterwards."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.helpers.browser import (
    DESKTOP,
    PHONE,
    PageLog,
    Served,
    assert_attrition_view,
    assert_axe_clean,
    assert_fits,
    open_page,
)

pytestmark = pytest.mark.browser

AREA, AREA_NAME = "cps_south_east", "CPS South East"


@pytest.fixture(scope="module")
def unsent(
    served: Served, signed_in_states: dict[str, Any], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Served]:
    """The session's server over a copy of its home rebuilt without CPS South East's court
    outcomes (see the module docstring); made after the sign-ins, so they hold in the copy."""
    import dashboard.data.snapshot as snapshot
    from accounts import appdb
    from pipelines.publish import publish_snapshot
    from pipelines.runtime import close_all, settings_for, warehouse
    from tests.helpers.pipeline import copy_home
    from warehouse.build import build

    home: Path = copy_home(served.home, tmp_path_factory.mktemp("court-not-sent") / "home")
    settings = settings_for(str(home))
    con = warehouse(settings)
    try:
        con.execute(
            "UPDATE raw.extracts SET is_current = FALSE "
            "WHERE kind = 'cps_court_outcomes' AND org_code = ?",
            [AREA],
        )
        build(con, settings)
        publish_snapshot(con, settings.snapshots_dir, "c" * 32)
    finally:
        con.close()
        close_all()
    mp = pytest.MonkeyPatch()
    mp.setenv("SCORECARD_HOME", str(home))
    snapshot._reader = None
    appdb.dispose_all()
    try:
        yield Served(url=served.url, home=home)
    finally:
        mp.undo()
        snapshot._reader = None
        appdb.dispose_all()


def court_values(pg: Page) -> list[str]:
    return pg.locator("#court .tile-value").all_inner_texts()


def test_area_without_court_outcomes_says_not_yet_sent(
    unsent: Served, page: tuple[Page, PageLog]
) -> None:
    pg, log = page
    open_page(pg, unsent, "/area/kent")
    court = pg.locator("#court")
    expect(court).to_contain_text(f"Court outcomes not yet sent by {AREA_NAME}")
    values = court_values(pg)
    assert len(values) >= 7 and set(values) == {"not yet sent"}, values
    rows = assert_attrition_view(pg, "area-attrition", "court outcomes are not yet sent")
    assert rows[-2][1] == "not yet sent" and rows[-1][1] == "not yet sent", rows
    assert rows[-1][2] == "", rows  # no count of offences, never 0
    for size in (PHONE, DESKTOP):
        assert_fits(pg, size)
    assert_axe_clean(pg)
    assert log.console_errors == [] and log.failed_requests == []


def test_national_covers_the_areas_that_sent(unsent: Served, page: tuple[Page, PageLog]) -> None:
    pg, log = page
    open_page(pg, unsent, "/")
    court = pg.locator("#court")
    expect(court).to_contain_text(f"have not yet sent ({AREA_NAME})")
    assert "not yet sent" not in court_values(pg)  # the other 13 Areas' figures
    expect(pg.locator("#national-attrition")).to_contain_text("1 of 14 Areas have not yet sent")
    for size in (PHONE, DESKTOP):
        assert_fits(pg, size)
    assert_axe_clean(pg)
    assert log.console_errors == [] and log.failed_requests == []


def test_area_pack_says_not_yet_sent(unsent: Served, page: tuple[Page, PageLog]) -> None:
    """The board pack reads the same home: page 2's stage three and cohort say so too."""
    from tests.helpers.browser import pdf_text

    pg, _ = page
    open_page(pg, unsent, "/area/kent")
    got = pg.request.get(f"{unsent.url}/area/kent/board-pack.pdf")
    assert got.ok
    text = " ".join(pdf_text(got.body()).split())
    assert f"Court outcomes not yet sent by {AREA_NAME}" in text
    assert "court outcomes are not yet sent" in text
