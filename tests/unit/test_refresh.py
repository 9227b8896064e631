""" "Run now": it starts the entry-point package as its own process (the dashboard never
imports the pipeline: the layer contract in pyproject.toml), and a finished refresh is not
"already running", even when it is a zombie child of the worker that started it (gunicorn
never waits for it)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from dashboard import refresh
from scorecard.settings import load_settings


def _wait_for_zombie(pid: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while refresh._state(pid) != "Z":
        assert time.monotonic() < deadline, f"process {pid} did not exit"
        time.sleep(0.05)


def test_an_exited_child_is_not_running(tmp_path: Path) -> None:
    child = subprocess.Popen([sys.executable, "-c", "pass", "scorecard_app", "etl"])
    _wait_for_zombie(child.pid)  # exited, not waited for: what a gunicorn worker holds
    pid_file = tmp_path / "refresh.pid"
    pid_file.write_text(str(child.pid))
    assert not refresh._running(pid_file)
    assert refresh._state(child.pid) is None  # and it has been reaped


def test_a_live_refresh_is_running_and_another_process_is_not(tmp_path: Path) -> None:
    pid_file = tmp_path / "refresh.pid"
    child = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(60)", "scorecard_app", "etl"]
    )
    try:
        pid_file.write_text(str(child.pid))
        assert refresh._running(pid_file)
    finally:
        child.kill()
        child.wait()
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:  # a pid reused by something that is not a refresh
        pid_file.write_text(str(other.pid))
        assert not refresh._running(pid_file)
    finally:
        other.kill()
        other.wait()


def test_run_now_starts_again_after_the_last_refresh_exited(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    real_popen = subprocess.Popen
    started: list[subprocess.Popen[bytes]] = []

    def quick_refresh(argv: list[str], **kwargs: Any) -> subprocess.Popen[bytes]:
        proc = real_popen([sys.executable, "-c", "pass", *argv[1:]], **kwargs)
        started.append(proc)
        return proc

    monkeypatch.setattr(refresh.subprocess, "Popen", quick_refresh)
    settings = load_settings(tmp_path / "home")
    assert refresh.start_refresh(settings).startswith("Refresh started")
    _wait_for_zombie(started[0].pid)
    assert refresh.start_refresh(settings).startswith("Refresh started")
    assert len(started) == 2
    started[1].wait()


class _Proc:
    pid = 4242


def test_run_now_spawns_the_cli_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    monkeypatch.setenv("SCORECARD_HOME", str(tmp_path))
    seen: list[list[str]] = []

    def popen(args: list[str], **_: Any) -> _Proc:
        seen.append(args)
        return _Proc()

    monkeypatch.setattr(subprocess, "Popen", popen)
    message = refresh.start_refresh(load_settings())
    assert seen == [[sys.executable, "-m", "scorecard_app", "etl", "run"]]
    assert "Refresh started" in message
    assert (tmp_path / "logs" / "refresh.pid").read_text() == "4242"


def test_the_module_it_spawns_is_the_scorecard_command() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "scorecard_app", "etl", "--help"],
        capture_output=True, text=True, check=True, timeout=120,
    )  # fmt: skip
    assert "run" in out.stdout and "status" in out.stdout
