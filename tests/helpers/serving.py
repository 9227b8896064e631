"""Stand-ins for the serving snapshot: the dashboard's data functions read through
:func:`dashboard.data.source.use`, the one seam, so a test routes every read to a
hand-built warehouse with :func:`serving` (or raises with :class:`MissingSnapshot`)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pandas as pd

from dashboard.data import source
from dashboard.data.snapshot import NoSnapshotError


class FakeReader:
    """A reader over an open DuckDB connection (the hand-built warehouse)."""

    def __init__(self, con: Any) -> None:
        self.con = con

    def query(self, sql: str, params: list | None = None) -> pd.DataFrame:
        return self.con.execute(sql, params or []).df()

    @contextmanager
    def cursor(self) -> Iterator[Any]:
        cur = self.con.cursor()
        try:
            yield cur
        finally:
            cur.close()


class MissingSnapshot:
    """A reader for a home with no published snapshot yet: every read raises."""

    def __init__(self, message: str = "no serving snapshot; run `scorecard etl run` first"):
        self.message = message

    def query(self, sql: str, params: list | None = None) -> pd.DataFrame:
        raise NoSnapshotError(self.message)

    @contextmanager
    def cursor(self) -> Iterator[Any]:
        raise NoSnapshotError(self.message)
        yield  # pragma: no cover


@contextmanager
def serving(con: Any) -> Iterator[FakeReader]:
    """Every dashboard read goes to ``con`` until the block ends."""
    with source.use(FakeReader(con)) as got:
        yield got  # type: ignore[misc]
