"""Browser tests: the real app on 127.0.0.1 over a snapshot built by the real flow, driven
by Debian's Chromium through Playwright (never `playwright install`), checked with axe.
Fixtures only; the helpers the tests share are in tests/helpers/browser.py."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from tests.helpers.auth import ROLES
from tests.helpers.browser import (
    PageLog,
    Served,
    logged_page,
    sign_in,
)
from tests.helpers.settings import TEST_KEY


@pytest.fixture(scope="session")
def served(published_home: Path) -> Iterator[Served]:
    """Serve the app over the session's published home (tests/conftest.py) on a free port."""
    from werkzeug.serving import make_server

    from accounts import appdb

    mp = pytest.MonkeyPatch()
    mp.setenv("SCORECARD_HOME", str(published_home))
    mp.setenv("SCORECARD_PSEUDONYM_KEY", TEST_KEY)

    import dashboard.data.snapshot as snapshot
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
def signed_in_states(browser: Browser, served: Served) -> dict[str, Any]:
    """Each role's signed-in browser storage, made once per session through the login page."""
    states: dict[str, Any] = {}
    for role in ROLES:
        context = browser.new_context()
        sign_in(context.new_page(), served, role)
        states[role] = context.storage_state()
        context.close()
    return states


@pytest.fixture
def page_as(
    browser: Browser, signed_in_states: dict[str, Any]
) -> Iterator[Callable[[str | None], tuple[Page, PageLog]]]:
    """Factory: a fresh page signed in as a role (None: no session) that records console
    errors and failed requests."""
    contexts: list[BrowserContext] = []

    def make(role: str | None) -> tuple[Page, PageLog]:
        context = browser.new_context(
            accept_downloads=True,
            storage_state=signed_in_states[role] if role is not None else None,
        )
        contexts.append(context)
        return logged_page(context)

    yield make
    for c in contexts:
        c.close()


@pytest.fixture
def page(page_as: Callable[[str | None], tuple[Page, PageLog]]) -> tuple[Page, PageLog]:
    """A fresh page signed in as a board member. The scorecard pages are the same for the
    three roles that may open them (board, PCC, owner), so interaction tests run once;
    every page as every role is tests/browser/test_pages.py, and the one thing a role
    changes on a scorecard page (the owner's update form) has its own tests in
    test_recommendations.py."""
    return page_as("board")
