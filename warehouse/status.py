"""The read side of the run ledger (meta.*): freshness per sender, recent runs, rejected
files. In the warehouse layer so ``scorecard etl status`` and the dashboard's data page share
one read model without the dashboard importing the pipeline that writes the ledger."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import duckdb


@dataclass(frozen=True)
class Freshness:
    org_code: str
    kind: str
    last_as_at: date | None
    days_since: int | None
    last_outcome: str | None
    last_file: str | None


def freshness(con: duckdb.DuckDBPyConnection, today: date | None = None) -> list[Freshness]:
    """Per organisation and extract kind: last as_at loaded and the last file's outcome."""
    today = today or date.today()
    rows = con.execute(
        """
        WITH cur AS (
            SELECT org_code, kind, as_at FROM raw.extracts WHERE is_current
        ), last_file AS (
            SELECT org_code, kind, outcome, file_name,
                   row_number() OVER (PARTITION BY org_code, kind
                                      ORDER BY finished_at DESC, file_name) AS rn
            FROM meta.run_files WHERE org_code IS NOT NULL
        )
        SELECT coalesce(c.org_code, l.org_code), coalesce(c.kind, l.kind), c.as_at,
               l.outcome, l.file_name
        FROM cur c FULL OUTER JOIN (SELECT * FROM last_file WHERE rn = 1) l
          ON c.org_code = l.org_code AND c.kind = l.kind
        ORDER BY 1, 2
        """
    ).fetchall()
    return [
        Freshness(r[0], r[1], r[2], (today - r[2]).days if r[2] else None, r[3], r[4]) for r in rows
    ]


@dataclass(frozen=True)
class RunSummary:
    run_id: str
    sources: str
    started_at: datetime
    finished_at: datetime | None
    status: str
    files_new: int
    files_loaded: int
    files_rejected: int
    warnings: int
    message: str | None


def recent_runs(con: duckdb.DuckDBPyConnection, limit: int = 10) -> list[RunSummary]:
    rows = con.execute(
        "SELECT run_id, sources, started_at, finished_at, status, files_new, files_loaded, "
        "files_rejected, warnings, message FROM meta.runs ORDER BY started_at DESC LIMIT ?",
        [limit],
    ).fetchall()
    return [RunSummary(*r) for r in rows]


@dataclass(frozen=True)
class RejectedFile:
    finished_at: datetime
    org_code: str | None
    kind: str | None
    as_at: date | None
    file_name: str
    rules_failed: str | None
    message: str | None
    run_id: str


def rejected_files(con: duckdb.DuckDBPyConnection, limit: int = 50) -> list[RejectedFile]:
    """Files not loaded (rejected or failed), newest first."""
    rows = con.execute(
        "SELECT finished_at, org_code, kind, as_at, file_name, rules_failed, message, run_id "
        "FROM meta.run_files WHERE outcome <> 'loaded' ORDER BY finished_at DESC LIMIT ?",
        [limit],
    ).fetchall()
    return [RejectedFile(*r) for r in rows]
