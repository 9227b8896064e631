"""The read side of the run ledger (meta.*): freshness per sender, recent runs, rejected
files. In the warehouse layer so ``scorecard etl status`` and the dashboard's data page share
one read model without the dashboard importing the pipeline that writes the ledger."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import date, datetime

import duckdb

# How often each extract kind is expected (SCORECARD_EXPECTED_CADENCE, e.g.
# "workforce=quarterly,recommendation_updates=quarterly"); every other kind is monthly.
CADENCE_ENV = "SCORECARD_EXPECTED_CADENCE"
DEFAULT_CADENCE = "monthly"
# Days after a snapshot's as_at date by which the next one is due.
CADENCE_DAYS = {"weekly": 7, "monthly": 31, "quarterly": 92, "yearly": 366}


def expected_cadence(spec: str | None = None) -> dict[str, str]:
    """Parse ``kind=cadence`` pairs (comma-separated); read SCORECARD_EXPECTED_CADENCE when
    ``spec`` is None. A cadence this module does not know is an error, not a silent monthly."""
    raw = os.environ.get(CADENCE_ENV, "") if spec is None else spec
    out: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in raw.split(","))):
        kind, sep, cadence = part.partition("=")
        cadence = cadence.strip().lower()
        if not sep or not kind.strip() or cadence not in CADENCE_DAYS:
            raise ValueError(
                f"{CADENCE_ENV}: {part!r} is not kind=cadence with cadence one of "
                f"{', '.join(CADENCE_DAYS)}"
            )
        out[kind.strip()] = cadence
    return out


@dataclass(frozen=True)
class Freshness:
    org_code: str
    kind: str
    last_as_at: date | None
    days_since: int | None
    last_outcome: str | None
    last_file: str | None
    last_received: datetime | None = None  # when the last file from this sender was read
    expected: str = DEFAULT_CADENCE  # weekly | monthly | quarterly | yearly
    overdue_days: int | None = None  # days past the date the next snapshot was due

    @property
    def overdue(self) -> bool:
        """No snapshot loaded yet, or the next one is past due."""
        return self.last_as_at is None or (self.overdue_days or 0) > 0


def freshness(
    con: duckdb.DuckDBPyConnection,
    today: date | None = None,
    cadence: dict[str, str] | None = None,
) -> list[Freshness]:
    """Per organisation and extract kind: last as_at loaded, the last file's outcome, the
    expected cadence and how far past due the next snapshot is."""
    today = today or date.today()
    cadence = expected_cadence() if cadence is None else cadence
    rows = con.execute(
        """
        WITH cur AS (
            SELECT org_code, kind, as_at FROM raw.extracts WHERE is_current
        ), last_file AS (
            SELECT org_code, kind, outcome, file_name, finished_at,
                   row_number() OVER (PARTITION BY org_code, kind
                                      ORDER BY finished_at DESC, file_name) AS rn
            FROM meta.run_files WHERE org_code IS NOT NULL
        )
        SELECT coalesce(c.org_code, l.org_code), coalesce(c.kind, l.kind), c.as_at,
               l.outcome, l.file_name, l.finished_at
        FROM cur c FULL OUTER JOIN (SELECT * FROM last_file WHERE rn = 1) l
          ON c.org_code = l.org_code AND c.kind = l.kind
        ORDER BY 1, 2
        """
    ).fetchall()
    out = []
    for org, kind, as_at, outcome, file_name, received in rows:
        expected = cadence.get(kind, DEFAULT_CADENCE)
        days = (today - as_at).days if as_at else None
        overdue = None if days is None else days - CADENCE_DAYS[expected]
        out.append(
            Freshness(org, kind, as_at, days, outcome, file_name, received, expected, overdue)
        )
    return out


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


@dataclass(frozen=True)
class WarningFile:
    """A file loaded with should-rule warnings, and which rules on how many rows."""

    run_id: str
    file_name: str
    org_code: str | None
    kind: str | None
    as_at: date | None
    warnings: tuple[tuple[str, int], ...]  # (rule id, rows)


def warning_files(con: duckdb.DuckDBPyConnection, run_ids: list[str]) -> list[WarningFile]:
    """Files of these runs loaded with warnings (the rules come from the extract's record)."""
    if not run_ids:
        return []
    rows = con.execute(
        "SELECT f.run_id, f.file_name, f.org_code, f.kind, f.as_at, e.warnings "
        "FROM meta.run_files f LEFT JOIN raw.extracts e ON e.extract_id = f.extract_id "
        "WHERE f.warnings > 0 AND list_contains(?, f.run_id) "
        "ORDER BY f.run_id, f.org_code, f.kind, f.file_name",
        [run_ids],
    ).fetchall()
    out = []
    for run_id, file_name, org, kind, as_at, raw in rows:
        found = json.loads(raw) if raw else []
        pairs = tuple(
            (str(w.get("rule_id")), int(w.get("count") or 0)) for w in found if isinstance(w, dict)
        )
        out.append(WarningFile(run_id, file_name, org, kind, as_at, pairs))
    return out
