"""Read-only access to the newest serving snapshot, reopened when a new one is published.

The pipeline switches ``snapshots/current.duckdb`` (a symlink) atomically; each process
keeps one read-only connection and checks the link's target before use, so a refresh is
picked up without a restart and a reader never sees half a snapshot.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pandas as pd

from scorecard.settings import Settings, load_settings
from warehouse import db

log = logging.getLogger(__name__)


class NoSnapshotError(RuntimeError):
    pass


class UnknownEditionError(NoSnapshotError):
    """An ``?edition=`` label that names no published edition: pages show the message."""


class _Reads:
    """cursor() and query() over a reader's ``_connection()`` (one cursor per call, closed
    after): shared by the serving snapshot and an edition's file."""

    def _connection(self) -> duckdb.DuckDBPyConnection:
        raise NotImplementedError

    @contextmanager
    def cursor(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor on the reader's file, for helpers that take a connection."""
        cur = self._connection()
        try:
            yield cur
        finally:
            cur.close()

    def query(self, sql: str, params: list | None = None) -> pd.DataFrame:
        """Run a read-only query with bound parameters on the reader's file."""
        cur = self._connection()
        try:
            return cur.execute(sql, params or []).df()
        finally:
            cur.close()


class SnapshotReader(_Reads):
    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or load_settings()
        self._lock = threading.Lock()
        self._target: Path | None = None
        self._con: duckdb.DuckDBPyConnection | None = None

    @property
    def link(self) -> Path:
        return self.settings.snapshots_dir / "current.duckdb"

    def _connection(self) -> duckdb.DuckDBPyConnection:
        if not self.link.exists():
            raise NoSnapshotError(
                f"no serving snapshot at {self.link}; run `scorecard etl run` first"
            )
        target = self.link.resolve()
        with self._lock:
            if target != self._target or self._con is None:
                old = self._con
                self._con = db.read_only(target)
                self._target = target
                log.info("serving snapshot %s", target.name)
                if old is not None:
                    old.close()
            return self._con.cursor()

    @property
    def current_file(self) -> Path | None:
        return self._target


_reader: SnapshotReader | None = None


def reader() -> SnapshotReader:
    global _reader
    if _reader is None:
        _reader = SnapshotReader()
    return _reader


class FileReader(_Reads):
    """A read-only reader of one fixed DuckDB file: a published edition, which never changes,
    so one connection serves for the life of the process."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._con: duckdb.DuckDBPyConnection | None = None

    def _connection(self) -> duckdb.DuckDBPyConnection:
        with self._lock:
            if self._con is None:
                self._con = db.read_only(self.path)
                log.info("serving edition file %s", self.path.name)
            return self._con.cursor()
