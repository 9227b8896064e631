"""Helpers shared by the browser tests (tests/browser): the served app, a page's log of
console errors and failed requests, signing in, opening a page, reading a figure card's
table alternative and CSV, axe, and web-first waits.

Web-first waits only: the app's CSP (no 'unsafe-eval') refuses the string predicates that
Playwright's `wait_for_function` evaluates in the page, and a fixed sleep is either too short
on the shared 2-CPU machines or wasted time everywhere else."""

from __future__ import annotations

import csv
import io
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import BrowserContext, Locator, Page, Request, Response, expect

from tests.helpers.auth import PASSWORD, user_for

CHROMIUM = os.environ.get("SCORECARD_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip
# Web-first assertions wait for a callback's redraw. Playwright's 5 s default is too short on
# the shared 2-CPU machines, where a redraw waits its turn for CPU (a compare-page redraw
# once took longer under load); a real failure still fails, just 20 s later.
EXPECT_TIMEOUT_MS = 20_000
# The roles that may open the scorecards (/, /area/*, /compare, /recommendations*).
SCORECARD_ROLES = ("board", "pcc", "owner")


@dataclass
class Served:
    url: str
    home: Path


@dataclass
class PageLog:
    console_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    # Requests the browser cancelled because the page navigated away before they finished
    # (e.g. a lazy favicon fetch when a test reloads the page): not the app's failures.
    cut_by_navigation: list[str] = field(default_factory=list)


def logged_page(context: BrowserContext) -> tuple[Page, PageLog]:
    """A new page in the context that records console errors and failed requests. A request
    aborted after a later navigation of the page started is kept apart (``cut_by_navigation``);
    any other failure, aborted or not, and any response of 400 or more is a failure."""
    pg = context.new_page()
    log = PageLog()
    navigations = [0]  # main-frame navigations started so far
    started: dict[Request, int] = {}  # each request -> the navigation count when it started

    def on_request(r: Request) -> None:
        if r.is_navigation_request() and r.frame == pg.main_frame:
            navigations[0] += 1
        started[r] = navigations[0]

    def on_failed(r: Request) -> None:
        text = f"{r.url} {r.failure}"
        if r.failure == "net::ERR_ABORTED" and started.get(r, navigations[0]) < navigations[0]:
            log.cut_by_navigation.append(text)
        else:
            log.failed_requests.append(text)

    pg.on("console", lambda m: log.console_errors.append(m.text) if m.type == "error" else None)
    pg.on("request", on_request)
    pg.on("requestfailed", on_failed)
    pg.on(
        "response",
        lambda r: (
            log.failed_requests.append(f"{r.url} HTTP {r.status}") if r.status >= 400 else None
        ),
    )
    return pg, log


def try_sign_in(pg: Page, served: Served, username: str, password: str) -> str:
    """Submit the login form as a person would; the address it ends on."""
    pg.goto(served.url + "/login")
    pg.fill("#username", username)
    pg.fill("#password", password)
    with pg.expect_navigation():
        pg.click("button[type=submit]")
    return str(pg.url)


def sign_in(pg: Page, served: Served, role: str) -> None:
    """Sign in as the role's test user through the login page."""
    url = try_sign_in(pg, served, user_for(role).username, PASSWORD)
    assert "/login" not in url, f"{role} could not sign in"


def open_page(pg: Page, served: Served, path: str) -> Response | None:
    """Go to the path and wait for its heading and for the network to settle (the first
    callbacks' redraws); the navigation's response."""
    resp = pg.goto(served.url + path)
    pg.wait_for_selector("#main h1")
    pg.wait_for_load_state("networkidle")
    return resp


def assert_only_its_own_404(pg: Page, log: PageLog, resp: Response | None) -> None:
    """A bad URL's friendly page answers 404 (issue 14), and that status is the page's only
    error: the browser logs it once as a failed resource, nothing else fails."""
    assert resp is not None and resp.status == 404
    assert log.failed_requests == [f"{pg.url} HTTP 404"]
    assert log.console_errors == [
        "Failed to load resource: the server responded with a status of 404 (NOT FOUND)"
    ]


def card(pg: Page, card_id: str) -> Locator:
    """A figure card, by its id (the section its title labels)."""
    return pg.locator(f'section[aria-labelledby="{card_id}-title"]')


def table_cells(pg: Page, card_id: str) -> list[list[str]]:
    """The card's table alternative (open or folded): header row then body rows, as text."""
    return (
        card(pg, card_id)
        .locator("table tr")
        .evaluate_all(
            "rows => rows.map(r => Array.from(r.querySelectorAll('th, td'))"
            ".map(c => c.textContent.trim()))"
        )
    )


def alt_table(pg: Page, card_id: str) -> list[list[str]]:
    """The card's table alternative inside its <details>, header then rows, whitespace
    collapsed."""
    rows = card(pg, card_id).locator("details table tr")
    return [
        [" ".join(c.split()) for c in rows.nth(i).locator("th, td").all_text_contents()]
        for i in range(rows.count())
    ]


def downloaded_csv(pg: Page, card_id: str) -> list[list[str]]:
    """Click the card's CSV button and parse what the browser saved."""
    button = card(pg, card_id).get_by_role("button", name="Download the figures")
    with pg.expect_download() as info:
        button.click()
    text = Path(info.value.path()).read_text(encoding="utf-8")
    return [[c.strip() for c in row] for row in csv.reader(io.StringIO(text))]


def pdf_text(body: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(body)).pages)


