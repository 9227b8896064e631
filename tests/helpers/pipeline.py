"""Helpers shared by the pipeline integration tests: generated inputs, runs, mart digests."""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from scorecard.synthetic import GenerateOptions, generate_all

AS_AT = date(2024, 9, 30)
SMALL_SCALE = 0.02

_cache: dict[tuple[float, date], Path] = {}


def generated(tmp_root: Path, scale: float = SMALL_SCALE, as_at: date = AS_AT) -> Path:
    """Synthetic extracts, generated once per test run for each (scale, as_at) (shared by
    pytest-xdist workers, so read-only: copy files out, never write here)."""
    key = (scale, as_at)
    if key not in _cache:
        from tests.helpers.shared import once, run_root

        def make(out: Path) -> None:
            generate_all(GenerateOptions(out=out, seed=1, scale=scale, as_at=as_at))

        _cache[key] = once(run_root(tmp_root), f"generated-{scale}-{as_at}", make)
    return _cache[key]


def fill_landing(home: Path, files_from: Path) -> Path:
    landing = home / "landing"
    landing.mkdir(parents=True, exist_ok=True)
    for f in sorted(files_from.iterdir()):
        shutil.copy2(f, landing / f.name)
    return landing


@dataclass(frozen=True)
class LoadedHome:
    """The session's one full run: the generated nation loaded and published in ``path``.

    Read-only for tests: one that writes takes :func:`copy_home` of it instead of running
    the whole pipeline again.
    """

    path: Path
    files: Path  # the generated nation it was loaded from (also in path / "landing")
    result: Any  # the RunResult of that run


def copy_home(src: Path, dst: Path) -> Path:
    """A writable copy of a data home: warehouse, snapshots (the relative current.duckdb link
    follows), ledger, reports and landing. Closes this process's connections first so the
    warehouse file is complete on disk."""
    from pipelines.runtime import close_all

    close_all()
    shutil.copytree(src, dst, symlinks=True)
    return dst


def run(home: Path, sources: list[str] | None = None, rebuild: bool = False):  # -> RunResult
    from pipelines.flow import refresh

    return refresh(str(home), sources, rebuild=rebuild)


def mart_digest(db_path: Path) -> dict[str, str]:
    """A content hash per mart table (order-independent), read from a closed-writer file."""
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        return marts_digest(con)
    finally:
        con.close()


def marts_digest(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """A content hash per mart table (order-independent) on an open connection."""
    tables = [
        r[0]
        for r in con.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = 'mart' ORDER BY 1"
        ).fetchall()
    ]
    out = {}
    for t in tables:
        rows = con.execute(f'SELECT * FROM mart."{t}"').fetchall()
        lines = sorted(repr(r) for r in rows)
        out[t] = hashlib.sha256("\n".join(lines).encode()).hexdigest()
    return out
