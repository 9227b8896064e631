"""Apply the ordered, versioned SQL files in ``warehouse/migrations`` exactly once each.

A file is named ``NNNN_description.sql``; applied versions are recorded in
``meta.schema_migrations`` with the file's checksum, so an edited, already-applied file
is an error rather than a silent drift.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from importlib import resources

import duckdb

from warehouse.db import transaction

log = logging.getLogger(__name__)

_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode("utf-8")).hexdigest()


class MigrationError(RuntimeError):
    pass


def available(package: str = "warehouse.migrations") -> list[Migration]:
    """Migrations shipped with the code, in version order."""
    found: list[Migration] = []
    for entry in resources.files(package).iterdir():
        m = _NAME.match(entry.name)
        if m:
            found.append(Migration(int(m[1]), m[2], entry.read_text(encoding="utf-8")))
        elif entry.name.endswith(".sql"):
            raise MigrationError(f"migration file {entry.name!r} is not named NNNN_name.sql")
    found.sort(key=lambda mig: mig.version)
    versions = [mig.version for mig in found]
    if len(versions) != len(set(versions)):
        raise MigrationError(f"duplicate migration versions in {versions}")
    return found


def _ensure_ledger(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("CREATE SCHEMA IF NOT EXISTS meta")
    con.execute(
        "CREATE TABLE IF NOT EXISTS meta.schema_migrations ("
        " version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, checksum VARCHAR NOT NULL,"
        " applied_at TIMESTAMP NOT NULL DEFAULT current_timestamp)"
    )


def applied(con: duckdb.DuckDBPyConnection) -> dict[int, str]:
    _ensure_ledger(con)
    return dict(con.execute("SELECT version, checksum FROM meta.schema_migrations").fetchall())


def migrate(con: duckdb.DuckDBPyConnection, package: str = "warehouse.migrations") -> list[int]:
    """Apply pending migrations, each in its own transaction; return the versions applied."""
    done = applied(con)
    newly: list[int] = []
    for mig in available(package):
        if mig.version in done:
            if done[mig.version] != mig.checksum:
                raise MigrationError(
                    f"migration {mig.version:04d}_{mig.name}.sql changed after it was applied; "
                    "add a new migration instead of editing an applied one"
                )
            continue
        log.info("applying migration %04d_%s", mig.version, mig.name)
        with transaction(con):
            con.execute(mig.sql)
            con.execute(
                "INSERT INTO meta.schema_migrations (version, name, checksum) VALUES (?, ?, ?)",
                [mig.version, mig.name, mig.checksum],
            )
        newly.append(mig.version)
    return newly
