"""Crash safety and no raw identifiers in the data home.

A real `scorecard etl run` is SIGKILLed at each named point (pipelines.killpoints): while
listing, inside a load, between files, around the build and inside publish. After each kill
the next run must leave the live snapshot equal to a clean run's, and to the warehouse. The
twenty random kills of the old test stay as an opt-in soak (SCORECARD_SOAK=1).
"""

from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from pipelines import killpoints
from pipelines.publish import current_snapshot, prune
from pipelines.runtime import close_all
from scorecard.settings import load_settings
from tests.helpers.pipeline import copy_home, generated, mart_digest, run
from tests.helpers.settings import TEST_KEY

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("prefect_server")]

# A cut of the nation that still exercises every kind and the police-CPS link.
SUBSET = (
    "police_cases__metropolitan__", "police_cases__city_of_london__",
    "cps_cases__cps_london_north__", "cps_action_plans__cps_london_north__",
    "workforce__metropolitan__", "recommendation_updates__metropolitan__",
    "recommendation_updates__home_office__",
)  # fmt: skip
PROGRESS = re.compile(r"\[(\d+)/(\d+)\]")
# Where the refresh is killed: every named point, the in-file ones on the 2nd file.
KILLS = [p if p in {"listed"} or p.startswith(("build", "publish")) else f"{p}@2"
         for p in killpoints.POINTS]  # fmt: skip
PUBLISHED_BEFORE_KILL = {"publish:switched"}  # the new snapshot is already live


@pytest.fixture(autouse=True)
def _close_connections() -> Iterator[None]:
    yield
    close_all()


def _subset_landing(home: Path, files: Path) -> Path:
    landing = home / "landing"
    landing.mkdir(parents=True)
    for f in sorted(files.iterdir()):
        if f.name.startswith(SUBSET):
            (landing / f.name).write_bytes(f.read_bytes())
    return landing


def _add_vintage(landing: Path, files: Path, day: int) -> int:
    """The subset again as a later snapshot (as_at + day); a trailing blank line makes the
    bytes new without changing the data. Returns the number of files added."""
    n = 0
    for f in sorted(files.iterdir()):
        if f.name.startswith(SUBSET):
            kind, org, as_at = f.stem.split("__")
            later = date.fromisoformat(as_at) + timedelta(days=day)
            (landing / f"{kind}__{org}__{later}.csv").write_bytes(f.read_bytes() + b"\n" * day)
            n += 1
    return n


def _raw_state(home: Path) -> list[tuple]:
    with duckdb.connect(str(load_settings(home).warehouse_path), read_only=True) as con:
        return con.execute(
            "SELECT kind, org_code, as_at, row_count, is_current FROM raw.extracts "
            "ORDER BY kind, org_code, as_at"
        ).fetchall()


def _cli_env(home: Path, **extra: str) -> dict[str, str]:
    from prefect.settings import PREFECT_API_URL

    return os.environ | {
        "SCORECARD_HOME": str(home),
        "SCORECARD_PSEUDONYM_KEY": TEST_KEY,
        "PREFECT_API_URL": str(PREFECT_API_URL.value()),
        **extra,
    }