def assert_axe_clean(pg: Page) -> None:
    """No axe-core violations on the page as it is now (every rule axe runs, best practices
    included); the message names each rule and the nodes it failed on."""
    from axe_playwright_python.sync_playwright import Axe

    violations = Axe().run(pg).response["violations"]
    assert violations == [], [(v["id"], [n["target"] for n in v["nodes"]]) for v in violations]


def wait_text(pg: Page, selector: str, text: str) -> None:
    """Wait until the (first) element shows the text, then for the network to settle."""
    expect(pg.locator(selector).first).to_contain_text(text, use_inner_text=True)
    pg.wait_for_load_state("networkidle")


def url_has(pg: Page, text: str) -> None:
    """Wait until the address contains the text (a clientside callback rewrites it just after
    the redraw)."""
    expect(pg).to_have_url(re.compile(re.escape(text)))


# --- the headline scorecard (/ and /area/<force>) ---------------------------------------


def headline_in_first_viewport(
    pg: Page, served: Served, path: str, width: int, height: int
) -> dict:
    """Where the headline section and its tiles sit in the first screen of ``path`` opened
    at ``width`` x ``height`` (no scrolling). At 1440x900 every tile must be inside the first
    viewport; at 390x844 (one column of tiles) the headline section must start in the first
    screen with its first tile wholly visible - the rest follow as the reader scrolls."""
    pg.set_viewport_size({"width": width, "height": height})
    open_page(pg, served, path)  # a fresh load at this size (charts size to the window)
    return pg.evaluate(
        """() => {
          const h = document.querySelector('#headline').getBoundingClientRect();
          const t = [...document.querySelectorAll('#headline .headline-tile')]
            .map(e => e.getBoundingClientRect());
          return {top: h.top, tiles: t.length, firstBottom: t[0].bottom,
                  lastBottom: Math.max(...t.map(r => r.bottom)), innerHeight,
                  overflow: document.documentElement.scrollWidth - innerWidth};
        }"""
    )


def assert_headline_fits(pg: Page, served: Served, path: str, log: PageLog | None = None) -> None:
    """The headline fits both sizes; the page is then opened afresh at 1440x900 (with
    ``log`` emptied first, so it holds only that load: a size's load can cut short the last
    one's lazy script fetch, which the browser reports as aborted)."""
    wide = headline_in_first_viewport(pg, served, path, 1440, 900)
    assert 8 <= wide["tiles"] <= 12
    assert wide["lastBottom"] <= wide["innerHeight"], wide
    assert wide["overflow"] <= 0, wide
    phone = headline_in_first_viewport(pg, served, path, 390, 844)
    assert phone["top"] < phone["innerHeight"] and phone["firstBottom"] <= phone["innerHeight"]
    assert phone["overflow"] <= 0, phone
    pg.set_viewport_size({"width": 1440, "height": 900})
    if log is not None:
        log.console_errors.clear()
        log.failed_requests.clear()
    open_page(pg, served, path)


def spc_labels(pg: Page) -> list[str]:
    return pg.locator("#headline .tile-spc").all_inner_texts()


def open_fold(pg: Page, fold_id: str) -> None:
    pg.click(f"#{fold_id} > summary")
    expect(pg.locator(f"#{fold_id}")).to_have_attribute("open", "")


# --- fit: no sideways scrolling at a desktop and a phone size ---------------------------

# Issue 14's done-when: every page fits a desktop and a phone without sideways scrolling.
DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}


def assert_fits(pg: Page, size: dict[str, int]) -> None:
    """At this window size the page does not scroll sideways: its scroll width settles to its
    client width (a web-first wait: charts redraw for the new width just after a resize)."""
    pg.set_viewport_size(size)
    html = pg.locator("html")
    width = int(pg.evaluate("document.documentElement.clientWidth"))
    expect(html, f"page wider than {size['width']} px").to_have_js_property("scrollWidth", width)
    assert pg.evaluate("document.documentElement.scrollWidth <= innerWidth")


# --- the attrition view (national and area pages) ----------------------------------------

ATTRITION_STAGES = ["Recorded", "Referred to the CPS", "Charged", "Completed at court", "Convicted"]


def assert_attrition_view(pg: Page, view_id: str, sentence: str) -> list[list[str]]:
    """The attrition view is there with its sentence, chart and table (every stage; a court
    stage is a figure or "not yet sent", never zero), fits both sizes and is axe-clean."""
    view = pg.locator(f"#{view_id}")
    expect(view).to_contain_text(sentence)
    assert view.locator(".js-plotly-plot").count() == 1
    rows = [r for r in table_cells(pg, f"{view_id}-card") if r]
    assert [r[0] for r in rows[1:]] == ATTRITION_STAGES, rows
    for row in rows[1:]:
        assert all(
            c == "not yet sent" or c.endswith("%") or c.startswith("suppressed") for c in row[1::2]
        ), row
    for size in (PHONE, DESKTOP):
        assert_fits(pg, size)
    assert_axe_clean(pg)
    return rows
