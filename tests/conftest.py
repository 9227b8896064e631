"""Shared fixtures: an isolated data home per test, and a Prefect test server per session."""

from __future__ import annotations

import dataclasses
import os
import pickle
import tempfile
from collections.abc import Callable, Iterator
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
    from playwright.sync_api import Browser

    from tests.helpers.pipeline import LoadedHome


def _use_home(monkeypatch: pytest.MonkeyPatch, h: Path) -> Path:
    """Make ``h`` this test's SCORECARD_HOME, with the test key and no config or demo mode."""
    monkeypatch.setenv("SCORECARD_HOME", str(h))
    monkeypatch.setenv("SCORECARD_PSEUDONYM_KEY", TEST_KEY)
    monkeypatch.delenv("SCORECARD_CONFIG", raising=False)
    monkeypatch.delenv("SCORECARD_DEMO", raising=False)
    return h


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Most expensive modules first (tests/helpers/schedule.py), each module's tests together.
    `make test` runs two pytest-xdist workers with ``--dist loadscope --no-loadscope-reorder``:
    each test module goes whole to one worker, so its module fixtures are made once, and the
    workers take modules in this order as they run dry (longest first, so neither worker is
    left alone with a long module at the end).

    Not ``--dist loadgroup``: pytest-xdist 3.8 names a group by rewriting ``item._nodeid``,
    which pytest 9.2 no longer reads (it keeps ``_id``), so every test became its own group
    and modules were split across workers, their module fixtures made twice
    (tests/unit/test_suite_layout.py checks the distribution)."""
    from tests.helpers.schedule import cost_order, module_of

    place = cost_order(item.nodeid for item in items)
    items.sort(key=lambda item: place[module_of(item.nodeid)])


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


def _shared_home(
    tmp_path_factory: pytest.TempPathFactory, name: str, make: Callable[[Path], object]
) -> tuple[Path, object]:
    """A data home made once per test run by ``make(home)`` (with that home as SCORECARD_HOME
    and the test key), and this worker's own copy of it with what ``make`` returned. Under
    pytest-xdist the first worker to ask makes it and the other copies it
    (tests/helpers/shared.py); alone, the copy is a cheap insurance that nothing writes the
    made home."""
    from accounts import appdb
    from pipelines.runtime import close_all
    from tests.helpers.pipeline import copy_home
    from tests.helpers.shared import once, run_root

    root = run_root(tmp_path_factory.getbasetemp())
    made_at = root / f"{name}.partial"  # where make() ran (once() renames it when done)
    answer = root / f"{name}.answer.pkl"

    def build(home: Path) -> None:
        mp = pytest.MonkeyPatch()
        try:
            _use_home(mp, home)
            answer.write_bytes(pickle.dumps(make(home)))
            close_all()
            appdb.dispose_all()  # its engines name the folder about to be renamed
        finally:
            mp.undo()

    source = once(root, name, build)
    own = copy_home(source, tmp_path_factory.mktemp(name) / "home")
    got = pickle.loads(answer.read_bytes())
    if dataclasses.is_dataclass(got):  # a RunResult: its paths name the home it ran in
        fields = {
            f.name: (v.replace(str(made_at), str(own)) if isinstance(v, str) else v)
            for f in dataclasses.fields(got)
            for v in [getattr(got, f.name)]
        }
        got = type(got)(**fields)  # type: ignore[misc]
    return own, got


@pytest.fixture(scope="session")
def loaded_home(tmp_path_factory: pytest.TempPathFactory, prefect_server: None) -> LoadedHome:
    """The generated nation (every file valid) loaded and published ONCE per test run by the
    real flow. Tests read it; a test that writes takes copy_home() of it (or loaded_copy)."""
    from tests.helpers.pipeline import LoadedHome, fill_landing, generated, run

    files = generated(tmp_path_factory.getbasetemp())

    def make(home: Path) -> object:
        fill_landing(home, files)
        result = run(home)
        assert result.status == "succeeded", (result.message, result.files[:3])
        return result

    home, result = _shared_home(tmp_path_factory, "loaded-home", make)
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

    from tests.helpers.auth import ensure_role_users
    from tests.helpers.pipeline import run

    def make(home: Path) -> None:
        shutil.copytree(loaded_home.path, home, symlinks=True, dirs_exist_ok=True)
        landing = home / "landing"
        bad = landing / "workforce__kent__2030-01-01.csv"
        shutil.copy2(next(landing.glob("workforce__kent__*")), bad)
        bad.write_text(bad.read_text().replace("kent", "surrey", 1))
        result = run(home)
        assert result.status == "partial", result.message
        assert (result.new, result.rejected) == (1, 1), result.files
        ensure_role_users()

    home, _ = _shared_home(tmp_path_factory, "published-home", make)
    return home


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One Chromium per worker (Debian's, driven by Playwright): a second sync_playwright in
    the same process fails while this one runs, so every test that needs a browser takes it."""
    from playwright.sync_api import expect

    from tests.helpers.browser import CHROMIUM, CHROMIUM_ARGS, EXPECT_TIMEOUT_MS

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}; .ci/run installs Debian's chromium")
    from playwright.sync_api import sync_playwright

    expect.set_options(timeout=EXPECT_TIMEOUT_MS)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()
