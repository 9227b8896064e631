"""The run ledger (meta.runs, meta.run_files) and the checksum ledger (meta.files_seen)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime

import duckdb

from warehouse.db import transaction

log = logging.getLogger(__name__)


@dataclass
class FileRecord:
    """What happened to one file in one run."""

    source: str
    file_name: str
    outcome: str  # loaded | rejected | failed
    started_at: datetime
    finished_at: datetime
    checksum: str | None = None
    kind: str | None = None
    org_code: str | None = None
    as_at: date | None = None
    extract_id: int | None = None
    row_count: int | None = None
    warnings: int = 0
    rules_failed: tuple[str, ...] = ()
    report_path: str | None = None
    message: str | None = None


def seen_checksums(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {r[0] for r in con.execute("SELECT checksum FROM meta.files_seen").fetchall()}


def close_abandoned(con: duckdb.DuckDBPyConnection) -> int:
    """Mark runs left 'running' by a killed process as abandoned (one writer at a time)."""
    rows = con.execute(
        "UPDATE meta.runs SET status = 'abandoned', message = 'the process stopped mid-run' "
        "WHERE status = 'running' RETURNING run_id"
    ).fetchall()
    return len(rows)


def start_run(
    con: duckdb.DuckDBPyConnection, run_id: str, sources: list[str], flow_run_id: str | None
) -> None:
    con.execute(
        "INSERT INTO meta.runs (run_id, flow_run_id, sources, started_at, status) "
        "VALUES (?, ?, ?, ?, 'running')",
        [run_id, flow_run_id, ",".join(sources), datetime.now()],
    )


def record_file(con: duckdb.DuckDBPyConnection, run_id: str, rec: FileRecord) -> None:
    """Record the file's outcome; loaded and rejected files join the checksum ledger."""
    with transaction(con):
        con.execute(
            "INSERT INTO meta.run_files (run_id, source, file_name, checksum, kind, org_code, "
            "as_at, outcome, extract_id, row_count, warnings, rules_failed, report_path, "
            "message, started_at, finished_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            [
                run_id,
                rec.source,
                rec.file_name,
                rec.checksum,
                rec.kind,
                rec.org_code,
                rec.as_at,
                rec.outcome,
                rec.extract_id,
                rec.row_count,
                rec.warnings,
                ",".join(rec.rules_failed) or None,
                rec.report_path,
                rec.message,
                rec.started_at,
                rec.finished_at,
            ],
        )
        if rec.checksum and rec.outcome in {"loaded", "rejected"}:
            con.execute(
                "INSERT INTO meta.files_seen (checksum, file_name, source, outcome, run_id, "
                "seen_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                [rec.checksum, rec.file_name, rec.source, rec.outcome, run_id, rec.finished_at],
            )


def finish_run(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    *,
    status: str,
    snapshot: str | None = None,
    message: str | None = None,
) -> dict[str, int]:
    counts = con.execute(
        "SELECT count(*), count(*) FILTER (outcome = 'loaded'), "
        "count(*) FILTER (outcome <> 'loaded'), coalesce(sum(warnings), 0) "
        "FROM meta.run_files WHERE run_id = ?",
        [run_id],
    ).fetchone()
    assert counts is not None  # an aggregate without GROUP BY always returns one row
    con.execute(
        "UPDATE meta.runs SET finished_at = ?, status = ?, files_new = ?, files_loaded = ?, "
        "files_rejected = ?, warnings = ?, snapshot = ?, message = ? WHERE run_id = ?",
        [
            datetime.now(),
            status,
            counts[0],
            counts[1],
            counts[2],
            counts[3],
            snapshot,
            message,
            run_id,
        ],
    )
    return {"new": counts[0], "loaded": counts[1], "rejected": counts[2], "warnings": counts[3]}
