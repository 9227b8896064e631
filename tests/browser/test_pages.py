"""Every page loads cleanly, passes axe, and its controls work."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.conftest import PageLog, Served

pytestmark = pytest.mark.browser

PAGES = ["/", "/data", "/definitions"]


def _open(page: object, served: Served, path: str) -> None:
    page.goto(served.url + path)  # type: ignore[attr-defined]
    page.wait_for_selector("#main h1")  # type: ignore[attr-defined]
    page.wait_for_load_state("networkidle")  # type: ignore[attr-defined]


@pytest.mark.parametrize("path", PAGES)
def test_page_loads_cleanly_and_passes_axe(
    served: Served, page: tuple[object, PageLog], path: str
) -> None:
    pg, log = page
    _open(pg, served, path)
    assert log.console_errors == []
    assert log.failed_requests == []
    results = Axe().run(pg)
    assert results.violations_count == 0, results.generate_report()
    assert pg.get_attribute("html", "lang") == "en-GB"  # type: ignore[attr-defined]


def test_definitions_search_filters(served: Served, page: tuple[object, PageLog]) -> None:
    pg, _ = page
    _open(pg, served, "/definitions")
    total = pg.locator("#definitions-table tbody tr").count()  # type: ignore[attr-defined]
    assert total >= 30
    pg.fill("#definitions-search", "withdrawal")  # type: ignore[attr-defined]
    pg.press("#definitions-search", "Enter")  # type: ignore[attr-defined]
    pg.wait_for_function(  # type: ignore[attr-defined]
        f"document.querySelectorAll('#definitions-table tbody tr').length < {total}"
    )
    rows = pg.locator("#definitions-table tbody tr").all_inner_texts()  # type: ignore[attr-defined]
    assert rows and all("withdraw" in r.lower() for r in rows)


def test_data_page_shows_freshness_and_the_rejection(
    served: Served, page: tuple[object, PageLog]
) -> None:
    pg, _ = page
    _open(pg, served, "/data")
    fresh = pg.inner_text("#data-freshness")  # type: ignore[attr-defined]
    assert "metropolitan" in fresh and "police_cases" in fresh
    rejected = pg.inner_text("#data-rejected")  # type: ignore[attr-defined]
    assert "workforce__kent__2030-01-01.csv" in rejected
    assert "workforce.org_code.matches_file" in rejected
    link = pg.locator("#data-rejected a").first  # type: ignore[attr-defined]
    response = pg.request.get(served.url + link.get_attribute("href"))  # type: ignore[attr-defined]
    assert response.status == 200 and "org_code" in response.text()


def test_unknown_path_gives_a_clear_page(served: Served, page: tuple[object, PageLog]) -> None:
    pg, _ = page
    pg.goto(served.url + "/no-such-page")  # type: ignore[attr-defined]
    pg.wait_for_selector("#main")  # type: ignore[attr-defined]
    assert "Traceback" not in pg.content()  # type: ignore[attr-defined]
