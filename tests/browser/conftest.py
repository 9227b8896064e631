"""Browser tests: the real app on 127.0.0.1 over a snapshot built by the real flow, driven
by Debian's Chromium through Playwright (never `playwright install`), checked with axe."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.helpers.auth import PASSWORD, user_for
from tests.helpers.settings import TEST_KEY

CHROMIUM = os.environ.get("SCORECARD_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip
# Web-first assertions wait for a callback's redraw. Playwright's 5 s default is too short on
# the shared 2-CPU machines, where a redraw waits its turn for CPU (a compare-page redraw
# once took longer under load); a real failure still fails, just 20 s later.
expect.set_options(timeout=20_000)


@dataclass
class Served:
    url: str
    home: Path


@dataclass
class PageLog:
    console_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)


@pytest.fixture(scope="session")
def served(published_home: Path) -> Iterator[Served]:
    """Serve the app over the session's published home (tests/conftest.py) on a free port."""
    from werkzeug.serving import make_server

    from accounts import appdb

    mp = pytest.MonkeyPatch()
    mp.setenv("SCORECARD_HOME", str(published_home))
    mp.setenv("SCORECARD_PSEUDONYM_KEY", TEST_KEY)

    import dashboard.snapshot as snapshot
    from dashboard.app import create_app

    snapshot._reader = None
    appdb.dispose_all()
    server = make_server("127.0.0.1", 0, create_app().server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Served(url=f"http://127.0.0.1:{server.server_port}", home=published_home)
    finally:
        server.shutdown()
        snapshot._reader = None
        mp.undo()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}; .ci/run installs Debian's chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def sign_in(pg: object, served: Served, role: str) -> None:
    """Sign in through the login page, as a person would."""
    pg.goto(served.url + "/login")  # type: ignore[attr-defined]
    pg.fill("#username", user_for(role).username)  # type: ignore[attr-defined]
    pg.fill("#password", PASSWORD)  # type: ignore[attr-defined]
    with pg.expect_navigation():  # type: ignore[attr-defined]
        pg.click("button[type=submit]")  # type: ignore[attr-defined]
    assert "/login" not in pg.url, f"{role} could not sign in"  # type: ignore[attr-defined]


@pytest.fixture(scope="session")
def signed_in_states(browser: object, served: Served) -> dict[str, object]:
    """Each role's signed-in browser storage, made once per session through the login page."""
    states: dict[str, object] = {}
    for role in ("board", "pcc", "owner", "analyst", "admin"):
        context = browser.new_context()  # type: ignore[attr-defined]
        sign_in(context.new_page(), served, role)
        states[role] = context.storage_state()
        context.close()
    return states


def _logged_page(context: object) -> tuple[object, PageLog]:
    pg = context.new_page()  # type: ignore[attr-defined]
    log = PageLog()
    pg.on("console", lambda m: log.console_errors.append(m.text) if m.type == "error" else None)
    pg.on("requestfailed", lambda r: log.failed_requests.append(f"{r.url} {r.failure}"))
    pg.on(
        "response",
        lambda r: (
            log.failed_requests.append(f"{r.url} HTTP {r.status}") if r.status >= 400 else None
        ),
    )
    return pg, log


@pytest.fixture
def page_as(
    browser: object, signed_in_states: dict[str, object]
) -> Iterator[Callable[[str | None], tuple[object, PageLog]]]:
    """Factory: a fresh page signed in as a role (None: no session) that records console
    errors and failed requests."""
    contexts: list[object] = []

    def make(role: str | None) -> tuple[object, PageLog]:
        kwargs: dict[str, object] = {"accept_downloads": True}
        if role is not None:
            kwargs["storage_state"] = signed_in_states[role]
        context = browser.new_context(**kwargs)  # type: ignore[attr-defined]
        contexts.append(context)
        return _logged_page(context)

    yield make
    for c in contexts:
        c.close()  # type: ignore[attr-defined]


SCORECARD_ROLES = ("board", "pcc", "owner")


@pytest.fixture(params=SCORECARD_ROLES)
def page(
    request: pytest.FixtureRequest, page_as: Callable[[str | None], tuple[object, PageLog]]
) -> tuple[object, PageLog]:
    """A fresh page signed in, once per role that may see the scorecards: every scorecard
    test runs as a board member, a PCC and a recommendation owner."""
    return page_as(request.param)
