"""Load validated, pseudonymised extracts into ``raw``, each as its sender's current one.

Everything for a batch of extracts of one kind happens in a single DuckDB transaction: their
ledger rows, their rows, and the switch of ``is_current`` from each sender's previous
vintage (which stays queryable by as_at). A failure leaves the warehouse exactly as it was.

The rows of the whole batch go in from Arrow (the reader's buffers end to end, no copy, no
Python objects) in one INSERT … SELECT that casts in DuckDB; they are already in row order,
so nothing is sorted.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import date, datetime

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from pipelines.killpoints import checkpoint
from pipelines.read import arrow_text, large_text
from scorecard.contract import KINDS, Column, ContractError
from warehouse.db import qualified, quote_ident, transaction

log = logging.getLogger(__name__)


def cast_expression(col: Column, source: str | None = None) -> str:
    """SQL that turns the validated text column (or the ``source`` expression over it) into
    the raw table's type."""
    ident = source or quote_ident(col.name)
    if col.type == "date":
        return f"CAST({ident} AS DATE)"
    if col.type == "integer":
        return f"CAST({ident} AS INTEGER)"
    if col.type == "number":
        return f"CAST({ident} AS DOUBLE)"
    if col.type == "flag":
        return f"CASE lower({ident}) WHEN 'y' THEN TRUE WHEN 'n' THEN FALSE END"
    return ident


def insert_rows_sql(kind: str, relation: str) -> str:
    """INSERT … SELECT from a registered batch of frames; the one bound parameter is the list
    of their extract ids, which each row's ``file_no`` (0, 1, …) indexes."""
    spec = KINDS[kind]
    names = ", ".join(quote_ident(c) for c in ("extract_id", "row_no", *spec.column_names))
    casts = ", ".join(cast_expression(c) for c in spec.columns)
    return (
        f"INSERT INTO {qualified('raw', kind)} ({names}) "
        "SELECT list_extract(CAST(? AS BIGINT[]), file_no + 1), CAST(row_no AS INTEGER), "
        f"{casts} FROM {quote_ident(relation)}"
    )


def arrow_rows(kind: str, frame: pd.DataFrame) -> pa.Table:
    """``row_no`` and the kind's columns as an Arrow table (zero-copy for the reader's text)."""
    names = ["row_no", *KINDS[kind].column_names]
    columns: dict[str, pa.ChunkedArray | pa.Array] = {}
    for name in names:
        series = frame[name]
        if name == "row_no":
            columns[name] = pa.array(series.to_numpy(dtype="int64"))
        else:
            columns[name] = large_text(arrow_text(series))
    return pa.table(columns)


def batch_rows(kind: str, frames: list[pd.DataFrame]) -> pa.Table:
    """The frames' :func:`arrow_rows` end to end (their chunks, not copied), with each row's
    ``file_no``: its frame's place in ``frames``."""
    tables = []
    for file_no, frame in enumerate(frames):
        rows = arrow_rows(kind, frame)
        tables.append(rows.append_column("file_no", pa.array(np.full(len(frame), file_no))))
    return pa.concat_tables(tables)


@dataclass(frozen=True)
class CurrentExtract:
    extract_id: int
    as_at: date
    row_count: int


def current_extract(
    con: duckdb.DuckDBPyConnection, kind: str, org_code: str
) -> CurrentExtract | None:
    row = con.execute(
        "SELECT extract_id, as_at, row_count FROM raw.extracts "
        "WHERE kind = ? AND org_code = ? AND is_current",
        [kind, org_code],
    ).fetchone()
    return CurrentExtract(int(row[0]), row[1], int(row[2])) if row else None


def check_newer(con: duckdb.DuckDBPyConnection, kind: str, org_code: str, as_at: date) -> None:
    cur = current_extract(con, kind, org_code)
    if cur is not None and as_at <= cur.as_at:
        raise ContractError(
            "file.newer",
            f"as_at {as_at.isoformat()} is not later than the current {kind} snapshot for "
            f"{org_code} (as_at {cur.as_at.isoformat()}); older snapshots are refused",
        )


@dataclass(frozen=True)
class Incoming:
    """One validated, pseudonymised extract to load."""

    org_code: str
    as_at: date
    file_name: str
    source: str
    checksum: str
    frame: pd.DataFrame
    warnings: list[dict] | None = None


def load_extract(
    con: duckdb.DuckDBPyConnection,
    *,
    kind: str,
    org_code: str,
    as_at: date,
    file_name: str,
    source: str,
    checksum: str,
    frame: pd.DataFrame,
    run_id: str,
    warnings: list[dict] | None = None,
    key_fingerprint: str | None = None,
) -> int:
    """Insert one extract and make it current, atomically; return its extract_id (a batch
    of one, :func:`load_extracts`)."""
    one = Incoming(org_code, as_at, file_name, source, checksum, frame, warnings)
    return load_extracts(con, kind, [one], run_id=run_id, key_fingerprint=key_fingerprint)[0]


