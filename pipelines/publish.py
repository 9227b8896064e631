"""Publish the serving snapshot: a new read-only DuckDB file, switched to atomically.

The dashboard never opens the writer's file (ARCHITECTURE decision 1). After marts are
built we copy what readers need (ref, mart, ledgers — no case-level rows) into a new
file, then point ``current.duckdb`` (a symlink) at it with one rename. Readers that still
hold the previous file keep working; older files are pruned, keeping a few.
"""

from __future__ import annotations

import logging
import os
from datetime import datetime
from pathlib import Path

import duckdb

from warehouse.db import qualified, quote_ident

log = logging.getLogger(__name__)

CURRENT = "current.duckdb"
KEEP = 3
# meta/raw tables a reader needs besides ref.* and mart.*: freshness and run history only.
LEDGER_TABLES = (("meta", "runs"), ("meta", "run_files"), ("raw", "extracts"))


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


def prune(snapshots_dir: Path, keep: int = KEEP) -> list[Path]:
    """Delete all but the newest ``keep`` snapshots (never the current one)."""
    current = current_snapshot(snapshots_dir)
    files = sorted(snapshots_dir.glob("snapshot-*.duckdb"), key=lambda p: p.name, reverse=True)
    removed = []
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


def publish_snapshot(
    con: duckdb.DuckDBPyConnection, snapshots_dir: Path, run_id: str, name: str | None = None
) -> Path:
    """Write and switch to a new snapshot; return its path."""
    snapshots_dir.mkdir(parents=True, exist_ok=True)
    final = snapshots_dir / (name or snapshot_file_name(run_id))
    tmp = snapshots_dir / f".{final.name}.tmp"
    tmp.unlink(missing_ok=True)
    tables = tables_to_publish(con)
    out = duckdb.connect(str(tmp))
    try:
        for schema, table in tables:
            out.execute(f"CREATE SCHEMA IF NOT EXISTS {quote_ident(schema)}")
            data = con.execute(f"SELECT * FROM {qualified(schema, table)}").fetch_arrow_table()
            out.register("incoming", data)
            out.execute(f"CREATE TABLE {qualified(schema, table)} AS SELECT * FROM incoming")
            out.unregister("incoming")
        out.execute(
            "CREATE TABLE meta.snapshot AS SELECT ? AS run_id, ? AS published_at",
            [run_id, datetime.now()],
        )
        out.execute("CHECKPOINT")
    except BaseException:
        out.close()
        tmp.unlink(missing_ok=True)
        raise
    out.close()
    os.replace(tmp, final)
    _switch(snapshots_dir, final)
    prune(snapshots_dir)
    log.info("published serving snapshot %s (%d tables)", final.name, len(tables))
    return final
