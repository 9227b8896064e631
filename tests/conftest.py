"""Shared fixtures: an isolated data home per test, and a Prefect test server per session."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

# Isolate Prefect and GX before anything imports them: no server, no telemetry, no network.
_SESSION_TMP = Path(tempfile.mkdtemp(prefix="scorecard-tests-"))
os.environ.setdefault("PREFECT_HOME", str(_SESSION_TMP / "prefect"))
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_TO_API_ENABLED", "false")
# The dashboard refuses to start without a session-signing key; tests use a fixed one.
os.environ.setdefault("SCORECARD_SECRET_KEY", "test-session-signing-key-0123456789abcdef")
# Cheaper argon2 for the suite's many sign-ins (production keeps the library's defaults).
os.environ.setdefault("SCORECARD_ARGON2_TIME_COST", "1")
os.environ.setdefault("SCORECARD_ARGON2_MEMORY_KIB", "8192")

# The product's landing folder is outside the data home (scorecard/settings.py); the tests
# were written with it at <home>/landing, which SCORECARD_LANDING can still say (it follows
# SCORECARD_HOME as tests switch homes). tests/unit/test_private_files.py checks the default.
os.environ.setdefault("SCORECARD_LANDING", "${SCORECARD_HOME}/landing")

from tests.helpers.settings import TEST_KEY  # noqa: E402

if TYPE_CHECKING:
    from tests.helpers.pipeline import LoadedHome


def _use_home(monkeypatch: pytest.MonkeyPatch, h: Path) -> Path:
    """Make ``h`` this test's SCORECARD_HOME, with the test key and no config or demo mode."""
    monkeypatch.setenv("SCORECARD_HOME", str(h))
    monkeypatch.setenv("SCORECARD_PSEUDONYM_KEY", TEST_KEY)
    monkeypatch.delenv("SCORECARD_CONFIG", raising=False)
    monkeypatch.delenv("SCORECARD_DEMO", raising=False)
    return h


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh SCORECARD_HOME with a pseudonym key set."""
    h = tmp_path / "home"
    h.mkdir()
    return _use_home(monkeypatch, h)


@pytest.fixture(scope="session")
def prefect_server() -> Iterator[None]:
    """One temporary Prefect server for every test that runs a flow."""
    from prefect.testing.utilities import prefect_test_harness

    # Generous: on a shared, loaded machine the server has taken over 90 s to start.
    with prefect_test_harness(server_startup_timeout=300):
        yield


@pytest.fixture(scope="session")
def loaded_home(tmp_path_factory: pytest.TempPathFactory, prefect_server: None) -> LoadedHome:
    """The generated nation (every file valid) loaded and published ONCE per session by the
    real flow. Tests read it; a test that writes takes copy_home() of it (or loaded_copy)."""
    from pipelines.runtime import close_all
    from tests.helpers.pipeline import LoadedHome, fill_landing, generated, run

    files = generated(tmp_path_factory.getbasetemp())
    home = tmp_path_factory.mktemp("loaded-home")
    mp = pytest.MonkeyPatch()
    mp.setenv("SCORECARD_HOME", str(home))
    mp.setenv("SCORECARD_PSEUDONYM_KEY", TEST_KEY)
    mp.delenv("SCORECARD_CONFIG", raising=False)
    try:
        fill_landing(home, files)
        result = run(home)
        assert result.status == "succeeded", (result.message, result.files[:3])
        close_all()
    finally:
        mp.undo()
    return LoadedHome(path=home, files=files, result=result)


@pytest.fixture
def loaded_copy(loaded_home: LoadedHome, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A writable copy of the session's loaded home, set as SCORECARD_HOME for this test."""
    from tests.helpers.pipeline import copy_home

    return _use_home(monkeypatch, copy_home(loaded_home.path, tmp_path / "home"))


@pytest.fixture(scope="session")
def published_home(tmp_path_factory: pytest.TempPathFactory, loaded_home: LoadedHome) -> Path:
    """A data home with a published snapshot of a small national set (one extract rejected,
    so the data page has a reason to show), with a user for every role in its app database
    (tests.helpers.auth). A copy of the loaded home, then a real refresh of the bad file."""
    import shutil

    from pipelines.runtime import close_all
    from tests.helpers.auth import ensure_role_users
    from tests.helpers.pipeline import copy_home, run

    home = copy_home(loaded_home.path, tmp_path_factory.mktemp("published") / "home")
    mp = pytest.MonkeyPatch()
    mp.setenv("SCORECARD_HOME", str(home))
    mp.setenv("SCORECARD_PSEUDONYM_KEY", TEST_KEY)
    mp.delenv("SCORECARD_CONFIG", raising=False)
    try:
        landing = home / "landing"
        bad = landing / "workforce__kent__2030-01-01.csv"
        shutil.copy2(next(landing.glob("workforce__kent__*")), bad)
        bad.write_text(bad.read_text().replace("kent", "surrey", 1))
        result = run(home)
        assert result.status == "partial", result.message
        assert (result.new, result.rejected) == (1, 1), result.files
        close_all()
        ensure_role_users()
    finally:
        mp.undo()
    return home
