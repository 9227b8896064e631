"""The page log the browser tests assert on (tests/helpers/browser.py): a request the app
failed is a failure; a request the browser cut off because the test navigated away is not
(a reload once failed a test on a lazy favicon fetch)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Route

from tests.helpers.browser import logged_page

pytestmark = pytest.mark.browser

ORIGIN = "http://page-log.test"
PAGE_A = "<html lang='en'><body><h1>A</h1><script>fetch('/pending'); fetch('/refused')</script>"


def test_only_requests_cut_by_a_navigation_are_kept_apart(browser: Browser) -> None:
    context = browser.new_context()
    pg, log = logged_page(context)
    held: list[Route] = []

    def serve(route: Route) -> None:
        path = route.request.url.removeprefix(ORIGIN)
        if path == "/pending":
            held.append(route)  # never answered: pending until the page navigates away
        elif path == "/refused":
            route.abort("connectionrefused")
        elif path == "/missing":
            route.fulfill(status=404, body="no")
        else:
            route.fulfill(status=200, content_type="text/html", body=PAGE_A)

    try:
        pg.route(f"{ORIGIN}/**", serve)
        pg.goto(f"{ORIGIN}/a")
        assert pg.evaluate("() => fetch('/missing').then(r => r.status)") == 404
        pg.goto(f"{ORIGIN}/b")  # cuts off /pending
        assert held, "the pending request reached the route"
        # (a body still loading when the page moved on is cut off too; its 404 still counts)
        assert f"{ORIGIN}/pending net::ERR_ABORTED" in log.cut_by_navigation
        assert sorted(log.failed_requests) == [
            f"{ORIGIN}/missing HTTP 404",
            f"{ORIGIN}/refused net::ERR_CONNECTION_REFUSED",
        ]
    finally:
        context.close()
