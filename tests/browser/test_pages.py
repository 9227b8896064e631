"""Every page as every role (and with no session): what a role may open loads cleanly and
passes axe; what it may not gives a plain refusal, never the content; sign-in lands each role
where it should. Plus the definitions search and the analyst's data page."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from dashboard.auth import policy
from tests.browser.conftest import PageLog, Served, sign_in
from tests.helpers.auth import PAGES, ROLES, user_for

pytestmark = pytest.mark.browser

PageAs = Callable[[str | None], tuple[object, PageLog]]


def _open(page: object, served: Served, path: str) -> object:
    resp = page.goto(served.url + path)  # type: ignore[attr-defined]
    page.wait_for_selector("#main h1")  # type: ignore[attr-defined]
    page.wait_for_load_state("networkidle")  # type: ignore[attr-defined]
    return resp


def _axe_clean(pg: object) -> None:
    results = Axe().run(pg)
    assert results.violations_count == 0, results.generate_report()
    assert pg.get_attribute("html", "lang") == "en-GB"  # type: ignore[attr-defined]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("path", PAGES)
def test_every_page_as_every_role(served: Served, page_as: PageAs, role: str, path: str) -> None:
    pg, log = page_as(role)
    allowed = policy.can(role, policy.page_capability(path) or policy.SIGNED_IN)
    resp = _open(pg, served, path)
    heading = pg.inner_text("#main h1")  # type: ignore[attr-defined]
    if allowed:
        assert resp.status == 200  # type: ignore[attr-defined]
        assert heading != "You cannot open this page"
        assert log.console_errors == [] and log.failed_requests == []
        _axe_clean(pg)
        nav = pg.inner_text("nav[aria-label=Main]")  # type: ignore[attr-defined]
        assert user_for(role).username in nav and "Sign out" in nav
    elif path == "/":
        # A role without the national scorecard is sent to its own landing page.
        expected = policy.landing(role, user_for(role).org_code)
        assert pg.url == served.url + expected  # type: ignore[attr-defined]
    else:
        assert resp.status == 403  # type: ignore[attr-defined]
        assert heading == "You cannot open this page"
        _axe_clean(pg)


@pytest.mark.parametrize("path", ["/", "/compare", "/data", "/admin/users"])
def test_no_session_goes_to_sign_in(served: Served, page_as: PageAs, path: str) -> None:
    pg, log = page_as(None)
    _open(pg, served, path)
    assert pg.url.startswith(served.url + "/login")  # type: ignore[attr-defined]
    assert pg.inner_text("#main h1") == "Sign in"  # type: ignore[attr-defined]
    assert log.console_errors == []
    _axe_clean(pg)


@pytest.mark.parametrize("role", ROLES)
def test_sign_in_lands_each_role_and_sign_out_ends_the_session(
    served: Served, page_as: PageAs, role: str
) -> None:
    pg, _ = page_as(None)
    sign_in(pg, served, role)
    assert pg.url == served.url + policy.landing(role, user_for(role).org_code)  # type: ignore[attr-defined]
    pg.wait_for_selector("#main h1")  # type: ignore[attr-defined]
    with pg.expect_navigation():  # type: ignore[attr-defined]
        pg.click("nav >> text=Sign out")  # type: ignore[attr-defined]
    assert pg.url.endswith("/login")  # type: ignore[attr-defined]
    pg.goto(served.url + "/definitions")  # type: ignore[attr-defined]
    assert "/login" in pg.url  # type: ignore[attr-defined]


def test_sign_in_failure_is_one_plain_message(served: Served, page_as: PageAs) -> None:
    pg, _ = page_as(None)
    pg.goto(served.url + "/login")  # type: ignore[attr-defined]
    pg.fill("#username", "nobody-here")  # type: ignore[attr-defined]
    pg.fill("#password", "not the password at all")  # type: ignore[attr-defined]
    pg.click("button[type=submit]")  # type: ignore[attr-defined]
    pg.wait_for_selector(".alert-danger")  # type: ignore[attr-defined]
    assert "Sign-in failed" in pg.inner_text(".alert-danger")  # type: ignore[attr-defined]
    _axe_clean(pg)


def test_definitions_search_filters(served: Served, page: tuple[object, PageLog]) -> None:
    pg, _ = page
    _open(pg, served, "/definitions")
    total = pg.locator("#definitions-table tbody tr").count()  # type: ignore[attr-defined]
    assert total >= 30
    pg.fill("#definitions-search", "withdrawal")  # type: ignore[attr-defined]
    pg.press("#definitions-search", "Enter")  # type: ignore[attr-defined]
    # A web-first wait: the app's CSP (no 'unsafe-eval') refuses string predicates.
    expect(pg.locator("#definitions-table tbody tr")).not_to_have_count(total)  # type: ignore[attr-defined]
    rows = pg.locator("#definitions-table tbody tr").all_inner_texts()  # type: ignore[attr-defined]
    assert rows and all("withdraw" in r.lower() for r in rows)


def test_data_page_shows_freshness_and_the_rejection(served: Served, page_as: PageAs) -> None:
    pg, _ = page_as("analyst")
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
