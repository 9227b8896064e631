"""Crash safety (SIGKILL mid-load, twenty times) and no raw identifiers in the data home."""

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
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from pipelines.publish import current_snapshot
from pipelines.runtime import close_all
from scorecard.settings import load_settings
from tests.helpers.pipeline import generated, mart_digest, run
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


def test_sigkill_twenty_times_then_a_run_equals_a_clean_run(
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
    home: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    files = generated(tmp_path_factory.getbasetemp())
    landing = _subset_landing(home, files)
    # One rejected file too: reports and ledgers must not echo its identifiers either.
    bad = landing / "police_cases__metropolitan__2030-01-01.csv"
    text = next(landing.glob("police_cases__metropolitan__*")).read_text()
    bad.write_text(text.replace("19C", "19X", 3))
    good = len(list(landing.glob("*__*.csv"))) - 1
    result = run(home)
    assert result.rejected == 1 and result.loaded == good
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