def _run_killed_at(home: Path, point: str, **env: str) -> subprocess.CompletedProcess[str]:
    """`scorecard etl run` (this tree, via sys.executable) told to SIGKILL itself at point."""
    return subprocess.run(
        [sys.executable, "-m", "scorecard_app", "etl", "run"],
        env=_cli_env(home, **{killpoints.ENV: point}, **env),
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip


@dataclass(frozen=True)
class Subset:
    base: Path  # the subset loaded and published once
    files: Path
    clean_raw: list[tuple]  # after a clean run of the base plus vintage 1
    clean_marts: dict[str, str]


@pytest.fixture(scope="module")
def subset(tmp_path_factory: pytest.TempPathFactory, prefect_server: None) -> Iterator[Subset]:
    """The subset loaded once (the base every kill starts from), and the clean result of
    loading one more vintage on a copy of it: what every killed-then-recovered home must
    equal."""
    files = generated(tmp_path_factory.getbasetemp())
    root = tmp_path_factory.mktemp("kill")
    mp = pytest.MonkeyPatch()
    mp.setenv("SCORECARD_PSEUDONYM_KEY", TEST_KEY)
    mp.delenv("SCORECARD_CONFIG", raising=False)
    try:
        base = root / "base"
        _subset_landing(base, files)
        mp.setenv("SCORECARD_HOME", str(base))
        assert run(base).status == "succeeded"
        clean = copy_home(base, root / "clean")
        _add_vintage(clean / "landing", files, 1)
        mp.setenv("SCORECARD_HOME", str(clean))
        assert run(clean).status == "succeeded"
        close_all()
        snap = current_snapshot(load_settings(clean).snapshots_dir)
        assert snap is not None
        yield Subset(base, files, _raw_state(clean), mart_digest(snap))
    finally:
        mp.undo()


@pytest.mark.parametrize("point", KILLS)
def test_sigkill_at_each_named_point_then_the_next_run_publishes_a_clean_runs_marts(
    subset: Subset, point: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = copy_home(subset.base, tmp_path / "home")
    snaps = load_settings(home).snapshots_dir
    before = current_snapshot(snaps)
    _add_vintage(home / "landing", subset.files, 1)

    killed = _run_killed_at(home, point)
    assert killed.returncode == -signal.SIGKILL, f"not killed at {point}:\n{killed.stdout}"
    if point == "publish:writing":
        assert list(snaps.glob(".snapshot-*.tmp")), "the kill left no half-written snapshot"
    live_after_kill = current_snapshot(snaps)
    assert (live_after_kill != before) == (point in PUBLISHED_BEFORE_KILL)

    monkeypatch.setenv("SCORECARD_HOME", str(home))
    monkeypatch.setenv("SCORECARD_PSEUDONYM_KEY", TEST_KEY)
    monkeypatch.delenv("SCORECARD_CONFIG", raising=False)
    again = run(home)
    assert again.status == "succeeded", again.message
    assert again.rejected == 0
    if point in PUBLISHED_BEFORE_KILL:
        assert again.snapshot is None, "the killed run's snapshot was live: nothing to redo"
    else:
        assert again.snapshot, f"after a kill at {point} the next run published nothing"
    close_all()

    live = current_snapshot(snaps)
    assert live is not None
    assert _raw_state(home) == subset.clean_raw
    assert mart_digest(live) == subset.clean_marts, "the live snapshot differs from a clean run"
    assert mart_digest(load_settings(home).warehouse_path) == subset.clean_marts
    assert not list(snaps.glob(".snapshot-*.tmp*")), "a killed publish's temporary file is left"
    with duckdb.connect(str(load_settings(home).warehouse_path), read_only=True) as con:
        runs = con.execute("SELECT run_id, status, snapshot FROM meta.runs").fetchall()
    with duckdb.connect(str(live), read_only=True) as con:
        live_run = con.execute("SELECT run_id FROM meta.snapshot").fetchone()[0]
    assert not [r for r in runs if r[1] == "running"]
    named = {r[2] for r in runs if r[2]}
    assert live.name in named
    # Every snapshot a run claims either exists or was pruned in order (older than kept).
    kept = sorted(p.name for p in snaps.glob("snapshot-*.duckdb"))
    assert all(n in kept or n < kept[0] for n in named), (named, kept)
    by_id = {r[0]: r for r in runs}
    assert by_id[live_run][1] == "succeeded" and by_id[live_run][2] == live.name


def test_a_killed_publish_leaves_no_temporary_file_behind(tmp_path: Path) -> None:
    """Temporary snapshots whose writer died (or that carry no pid, from older code) are
    pruned; one a live process is writing is kept."""
    dead = subprocess.Popen(["true"])
    dead.wait()
    alive = subprocess.Popen(["sleep", "60"])
    try:
        stale = [
            tmp_path / f".snapshot-20240101T000000000000-aaaaaaaa.duckdb.{dead.pid}.tmp",
            tmp_path / f".snapshot-20240101T000000000000-aaaaaaaa.duckdb.{dead.pid}.tmp.wal",
            tmp_path / ".snapshot-20240102T000000000000-bbbbbbbb.duckdb.tmp",
            tmp_path / ".snapshot-20240102T000000000000-bbbbbbbb.duckdb.tmp.wal",
        ]
        live = tmp_path / f".snapshot-20240103T000000000000-cccccccc.duckdb.{alive.pid}.tmp"
        for p in [*stale, live]:
            p.write_bytes(b"x")
        prune(tmp_path)
        assert [p for p in stale if p.exists()] == []
        assert live.exists(), "the file a live publish is writing was removed"
    finally:
        alive.kill()
        alive.wait()


def _prefect_servers_of(prefect_home: Path) -> list[int]:
    """Pids of temporary Prefect servers (uvicorn) started with this PREFECT_HOME."""
    found = []
    marker = f"PREFECT_HOME={prefect_home}".encode()
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            cmd = (proc / "cmdline").read_bytes()
            env = (proc / "environ").read_bytes()
        except OSError:
            continue
        if b"uvicorn" in cmd and marker in env.split(b"\0"):
            found.append(int(proc.name))
    return found


def test_a_killed_refresh_leaves_no_temporary_prefect_server(
    subset: Subset, tmp_path: Path
) -> None:
    """Without PREFECT_API_URL `scorecard etl run` starts Prefect's temporary server; when the
    refresh is SIGKILLed the server must stop too (it used to run on under PID 1)."""
    home = copy_home(subset.base, tmp_path / "home")
    prefect_home = tmp_path / "prefect"
    env = {k: v for k, v in _cli_env(home).items() if k != "PREFECT_API_URL"}
    env |= {"PREFECT_HOME": str(prefect_home), killpoints.ENV: "listed"}
    out = tmp_path / "etl-run.log"  # a file, not a pipe: an orphaned server would hold a pipe
    with out.open("wb") as log:
        got = subprocess.run(
            [sys.executable, "-m", "scorecard_app", "etl", "run"],
            env=env, stdout=log, stderr=subprocess.STDOUT, timeout=300, check=False,
        )  # fmt: skip
    try:
        assert got.returncode == -signal.SIGKILL, out.read_text()
        deadline = time.monotonic() + 20
        while _prefect_servers_of(prefect_home) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert _prefect_servers_of(prefect_home) == [], "the temporary server outlived it"
    finally:
        for pid in _prefect_servers_of(prefect_home):  # only the ones this test started
            os.kill(pid, signal.SIGKILL)


def _run_and_kill(home: Path, api_url: str, kill_after: int, jitter: float) -> int | None:
    """Start `scorecard etl run`; SIGKILL it once it reports ``kill_after`` files done."""
    env = os.environ | {
        "SCORECARD_HOME": str(home),
        "SCORECARD_PSEUDONYM_KEY": TEST_KEY,
        "PREFECT_API_URL": api_url,
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "scorecard_app", "etl", "run"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    done = threading.Event()

    def watch() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            m = PROGRESS.search(line)
            if (m and int(m[1]) >= kill_after) or (kill_after == 0 and "listed" in line):
                done.set()
        done.set()

    threading.Thread(target=watch, daemon=True).start()
    done.wait(timeout=240)
    time.sleep(jitter)
    if proc.poll() is None:
        proc.send_signal(signal.SIGKILL)
    return proc.wait(timeout=60)


@pytest.mark.soak
@pytest.mark.skipif(os.environ.get("SCORECARD_SOAK") != "1", reason="soak: SCORECARD_SOAK=1")
def test_soak_sigkill_twenty_times_at_random_then_a_run_equals_a_clean_run(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Twenty refreshes, each with a new vintage of extracts to load, each SIGKILLed at a
    random point (before, during or after the loads); then one run completes, and the
    warehouse and marts equal a clean run over the same files."""
    from prefect.settings import PREFECT_API_URL

    files = generated(tmp_path_factory.getbasetemp())
    monkeypatch.setenv("SCORECARD_PSEUDONYM_KEY", TEST_KEY)
    clean, crashed = tmp_path / "clean", tmp_path / "crashed"
    (clean / "landing").mkdir(parents=True)
    (crashed / "landing").mkdir(parents=True)

    rng = random.Random(20)
    api_url = str(PREFECT_API_URL.value())
    killed = 0
    for day in range(1, 21):
        n = _add_vintage(crashed / "landing", files, day)
        _add_vintage(clean / "landing", files, day)
        code = _run_and_kill(crashed, api_url, rng.randint(0, n), rng.uniform(0, 0.5))
        killed += code == -signal.SIGKILL
    assert killed >= 15, f"only {killed} of 20 runs were killed before finishing"

    monkeypatch.setenv("SCORECARD_HOME", str(crashed))
    final = run(crashed)
    assert final.status == "succeeded", final.message
    assert final.rejected == 0
    close_all()
    monkeypatch.setenv("SCORECARD_HOME", str(clean))
    assert run(clean).status == "succeeded"
    close_all()
    assert _raw_state(crashed) == _raw_state(clean)
    assert len(_raw_state(clean)) == 20 * len(SUBSET)
    assert mart_digest(current_snapshot(load_settings(crashed).snapshots_dir)) == mart_digest(
        current_snapshot(load_settings(clean).snapshots_dir)
    )


ID_COLUMNS = {"police_cases": ("crime_ref", "cps_urn"), "cps_cases": ("urn", "crime_ref"),
              "cps_action_plans": ("urn",)}  # fmt: skip
TOKEN = re.compile(rb"[A-Za-z0-9/]{6,40}")


def _raw_identifiers(files: Path) -> set[str]:
    ids: set[str] = set()
    for kind, cols in ID_COLUMNS.items():
        for f in files.glob(f"{kind}__*.csv"):
            frame = pd.read_csv(f, dtype=str, keep_default_na=False, usecols=list(cols))
            for c in cols:
                ids.update(v for v in frame[c] if v)
    return ids


def test_no_raw_identifier_anywhere_under_the_data_home(
    subset: Subset, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Everything a refresh wrote - the subset's loaded base (warehouse, snapshot, ledger,
    Data Docs) and a second run that rejects a file - holds no raw identifier."""
    files = subset.files
    home = copy_home(subset.base, tmp_path / "home")
    monkeypatch.setenv("SCORECARD_HOME", str(home))
    monkeypatch.setenv("SCORECARD_PSEUDONYM_KEY", TEST_KEY)
    monkeypatch.delenv("SCORECARD_CONFIG", raising=False)
    landing = home / "landing"
    # One rejected file too: reports and ledgers must not echo its identifiers either.
    bad = landing / "police_cases__metropolitan__2030-01-01.csv"
    text = next(landing.glob("police_cases__metropolitan__*")).read_text()
    bad.write_text(text.replace("19C", "19X", 3))
    result = run(home)
    assert (result.rejected, result.loaded) == (1, 0), result.files
    close_all()
    ids = _raw_identifiers(files)
    assert len(ids) > 1000

    # 1. Bytes: no identifier appears as a token in any file the system wrote.
    scanned = 0
    for path in home.rglob("*"):
        if not path.is_file() or landing in path.parents:
            continue
        scanned += 1
        found = {t.decode() for t in TOKEN.findall(path.read_bytes())} & ids
        assert not found, f"raw identifier(s) in {path.relative_to(home)}"
    assert scanned > 5

    # 2. Values: no VARCHAR column of any table in the warehouse or snapshot holds one.
    id_frame = pd.DataFrame({"id": sorted(ids)})
    dbs = [load_settings(home).warehouse_path, *load_settings(home).snapshots_dir.glob("*.duckdb")]
    for db in dbs:
        with duckdb.connect(str(db), read_only=True) as con:
            cols = con.execute(
                "SELECT table_schema, table_name, column_name FROM information_schema.columns "
                "WHERE data_type = 'VARCHAR' AND table_schema NOT IN ('information_schema', "
                "'pg_catalog')"
            ).fetchall()
            assert cols
            con.register("raw_ids", id_frame)  # after listing, so it is not itself scanned
            for schema, table, col in cols:
                hits = con.execute(
                    f'SELECT count(*) FROM "{schema}"."{table}" WHERE "{col}" IN '
                    "(SELECT id FROM raw_ids)"
                ).fetchone()[0]
                assert hits == 0, f"{db.name}: {schema}.{table}.{col} holds raw identifiers"
