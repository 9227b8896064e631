"""Publish the serving snapshot: a new read-only DuckDB file, switched to atomically.

The dashboard never opens the writer's file (ARCHITECTURE decision 1). After marts are
built we copy what readers need (ref, mart, ledgers — no case-level rows) into a new
file, then point ``current.duckdb`` (a symlink) at it with one rename. Readers that still
hold the previous file keep working; older files are pruned, keeping a few, and so are
half-written ``.tmp`` files left by a publish that was killed.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import duckdb

from pipelines.killpoints import checkpoint
from warehouse.db import qualified, quote_ident

log = logging.getLogger(__name__)

CURRENT = "current.duckdb"
KEEP = 3
# meta/raw tables a reader needs besides ref.* and mart.*: freshness and run history only.
LEDGER_TABLES = (("meta", "runs"), ("meta", "run_files"), ("raw", "extracts"))
# ".<snapshot name>.<writer pid>.tmp" (and DuckDB's ".wal" beside it); older code wrote no pid.
_TMP = re.compile(r"^\.(snapshot-.+\.duckdb)(?:\.(\d+))?\.tmp(?:\.wal)?$")
_writing: set[Path] = set()  # temporary files this process is writing now
_writing_lock = threading.Lock()


def tables_to_publish(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    rows = con.execute(
        "SELECT table_schema, table_name FROM information_schema.tables "
        "WHERE table_type = 'BASE TABLE' AND table_schema IN ('ref', 'mart') "
        "ORDER BY table_schema, table_name"
    ).fetchall()
    return [(r[0], r[1]) for r in rows] + list(LEDGER_TABLES)


def current_snapshot(snapshots_dir: Path) -> Path | None:
    """The file ``current.duckdb`` points at, or None before the first publish."""
    link = snapshots_dir / CURRENT
    if not link.exists():
        return None
    return link.resolve()


def _switch(snapshots_dir: Path, target: Path) -> None:
    tmp_link = snapshots_dir / f".{CURRENT}.{os.getpid()}"
    if tmp_link.is_symlink() or tmp_link.exists():
        tmp_link.unlink()
    tmp_link.symlink_to(target.name)
    os.replace(tmp_link, snapshots_dir / CURRENT)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _stale_tmp(path: Path) -> bool:
    """A temporary snapshot no live publish is writing: its writer died (or it has no pid)."""
    m = _TMP.match(path.name)
    if m is None:
        return False
    with _writing_lock:
        if path in _writing or Path(str(path).removesuffix(".wal")) in _writing:
            return False
    pid = int(m[2]) if m[2] else None
    return pid is None or pid == os.getpid() or not _pid_alive(pid)


def prune(snapshots_dir: Path, keep: int = KEEP) -> list[Path]:
    """Delete all but the newest ``keep`` snapshots (never the current one), and temporary
    files left by killed publishes (never one a live publish is writing)."""
    removed = [p for p in snapshots_dir.glob(".snapshot-*.tmp*") if _stale_tmp(p)]
    for p in removed:
        p.unlink(missing_ok=True)
    current = current_snapshot(snapshots_dir)
    files = sorted(snapshots_dir.glob("snapshot-*.duckdb"), key=lambda p: p.name, reverse=True)
    for old in files[keep:]:
        if current is not None and old.resolve() == current:
            continue
        old.unlink(missing_ok=True)
        Path(str(old) + ".wal").unlink(missing_ok=True)
        removed.append(old)
    return removed


def snapshot_file_name(run_id: str) -> str:
    """A name that sorts by publication time (pruning keeps the newest)."""
    stamp = datetime.now().strftime("%Y%m%dT%H%M%S%f")
    return f"snapshot-{stamp}-{run_id[:8]}.duckdb"


def snapshot_run_id(path: Path) -> str | None:
    """The run that published this snapshot file (None if it cannot be read)."""
    try:
        with duckdb.connect(str(path), read_only=True) as con:
            row = con.execute("SELECT run_id FROM meta.snapshot").fetchone()
    except duckdb.Error:
        return None
    return str(row[0]) if row else None


def publish_snapshot(
    con: duckdb.DuckDBPyConnection,
    snapshots_dir: Path,
    run_id: str,
    name: str | None = None,
    finish: Callable[[duckdb.DuckDBPyConnection], None] | None = None,
) -> Path:
    """Write and switch to a new snapshot; return its path.

    ``finish`` runs on the new file before it is sealed: the flow uses it to show, in the
    snapshot's own ledger, the publishing run as finished (the warehouse records that only
    once the snapshot is live).
    """
    snapshots_dir.mkdir(parents=True, exist_ok=True)
    final = snapshots_dir / (name or snapshot_file_name(run_id))
    tmp = snapshots_dir / f".{final.name}.{os.getpid()}.tmp"
    tmp.unlink(missing_ok=True)
    with _writing_lock:
        _writing.add(tmp)
    try:
        _write(con, tmp, run_id, finish)
        checkpoint("publish:tmp-written")
        os.replace(tmp, final)
    finally:
        with _writing_lock:
            _writing.discard(tmp)
    checkpoint("publish:renamed")
    _switch(snapshots_dir, final)
    checkpoint("publish:switched")
    prune(snapshots_dir)
    log.info("published serving snapshot %s", final.name)
    return final


def _write(
    con: duckdb.DuckDBPyConnection,
    tmp: Path,
    run_id: str,
    finish: Callable[[duckdb.DuckDBPyConnection], None] | None,
) -> None:
    tables = tables_to_publish(con)
    out = duckdb.connect(str(tmp))
    try:
        for i, (schema, table) in enumerate(tables):
            out.execute(f"CREATE SCHEMA IF NOT EXISTS {quote_ident(schema)}")
            data = con.execute(f"SELECT * FROM {qualified(schema, table)}").fetch_arrow_table()
            out.register("incoming", data)
            out.execute(f"CREATE TABLE {qualified(schema, table)} AS SELECT * FROM incoming")
            out.unregister("incoming")
            if i == 0:
                checkpoint("publish:writing")
        out.execute(
            "CREATE TABLE meta.snapshot AS SELECT ? AS run_id, ? AS published_at",
            [run_id, datetime.now()],
        )
        if finish is not None:
            finish(out)
        out.execute("CHECKPOINT")
    except BaseException:
        out.close()
        tmp.unlink(missing_ok=True)
        Path(f"{tmp}.wal").unlink(missing_ok=True)
        raise
    out.close()
    log.debug("wrote %s (%d tables)", tmp.name, len(tables))
