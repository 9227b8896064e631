"""Shared fixtures: an isolated data home per test, and a Prefect test server per session."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

# Isolate Prefect and GX before anything imports them: no server, no telemetry, no network.
_SESSION_TMP = Path(tempfile.mkdtemp(prefix="scorecard-tests-"))
os.environ.setdefault("PREFECT_HOME", str(_SESSION_TMP / "prefect"))
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_TO_API_ENABLED", "false")

TEST_KEY = "test-pseudonym-key-0123456789"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh SCORECARD_HOME with a pseudonym key set."""
    h = tmp_path / "home"
    h.mkdir()
    monkeypatch.setenv("SCORECARD_HOME", str(h))
    monkeypatch.setenv("SCORECARD_PSEUDONYM_KEY", TEST_KEY)
    monkeypatch.delenv("SCORECARD_CONFIG", raising=False)
    monkeypatch.delenv("SCORECARD_DEMO", raising=False)
    return h


@pytest.fixture(scope="session")
def prefect_server() -> Iterator[None]:
    """One temporary Prefect server for every test that runs a flow."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=90):
        yield
