"""The warehouse's SQL files: core/ (raw -> core) and mart/ (core -> marts)."""

from __future__ import annotations

from importlib import resources

MART_PACKAGE = "warehouse.sql.mart"


def mart_sql(name: str) -> str:
    """The text of one mart SQL file (by file name)."""
    return resources.files(MART_PACKAGE).joinpath(name).read_text(encoding="utf-8")
