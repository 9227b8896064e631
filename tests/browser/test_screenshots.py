"""Screenshots of the pages as a reader sees them, at 1440x900 and 390x844 (the first
screen, and the whole page), for people to look at and for the README (docs/screenshots/).
Opt-in, like the soak: ``SCORECARD_SCREENSHOTS=<folder> .venv/bin/pytest
tests/browser/test_screenshots.py``. Pages are the session's synthetic test nation, signed
in as a board member (and as an analyst for /data)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page

from tests.helpers.browser import PageLog, Served, open_page

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not os.environ.get("SCORECARD_SCREENSHOTS"), reason="opt-in: SCORECARD_SCREENSHOTS=dir"
    ),
]

SIZES = {"1440x900": {"width": 1440, "height": 900}, "390x844": {"width": 390, "height": 844}}
# (file stem, path, role)
PAGES = (
    ("national", "/", "board"),
    ("area-kent", "/area/kent", "pcc"),
    ("compare", "/compare", "pcc"),
    ("recommendations", "/recommendations", "owner"),
    ("definitions", "/definitions", "board"),
    ("data", "/data", "analyst"),
)

# Views well down a page, also shot on their own: (file stem, path, role, selector)
VIEWS = (
    ("national-attrition", "/", "board", "#national-attrition"),
    ("area-kent-attrition", "/area/kent", "pcc", "#area-attrition"),
    ("area-metropolitan-attrition", "/area/metropolitan", "pcc", "#area-attrition"),
    ("national-court", "/", "board", "#court"),
    ("area-kent-court", "/area/kent", "pcc", "#court"),
)


@pytest.mark.parametrize(("stem", "path", "role"), PAGES)
def test_screenshot(
    served: Served,
    page_as: Callable[[str | None], tuple[Page, PageLog]],
    stem: str,
    path: str,
    role: str,
) -> None:
    out = Path(os.environ["SCORECARD_SCREENSHOTS"])
    out.mkdir(parents=True, exist_ok=True)
    pg, _ = page_as(role)
    for size, viewport in SIZES.items():
        pg.set_viewport_size(viewport)
        open_page(pg, served, path)  # a fresh load at this size: charts size to the window
        first, whole = out / f"{stem}-{size}.png", out / f"{stem}-{size}-full.png"
        pg.screenshot(path=str(first))
        pg.screenshot(path=str(whole), full_page=True)
        assert first.stat().st_size > 10_000 and whole.stat().st_size >= first.stat().st_size


@pytest.mark.parametrize(("stem", "path", "role", "selector"), VIEWS)
def test_view_screenshot(
    served: Served,
    page_as: Callable[[str | None], tuple[Page, PageLog]],
    stem: str,
    path: str,
    role: str,
    selector: str,
) -> None:
    out = Path(os.environ["SCORECARD_SCREENSHOTS"])
    out.mkdir(parents=True, exist_ok=True)
    pg, _ = page_as(role)
    for size, viewport in SIZES.items():
        pg.set_viewport_size(viewport)
        open_page(pg, served, path)
        shot = out / f"{stem}-{size}.png"
        pg.locator(selector).screenshot(path=str(shot))
        assert shot.stat().st_size > 10_000
