"""Every page as every role (and with no session): what a role may open loads cleanly (no
console error, no failed request) and passes axe; what it may not gives a plain refusal,
never the content; sign-in lands each role where it should. Plus the definitions search and
the analyst's data page.

This is the one axe check of each page as each role: the interaction tests in the other
modules run as a board member only (the scorecard pages are the same for board, PCC and
owner) and check with axe only states that an interaction or a role reaches (the area
page's withdrawal tab, the owner's update form)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from dashboard.auth import policy
from tests.helpers.auth import PAGES, ROLES, user_for
from tests.helpers.browser import PageLog, Served, assert_axe_clean, open_page, sign_in

pytestmark = pytest.mark.browser

PageAs = Callable[[str | None], tuple[Page, PageLog]]
# What a page draws after its first callbacks, which axe should see (the compare grid).
READY = {"/compare": ".ag-root .ag-row"}


def _axe_clean(pg: Page) -> None:
    assert_axe_clean(pg)
    assert pg.get_attribute("html", "lang") == "en-GB"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("path", PAGES)
def test_every_page_as_every_role(served: Served, page_as: PageAs, role: str, path: str) -> None:
    pg, log = page_as(role)
    allowed = policy.can(role, policy.page_capability(path) or policy.SIGNED_IN)
    resp = open_page(pg, served, path)
    heading = pg.inner_text("#main h1")
    assert resp is not None
    if allowed:
        assert resp.status == 200
        assert heading != "You cannot open this page"
        if path in READY:
            pg.wait_for_selector(READY[path])
        assert log.console_errors == [] and log.failed_requests == []
        _axe_clean(pg)
        nav = pg.inner_text("nav[aria-label=Main]")
        assert user_for(role).username in nav and "Sign out" in nav
    elif path == "/":
        # A role without the national scorecard is sent to its own landing page.
        expected = policy.landing(role, user_for(role).org_code)
        assert pg.url == served.url + expected
    else:
        assert resp.status == 403
        assert heading == "You cannot open this page"
        _axe_clean(pg)


@pytest.mark.parametrize("path", ["/", "/compare", "/data", "/admin/users"])
def test_no_session_goes_to_sign_in(served: Served, page_as: PageAs, path: str) -> None:
    pg, log = page_as(None)
    open_page(pg, served, path)
    assert pg.url.startswith(served.url + "/login")
    assert pg.inner_text("#main h1") == "Sign in"
    assert log.console_errors == []
    _axe_clean(pg)


@pytest.mark.parametrize("role", ROLES)
def test_sign_in_lands_each_role_and_sign_out_ends_the_session(
    served: Served, page_as: PageAs, role: str
) -> None:
    pg, _ = page_as(None)
    sign_in(pg, served, role)
    assert pg.url == served.url + policy.landing(role, user_for(role).org_code)
    pg.wait_for_selector("#main h1")
    with pg.expect_navigation():
        pg.click("nav >> text=Sign out")
    assert pg.url.endswith("/login")
    pg.goto(served.url + "/definitions")
    assert "/login" in pg.url


def test_sign_in_failure_is_one_plain_message(served: Served, page_as: PageAs) -> None:
    pg, _ = page_as(None)
    pg.goto(served.url + "/login")
    pg.fill("#username", "nobody-here")
    pg.fill("#password", "not the password at all")
    pg.click("button[type=submit]")
    pg.wait_for_selector(".alert-danger")
    assert "Sign-in failed" in pg.inner_text(".alert-danger")
    _axe_clean(pg)


def test_definitions_search_filters(served: Served, page: tuple[Page, PageLog]) -> None:
    pg, _ = page
    open_page(pg, served, "/definitions")
    total = pg.locator("#definitions-table tbody tr").count()
    assert total >= 30
    pg.fill("#definitions-search", "withdrawal")
    pg.press("#definitions-search", "Enter")
    # A web-first wait: the app's CSP (no 'unsafe-eval') refuses string predicates.
    expect(pg.locator("#definitions-table tbody tr")).not_to_have_count(total)
    rows = pg.locator("#definitions-table tbody tr").all_inner_texts()
    assert rows and all("withdraw" in r.lower() for r in rows)


def test_data_page_shows_freshness_and_the_rejection(served: Served, page_as: PageAs) -> None:
    pg, _ = page_as("analyst")
    open_page(pg, served, "/data")
    fresh = pg.inner_text("#data-freshness")
    assert "metropolitan" in fresh and "police_cases" in fresh
    rejected = pg.inner_text("#data-rejected")
    assert "workforce__kent__2030-01-01.csv" in rejected
    assert "workforce.org_code.matches_file" in rejected
    link = pg.locator("#data-rejected a").first
    response = pg.request.get(served.url + (link.get_attribute("href") or ""))
    assert response.status == 200 and "org_code" in response.text()


def test_unknown_path_gives_a_clear_page(served: Served, page: tuple[Page, PageLog]) -> None:
    pg, _ = page
    pg.goto(served.url + "/no-such-page")
    pg.wait_for_selector("#main")
    assert "Traceback" not in pg.content()
