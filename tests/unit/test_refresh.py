"""The "run now" button starts the entry-point package as its own process: the dashboard
never imports the pipeline (the layer contract in pyproject.toml), so this command line is the
only link."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from dashboard import refresh
from scorecard.settings import load_settings


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