def load_extracts(
    con: duckdb.DuckDBPyConnection,
    kind: str,
    incoming: list[Incoming],
    *,
    run_id: str,
    key_fingerprint: str | None = None,
) -> list[int]:
    """Insert extracts of one kind, each from a different sender, and make each its sender's
    current one, all in one transaction; return their extract_ids in order.

    ``key_fingerprint`` (of the pseudonym key the frames were made with) is checked against
    the warehouse's, and recorded by the first load, in the same transaction. Any failure
    (one file not newer than its sender's current one, a cast) loads none of them.
    """
    from pipelines import ledger

    if len({item.org_code for item in incoming}) != len(incoming):
        raise ValueError("one load takes at most one extract per sender")
    if not incoming:
        return []
    relation = f"incoming_{kind}"
    now = datetime.now()
    with transaction(con):
        if key_fingerprint is not None:
            ledger.pin_key(con, key_fingerprint)
        for item in incoming:
            check_newer(con, kind, item.org_code, item.as_at)
        ids = [
            int(r[0])
            for r in con.execute(
                "SELECT nextval('meta.extract_id_seq') FROM range(?)", [len(incoming)]
            ).fetchall()
        ]
        con.execute(
            "UPDATE raw.extracts SET is_current = FALSE "
            "WHERE kind = ? AND is_current AND list_contains(?, org_code)",
            [kind, [item.org_code for item in incoming]],
        )
        con.executemany(
            "INSERT INTO raw.extracts (extract_id, kind, org_code, as_at, file_name, source, "
            "checksum, row_count, run_id, loaded_at, is_current, warnings) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, TRUE, ?)",
            [
                [
                    extract_id,
                    kind,
                    item.org_code,
                    item.as_at,
                    item.file_name,
                    item.source,
                    item.checksum,
                    len(item.frame),
                    run_id,
                    now,
                    json.dumps(item.warnings or []),
                ]
                for extract_id, item in zip(ids, incoming, strict=True)
            ],
        )
        con.register(relation, batch_rows(kind, [item.frame for item in incoming]))
        try:
            con.execute(insert_rows_sql(kind, relation), [ids])
        finally:
            con.unregister(relation)
        checkpoint("load:rows-inserted")
        # In the same transaction, so a crash can never leave rows loaded but the file unknown.
        con.executemany(
            "INSERT INTO meta.files_seen (checksum, file_name, source, outcome, run_id, seen_at) "
            "VALUES (?, ?, ?, 'loaded', ?, ?) ON CONFLICT DO NOTHING",
            [[item.checksum, item.file_name, item.source, run_id, now] for item in incoming],
        )
        # The run's files_loaded moves with the rows: a run killed later still counts them.
        ledger.update_counts(con, run_id)
    for extract_id, item in zip(ids, incoming, strict=True):
        log.info("loaded %s (%d rows) as extract %d", item.file_name, len(item.frame), extract_id)
    return ids


def case_matches(
    con: duckdb.DuckDBPyConnection,
    area_code: str,
    pseudonyms: pa.ChunkedArray,
    decisions: tuple[str, ...] = (),
    date_column: str = "received_date",
) -> list[tuple[int, str]]:
    """(row position, the case's date as text: received by default) of each pseudonymised
    URN in ``pseudonyms`` found in the Area's current cps_cases snapshot; only cases whose
    decision is in ``decisions`` when that is given (court outcomes name charged cases).

    One join in DuckDB against the file's column as Arrow: the Area's cases never come into
    Python.
    """
    if date_column not in {"received_date", "decision_date"}:
        raise ValueError(f"no case date {date_column!r}")
    relation = "incoming_urns"
    positions = pa.array(np.arange(len(pseudonyms), dtype=np.int64))
    con.register(relation, pa.table({"pos": positions, "urn": pseudonyms}))
    try:
        rows = con.execute(
            f"SELECT i.pos, CAST(c.{quote_ident(date_column)} AS VARCHAR) "
            f"FROM {quote_ident(relation)} i JOIN raw.cps_cases c ON c.urn = i.urn "
            "JOIN raw.extracts e ON e.extract_id = c.extract_id "
            "WHERE e.kind = 'cps_cases' AND e.org_code = ? AND e.is_current "
            "AND (len(?) = 0 OR list_contains(?, c.decision)) ORDER BY i.pos, c.row_no",
            [area_code, list(decisions), list(decisions)],
        ).fetchall()
    finally:
        con.unregister(relation)
    return [(int(r[0]), r[1]) for r in rows]
