"""The run ledger (meta.runs, meta.run_files), the checksum ledger (meta.files_seen) and
the pseudonym key's fingerprint (meta.pseudonym_key)."""

from __future__ import annotations

import hashlib
import hmac
import logging
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

import duckdb

from warehouse.db import transaction

if TYPE_CHECKING:
    from scorecard.settings import Settings

log = logging.getLogger(__name__)


@dataclass
class FileRecord:
    """What happened to one file in one run."""

    source: str
    file_name: str
    outcome: str  # loaded | rejected | failed | ignored
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


# --- the pseudonym key's fingerprint ------------------------------------------------------
# Pseudonyms only link police and CPS records made under the same key. The warehouse keeps
# an HMAC of a fixed label under the key (never the key, and not usable to recover it), so
# a run under another key is refused before it reads a file instead of loading records
# that silently fail to link.
_FINGERPRINT_LABEL = b"scorecard pseudonym key fingerprint v1"
KEY_ENV = "SCORECARD_PSEUDONYM_KEY"


class KeyMismatchError(RuntimeError):
    """This run's pseudonym key is not the one the warehouse was loaded with."""


def key_fingerprint(key: bytes) -> str:
    return hmac.new(key, _FINGERPRINT_LABEL, hashlib.sha256).hexdigest()


def check_key(con: duckdb.DuckDBPyConnection, fingerprint: str) -> None:
    """Raise KeyMismatchError when the warehouse was first loaded under another key."""
    row = con.execute(
        "SELECT fingerprint, recorded_at FROM meta.pseudonym_key ORDER BY recorded_at LIMIT 1"
    ).fetchone()
    if row is not None and not hmac.compare_digest(str(row[0]), fingerprint):
        raise KeyMismatchError(
            f"{KEY_ENV} is not the key this warehouse was loaded with (first load "
            f"{row[1]:%Y-%m-%d %H:%M}): records pseudonymised under another key would not "
            "link police to CPS cases, so nothing was read. Set the original key; to change "
            "the key on purpose, start a new warehouse and reload every extract under it."
        )


def pin_key(con: duckdb.DuckDBPyConnection, fingerprint: str) -> None:
    """Check the key and record it if this is the first load (inside the load's transaction)."""
    check_key(con, fingerprint)
    con.execute(
        "INSERT INTO meta.pseudonym_key (fingerprint, recorded_at) "
        "SELECT ?, ? WHERE NOT EXISTS (SELECT 1 FROM meta.pseudonym_key)",
        [fingerprint, datetime.now()],
    )


def seen_checksums(con: duckdb.DuckDBPyConnection, run_id: str | None = None) -> set[str]:
    """Checksums loaded or rejected by any run, and any met by ``run_id`` so far (a file that
    failed is tried again by the next run, not by this one)."""
    rows = con.execute(
        "SELECT checksum FROM meta.files_seen UNION "
        "SELECT checksum FROM meta.run_files WHERE run_id = ? AND checksum IS NOT NULL",
        [run_id],
    ).fetchall()
    return {r[0] for r in rows}


_COUNTS_SQL = """
    SELECT l.loaded + f.other, l.loaded, f.other, f.warnings FROM
      (SELECT count(*) AS loaded FROM raw.extracts WHERE run_id = $run) l,
      (SELECT count(*) FILTER (outcome NOT IN ('loaded', 'ignored')) AS other,
              coalesce(sum(warnings), 0) AS warnings
         FROM meta.run_files WHERE run_id = $run) f
"""


def _counts(con: duckdb.DuckDBPyConnection, run_id: str) -> tuple[int, int, int, int]:
    """(new, loaded, rejected or failed, warnings) so far.

    Loaded counts the run's extracts in raw.extracts, committed with the rows themselves,
    so a run killed after loading files still shows them; ignored (hidden) files are not
    new files.
    """
    row = con.execute(_COUNTS_SQL, {"run": run_id}).fetchone()
    assert row is not None
    return int(row[0]), int(row[1]), int(row[2]), int(row[3])


def update_counts(con: duckdb.DuckDBPyConnection, run_id: str) -> None:
    """Bring the run's file counts up to date (called as each file is recorded or loaded)."""
    new, loaded, rejected, warnings = _counts(con, run_id)
    con.execute(
        "UPDATE meta.runs SET files_new = ?, files_loaded = ?, files_rejected = ?, "
        "warnings = ? WHERE run_id = ?",
        [new, loaded, rejected, warnings, run_id],
    )


def close_abandoned(con: duckdb.DuckDBPyConnection) -> int:
    """Mark runs left 'running' by a killed process as abandoned (one writer at a time)."""
    rows = con.execute(
        "UPDATE meta.runs SET status = 'abandoned', message = 'the process stopped mid-run' "
        "WHERE status = 'running' RETURNING run_id"
    ).fetchall()
    for (run_id,) in rows:
        update_counts(con, run_id)
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
        update_counts(con, run_id)


def record_hidden(
    con: duckdb.DuckDBPyConnection, run_id: str, source: str, name: str, settings: Settings
) -> bool:
    """Report a hidden file (``.name``) as ignored, once per source and name; never read it.

    Hidden names are upload temp files and editors' lock files: reading or moving one
    mid-upload would break the upload, but a sender who named an extract ``.x.csv`` must
    be told why it was not loaded. Returns True when reported in this run.
    """
    from expectations.report import write_report
    from scorecard.contract import ContractError

    if ignored_before(con, source, name):
        return False
    now = datetime.now()
    err = ContractError("file.hidden", f"{name!r} starts with '.', so it is treated as hidden")
    json_path, _ = write_report(
        err,
        file_name=name,
        kind=None,
        org_code=None,
        as_at=None,
        out_dir=settings.reports_dir / run_id,
    )
    rec = FileRecord(
        source=source,
        file_name=name,
        outcome="ignored",
        started_at=now,
        finished_at=now,
        rules_failed=("file.hidden",),
        report_path=str(json_path),
        message="ignored: hidden file (name starts with '.')",
    )
    record_file(con, run_id, rec)
    return True


def ignored_before(con: duckdb.DuckDBPyConnection, source: str, file_name: str) -> bool:
    """True when this name at this source was already reported as ignored by some run."""
    row = con.execute(
        "SELECT 1 FROM meta.run_files WHERE source = ? AND file_name = ? "
        "AND outcome = 'ignored' LIMIT 1",
        [source, file_name],
    ).fetchone()
    return row is not None


def finish_run(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    *,
    status: str,
    snapshot: str | None = None,
    message: str | None = None,
) -> dict[str, int]:
    counts = _counts(con, run_id)
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
