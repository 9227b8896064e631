"""``make demo``'s path end to end: the refresh runs in the serving process first, then the
dashboard serves from that same process. "Run now" on /data must start a refresh that really
runs (the serving process no longer holds the warehouse's write lock), show it on the page
when it ends, allow the next click, and report a killed refresh as failed.
``scorecard etl status`` must work meanwhile. Cheap: a copy of the session's loaded home,
where a refresh finds nothing new."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.helpers.browser import Served, sign_in

ROOT = Path(__file__).resolve().parents[2]
RUN_TIMEOUT_MS = 300_000  # a nothing-new refresh, Prefect's temporary server included


def _etl_status(home: Path) -> subprocess.CompletedProcess[str]:
    env = os.environ | {"SCORECARD_HOME": str(home), "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "scorecard_app", "etl", "status"],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=120,
    )  # fmt: skip


@pytest.fixture
def demo_served(loaded_copy: Path) -> Iterator[Served]:
    """As ``scorecard demo`` does: refresh in this process, then serve from it."""
    from werkzeug.serving import make_server

    import dashboard.data.snapshot as snapshot
    from accounts import appdb
    from pipelines.runner import run_refresh
    from tests.helpers.auth import ensure_role_users

    result = run_refresh()
    assert result.status == "succeeded" and result.new == 0, result.message
    appdb.dispose_all()
    ensure_role_users()
    snapshot._reader = None
    from dashboard.app import create_app

    server = make_server("127.0.0.1", 0, create_app().server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Served(url=f"http://127.0.0.1:{server.server_port}", home=loaded_copy)
    finally:
        server.shutdown()
        snapshot._reader = None
        for record in (loaded_copy / "logs" / "refresh").glob("*.json"):
            if not record.name.endswith(".result.json"):
                pid = json.loads(record.read_text())["pid"]
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(pid, signal.SIGKILL)


def _rows(pg: Page) -> int:
    return pg.locator("#data-launches-table tbody tr").count()


def _newest_state(pg: Page) -> str:
    cell = pg.locator("#data-launches-table tbody tr").first.locator("td[data-state]")
    return str(cell.get_attribute("data-state"))


def _run_now(pg: Page, rows_before: int) -> None:
    pg.click("#data-run-now")
    expect(pg.locator("#data-run-status")).to_contain_text("Refresh started")
    expect(pg.locator("#data-launches-table tbody tr")).to_have_count(rows_before + 1)


def test_run_now_in_demo_mode_runs_shows_the_run_and_allows_the_next(
    demo_served: Served, browser: Browser
) -> None:
    home = demo_served.home
    status = _etl_status(home)  # the app serves from this process: no lock, no traceback
    assert status.returncode == 0, status.stderr[-2000:]
    assert "Freshness by sender" in status.stdout and "Traceback" not in status.stderr

    context = browser.new_context(viewport={"width": 1440, "height": 900})
    try:
        pg = context.new_page()
        sign_in(pg, demo_served, "analyst")
        pg.goto(demo_served.url + "/data")
        expect(pg.locator("#data-run-now")).to_be_visible()
        assert pg.locator("#data-launches-table").count() == 0

        # 1. run now -> it really runs -> it appears on /data as finished, not failed.
        _run_now(pg, 0)
        newest = pg.locator("#data-launches-table tbody tr").first
        expect(newest.locator("td[data-state]")).not_to_have_attribute(
            "data-state", "running", timeout=RUN_TIMEOUT_MS
        )
        log_text = newest.locator("pre").inner_text()
        assert _newest_state(pg) == "succeeded", log_text[-2000:]
        expect(newest).to_contain_text("0 new file(s)")
        newest.locator("summary").click()  # the log opens
        expect(newest.locator("pre")).to_be_visible()

        # 2. the button works again; while that refresh runs, etl status still works.
        _run_now(pg, 1)
        assert _newest_state(pg) == "running"
        status = _etl_status(home)
        assert status.returncode == 0, status.stderr[-2000:]

        # 3. kill it: reported as failed, and the next click is allowed.
        records = sorted(
            r
            for r in (home / "logs" / "refresh").glob("*.json")
            if not r.name.endswith(".result.json")
        )
        pid = json.loads(records[-1].read_text())["pid"]
        os.killpg(pid, signal.SIGKILL)
        newest = pg.locator("#data-launches-table tbody tr").first
        expect(newest.locator("td[data-state]")).to_have_attribute(
            "data-state", "failed", timeout=60_000
        )
        expect(newest).to_contain_text("killed or crashed")
        _run_now(pg, 2)
        pg.reload()
        expect(pg.locator("#data-launches-table tbody tr")).to_have_count(3)
    finally:
        context.close()
