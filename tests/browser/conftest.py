"""Browser tests: the real app on 127.0.0.1 over a snapshot built by the real flow, driven
by Debian's Chromium through Playwright (never `playwright install`), checked with axe."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("SCORECARD_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip


@dataclass
class Served:
    url: str
    home: Path


@dataclass
class PageLog:
    console_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)


@pytest.fixture(scope="session")
def served(tmp_path_factory: pytest.TempPathFactory, prefect_server: None) -> Iterator[Served]:
    """Generate a small national set, run the pipeline, serve the app on a free port."""
    from werkzeug.serving import make_server

    from pipelines.runtime import close_all
    from tests.conftest import TEST_KEY
    from tests.pipeline_helpers import fill_landing, generated, run

    mp = pytest.MonkeyPatch()
    home = tmp_path_factory.mktemp("browser-home")
    mp.setenv("SCORECARD_HOME", str(home))
    mp.setenv("SCORECARD_PSEUDONYM_KEY", TEST_KEY)
    landing = fill_landing(home, generated(tmp_path_factory.getbasetemp()))
    # One rejected extract, so the data page has a reason to show.
    bad = landing / "workforce__kent__2030-01-01.csv"
    shutil.copy2(next(landing.glob("workforce__kent__*")), bad)
    bad.write_text(bad.read_text().replace("kent", "surrey", 1))
    result = run(home)
    assert result.status == "partial", result.message
    close_all()

    import dashboard.snapshot as snapshot
    from dashboard.app import create_app

    snapshot._reader = None
    server = make_server("127.0.0.1", 0, create_app().server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Served(url=f"http://127.0.0.1:{server.server_port}", home=home)
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


@pytest.fixture
def page(browser: object) -> Iterator[tuple[object, PageLog]]:
    """A fresh page that records console errors and failed requests."""
    context = browser.new_context(accept_downloads=True)  # type: ignore[attr-defined]
    pg = context.new_page()
    log = PageLog()
    pg.on("console", lambda m: log.console_errors.append(m.text) if m.type == "error" else None)
    pg.on("requestfailed", lambda r: log.failed_requests.append(f"{r.url} {r.failure}"))
    pg.on(
        "response",
        lambda r: (
            log.failed_requests.append(f"{r.url} HTTP {r.status}") if r.status >= 400 else None
        ),
    )
    yield pg, log
    context.close()
