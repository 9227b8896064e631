"""Every page as every role (and with no session): what a role may open loads cleanly (no
console error, no failed request) and passes axe; what it may not gives a plain refusal,
never the content; sign-in lands each role where it should. Plus the definitions search and
the analyst's data page.

This is the one axe check of each page as each role: the interaction tests in the other
modules run as a board member only (the scorecard pages are the same for board, PCC and
owner) and check with axe only states that an interaction or a role reaches (the area
page's withdrawal tab, the owner's update form)."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from dashboard.auth import policy
from scorecard import labels
from tests.helpers.auth import PAGES, ROLES, user_for
from tests.helpers.browser import (
    DESKTOP,
    PHONE,
    PageLog,
    Served,
    assert_axe_clean,
    assert_fits,
    open_page,
    sign_in,
)

pytestmark = pytest.mark.browser

PageAs = Callable[[str | None], tuple[Page, PageLog]]
# What a page draws after its first callbacks, which axe should see (the compare grid).
READY = {"/compare": ".ag-root .ag-row"}
# Text a person reads must not look like a code (labels come from scorecard/labels.py).
CODE_PATTERNS = (
    re.compile(r"\b[a-z]+_[a-z_]+\b"),
    re.compile(r"\w=\w"),
    re.compile(r"outcome: \d"),
)
# Text set as code (<code>: a file name, a column name of the sender's file, a metric id on
# /definitions, the key `scorecard metrics export` and /api/metrics use) is meant to be read
# as code and is left out of the check (PROSE_JS). There are no other exceptions.
# The page's visible text less what is set as code: each <code>'s text is cut out of the
# body's innerText (longest first, so a short one never splits a longer one).
PROSE_JS = """() => {
  let text = document.body.innerText;
  const codes = [...document.querySelectorAll("code")].map((c) => c.innerText).filter(Boolean);
  codes.sort((a, b) => b.length - a.length);
  for (const c of codes) text = text.split(c).join(" ");
  return text;
}"""


def _axe_clean(pg: Page) -> None:
    assert_axe_clean(pg)
    assert pg.get_attribute("html", "lang") == "en-GB"


def codes_shown(text: str) -> list[str]:
    """Words in the page's text that look like codes."""
    return sorted({m.group(0) for p in CODE_PATTERNS for m in p.finditer(text)})


def test_code_patterns_catch_codes_and_allow_only_the_exceptions() -> None:
    shown = "sex: u/x team_type=non_specialist outcome: 14 plain words, e.g. 10.5% of 12"
    assert codes_shown(shown) == ["e=n", "non_specialist", "outcome: 1", "team_type"]
    # a metric id or a column name passes only when set as code (PROSE_JS cuts it out)
    assert codes_shown("rate.police_charge Days from report") == ["police_charge"]
    assert codes_shown("org_code matches the file name") == ["org_code"]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("path", PAGES)
def test_every_page_as_every_role(served: Served, page_as: PageAs, role: str, path: str) -> None:
    pg, log = page_as(role)
    pg.set_viewport_size(DESKTOP)
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
    # Whatever the role sees here - the page, its landing page or the refusal - reads as
    # words and fits a desktop and then a phone (the same page, resized: no second load).
    codes = codes_shown(pg.evaluate(PROSE_JS))
    assert_fits(pg, DESKTOP)
    assert_fits(pg, PHONE)
    assert codes == [], f"codes on screen at {pg.url}: {codes}"


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
    pg.click("#data-freshness summary")  # every sender, folded under the summary by extract
    fresh = pg.inner_text("#data-freshness")
    assert "Metropolitan Police Service" in fresh and labels.extract_kind("police_cases") in fresh
    rejected = pg.locator("#data-rejected")
    expect(rejected.locator("code", has_text="workforce__kent__2030-01-01.csv")).to_be_visible()
    # the failed rule as its sentence; the column it names is set as code
    assert "matches the file name" in rejected.inner_text()
    expect(rejected.locator("code", has_text="org_code").first).to_be_visible()
    link = pg.locator("#data-rejected a").first
    response = pg.request.get(served.url + (link.get_attribute("href") or ""))
    assert response.status == 200 and "org_code" in response.text()


def test_unknown_path_gives_a_clear_page(served: Served, page: tuple[Page, PageLog]) -> None:
    pg, _ = page
    pg.goto(served.url + "/no-such-page")
    pg.wait_for_selector("#main")
    assert "Traceback" not in pg.content()
