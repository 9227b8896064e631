"""`make demo`'s first run: a line per stage with an estimate from what was measured, the
sign-ins last in a box with the address, no line per request, and a port in use named
before any work. Cheap: the refresh is stood in for here; the real one runs in
tests/integration/test_pipeline_flow.py (which checks the same ending)."""

from __future__ import annotations

import io
import logging
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from accounts import appdb
from pipelines.progress import Step
from scorecard.settings import load_settings
from scorecard_app.demo import Progress, per_file_and_mb
from tests.helpers.demo import assert_ends_with_the_sign_in_box


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_the_estimate_is_fitted_to_the_files_measured_so_far() -> None:
    """Each file costs a fixed part and a part by size; small files after large ones must not
    be predicted from bytes alone (nor from a count alone)."""
    assert per_file_and_mb([]) is None
    a, b = per_file_and_mb([(1, 3.0, 5.0), (1, 1.0, 3.0)])  # 2 s a file + 1 s a MB
    assert (round(a, 6), round(b, 6)) == (2.0, 1.0)
    clock, out = Clock(), io.StringIO()
    shown = Progress(out, clock=clock, every=0)
    shown.refresh_step(Step("listing"))
    shown.refresh_step(Step("files", 0, 4, 0, 5_000_000))
    clock.now += 5
    shown.refresh_step(Step("files", 1, 4, 3_000_000, 5_000_000))
    clock.now += 3
    shown.refresh_step(Step("files", 2, 4, 4_000_000, 5_000_000))
    clock.now += 5
    shown.refresh_step(Step("files", 4, 4, 5_000_000, 5_000_000))
    shown.refresh_step(Step("build"))
    lines = out.getvalue().splitlines()
    assert "estimate after the first file" in lines[1]
    assert lines[3].endswith("files 2 of 4 (4.0 MB of 5.0 MB), about 5 s left")  # 2x2 + 1
    assert lines[4].startswith("[      13 s] refresh") and lines[4].endswith("done in 13 s")
    assert "no estimate" in lines[5]


def test_a_log_gets_a_line_per_stage_not_per_file() -> None:
    clock, out = Clock(), io.StringIO()
    shown = Progress(out, clock=clock, every=30)
    for done in range(0, 101):
        clock.now += 0.5
        shown.refresh_step(Step("files", done, 100, done, 100))
    assert len(out.getvalue().splitlines()) == 3  # the start, one at 30 s, the end


@pytest.fixture
def busy_port() -> Iterator[int]:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        yield taken.getsockname()[1]


def test_a_busy_port_is_named_before_any_work(
    home: Path, busy_port: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dashboard.devserver import PortError, check_port
    from scorecard_app import demo
    from scorecard_app.cli import app

    with pytest.raises(PortError, match=f"port {busy_port} on 127.0.0.1 is already in use"):
        check_port("127.0.0.1", busy_port)
    monkeypatch.setattr(demo, "quiet_logs", lambda: None)  # the test process keeps its logs
    monkeypatch.setenv("SCORECARD_DEMO", "")
    got = CliRunner().invoke(app, ["demo", "--port", str(busy_port)])
    assert got.exit_code == 2
    assert f"port {busy_port}" in got.output and "--port" in got.output
    landing = load_settings().landing_dir
    assert not landing.exists() or not any(landing.iterdir())  # nothing generated


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return int(r.status)
    except urllib.error.HTTPError as e:
        return int(e.code)


def test_the_demo_serves_without_access_lines_and_ends_with_the_sign_ins(
    home: Path,
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    import dashboard.data.snapshot as snapshot
    from dashboard import devserver
    from pipelines import runner
    from pipelines.flow import RunResult
    from scorecard_app import demo

    landing = load_settings().landing_dir
    landing.mkdir(parents=True)
    (landing / "workforce__kent__2026-09-30.csv").write_text("already generated\n")
    monkeypatch.setenv("SCORECARD_DEMO", "")  # run_demo sets it; undone after the test
    monkeypatch.setattr(runner, "run_refresh", lambda docs=True: RunResult("0" * 32, "succeeded"))
    idle = threading.Thread(target=lambda: None)
    idle.start()
    monkeypatch.setattr(demo, "_start_prefect_early", lambda: idle)
    real = devserver.dev_server
    codes: list[int] = []

    def visit_then_stop(server: object, url: str) -> None:
        try:
            time.sleep(0.5)  # serve_forever follows the box
            codes.extend([_get(url + "healthz"), _get(url), _get(url + "login")])
        finally:
            server.shutdown()  # type: ignore[attr-defined]

    def started(host: str, port: int, access_log: bool = True) -> object:
        """The real server, and a visitor who stops it (Dash builds its pages in the thread
        that makes the app, so the demo runs here and the visits in a thread)."""
        server = real(host, port, access_log=access_log)
        url = f"http://{host}:{port}/"
        threading.Thread(target=visit_then_stop, args=(server, url), daemon=True).start()
        return server

    monkeypatch.setattr(devserver, "dev_server", started)
    caplog.set_level(logging.INFO)  # Werkzeug logs each request at INFO: it must not ask
    appdb.dispose_all()
    port = _free_port()
    url = f"http://127.0.0.1:{port}/"
    try:
        assert demo.run_demo(port=port) == 0
    finally:
        snapshot._reader = None
        appdb.dispose_all()
    assert codes[0] == 200 and all(c < 500 for c in codes), codes
    captured = capfd.readouterr()
    assert "GET /" not in captured.out + captured.err + caplog.text  # no line per request
    assert_ends_with_the_sign_in_box(captured.out, url)
    assert "Ctrl+C" in captured.out
