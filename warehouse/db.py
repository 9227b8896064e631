"""Connections to the warehouse, and one-transaction blocks.

DuckDB allows one read-write process or many read-only ones per file (ARCHITECTURE
decision 1): the ETL asks for ``read_write``; everything else opens a serving snapshot
``read_only``. Statements take bound parameters; identifiers built in code go through
:func:`quote_ident`.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

log = logging.getLogger(__name__)


def quote_ident(name: str) -> str:
    """Quote an SQL identifier (schema, table or column name) for DuckDB."""
    return '"' + name.replace('"', '""') + '"'


def qualified(schema: str, table: str) -> str:
    return f"{quote_ident(schema)}.{quote_ident(table)}"


MEMORY_ENV = "SCORECARD_DUCKDB_MEMORY_LIMIT"
DEFAULT_MEMORY_LIMIT = "1GB"


def connect(path: str | Path, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the warehouse (created if missing when read-write).

    DuckDB would otherwise let its buffer pool grow to 80% of the machine's memory; the
    limit (``SCORECARD_DUCKDB_MEMORY_LIMIT``, default 1GB) keeps a refresh bounded - the
    build spills its large aggregates and sorts to disk beyond it - and caps each
    dashboard worker's snapshot reader.
    """
    p = Path(path)
    if read_only and not p.exists():
        raise FileNotFoundError(f"no DuckDB file at {p}; run the pipeline first")
    if not read_only:
        p.parent.mkdir(parents=True, exist_ok=True)
    config: dict[str, str | bool | int | float | list[str]] = {
        "memory_limit": os.environ.get(MEMORY_ENV) or DEFAULT_MEMORY_LIMIT
    }
    return duckdb.connect(str(p), read_only=read_only, config=config)


def read_write(path: str | Path) -> duckdb.DuckDBPyConnection:
    return connect(path, read_only=False)


def read_only(path: str | Path) -> duckdb.DuckDBPyConnection:
    return connect(path, read_only=True)


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """Run the block in one transaction: everything commits, or nothing does."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    else:
        con.execute("COMMIT")


def columns_of(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> list[str]:
    rows = con.execute(
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position",
        [schema, table],
    ).fetchall()
    return [r[0] for r in rows]
