""" "Run now": it starts the entry-point package as its own process (the dashboard never
imports the pipeline: the layer contract in pyproject.toml), and a finished refresh is not
"already running", even when it is a zombie child of the worker that started it (gunicorn
never waits for it)."""

from __future__ import annotations

import json
import os
import signal
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
    message = refresh.start_refresh(load_settings(), by="ana")
    (args,) = seen
    assert args[:5] == [sys.executable, "-m", "scorecard_app", "etl", "run"]
    assert args[5] == "--result-file" and args[6].endswith(".result.json")
    assert "Refresh started" in message
    (launch,) = refresh.launches(load_settings())
    assert (launch.pid, launch.by) == (4242, "ana")
    assert launch.log_path.parent == tmp_path / "logs" / "refresh"


def test_the_module_it_spawns_is_the_scorecard_command() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "scorecard_app", "etl", "--help"],
        capture_output=True, text=True, check=True, timeout=120,
    )  # fmt: skip
    assert "run" in out.stdout and "status" in out.stdout


def _sleeping_refresh(monkeypatch: pytest.MonkeyPatch) -> list[subprocess.Popen[bytes]]:
    """Make start_refresh spawn a child that only sleeps (and looks like a refresh)."""
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    real_popen = subprocess.Popen
    started: list[subprocess.Popen[bytes]] = []

    def sleeper(argv: list[str], **kwargs: Any) -> subprocess.Popen[bytes]:
        code = "import time; time.sleep(60)"
        proc = real_popen([sys.executable, "-c", code, *argv[1:]], **kwargs)
        started.append(proc)
        return proc

    monkeypatch.setattr(refresh.subprocess, "Popen", sleeper)
    return started


def test_a_killed_refresh_is_reported_failed_and_run_now_works_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started = _sleeping_refresh(monkeypatch)
    settings = load_settings(tmp_path / "home")
    assert refresh.start_refresh(settings, by="ana").startswith("Refresh started")
    (launch,) = refresh.launches(settings)
    assert launch.state == "running"
    assert "already running" in refresh.start_refresh(settings)
    assert len(started) == 1
    os.kill(started[0].pid, signal.SIGKILL)  # killed, or the OOM killer: it writes nothing
    _wait_for_zombie(started[0].pid)
    (launch,) = refresh.launches(settings)
    assert launch.state == "failed" and launch.state_text == "Failed"
    assert "killed or crashed" in launch.summary
    assert refresh.start_refresh(settings).startswith("Refresh started")
    assert len(started) == 2
    started[1].kill()
    started[1].wait()


@pytest.mark.parametrize(
    ("exit_code", "state"), [(0, "succeeded"), (3, "partial"), (1, "failed"), (2, "failed")]
)
def test_a_finished_refresh_is_judged_by_its_exit_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, exit_code: int, state: str
) -> None:
    monkeypatch.setattr(refresh.subprocess, "Popen", lambda *a, **k: _Proc())
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    monkeypatch.setattr(refresh, "_alive", lambda pid: False)
    settings = load_settings(tmp_path / "home")
    refresh.start_refresh(settings)
    folder = refresh.launch_dir(settings)
    (record,) = [p for p in folder.glob("*.json")]
    (folder / f"{record.stem}.log").write_text("line one\nthe end\n")
    result = {
        "exit_code": exit_code,
        "summary": "3 new file(s)",
        "finished_at": "2026-04-01T02:31:00",
    }
    (folder / f"{record.stem}.result.json").write_text(json.dumps(result))
    (launch,) = refresh.launches(settings)
    assert launch.state == state
    assert launch.summary == "3 new file(s)"
    assert f"{launch.finished_at:%H:%M}" == "02:31"
    assert launch.log_tail().endswith("the end\n")


def test_the_log_tail_keeps_the_end_of_a_long_log(tmp_path: Path) -> None:
    log_path = tmp_path / "x.log"
    log_path.write_text("".join(f"line {i}\n" for i in range(10_000)))
    launch = refresh.Launch(
        "x", refresh.datetime(2026, 1, 1), None, 1, "failed", None, "", log_path
    )
    tail = launch.log_tail(max_bytes=100)
    assert tail.startswith("…\n") and tail.endswith("line 9999\n")
    assert len(tail) <= 102


def test_etl_run_writes_its_result_file_when_it_fails(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from scorecard_app.cli import app

    monkeypatch.delenv("SCORECARD_PSEUDONYM_KEY")
    out = home / "r.result.json"
    got = CliRunner().invoke(app, ["etl", "run", "--result-file", str(out)])
    assert got.exit_code == 1
    result = json.loads(out.read_text())
    assert result["exit_code"] == 1
    assert "SCORECARD_PSEUDONYM_KEY" in result["summary"]
