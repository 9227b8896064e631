"""Per-process state for flows: one warehouse connection, migrated once.

Tasks receive paths and ids (Prefect hashes task inputs), and look the connection up
here; DuckDB allows one read-write process per file, so the process shares one
connection and hands each thread its own cursor.
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

import duckdb

from scorecard.settings import Settings, load_settings
from warehouse import db
from warehouse.migrate import migrate
from warehouse.reference_load import load_reference

log = logging.getLogger(__name__)

_lock = threading.Lock()
_connections: dict[Path, duckdb.DuckDBPyConnection] = {}


def prefect_environment(home: Path) -> None:
    """Offline Prefect defaults under the data home (callers may already have set them)."""
    os.environ.setdefault("PREFECT_HOME", str(home / "prefect"))
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    # The temporary local server can take a while to start on a busy machine.
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")


def settings_for(home: str) -> Settings:
    return load_settings(home)


def warehouse(settings: Settings) -> duckdb.DuckDBPyConnection:
    """A cursor on this process's migrated warehouse connection."""
    path = settings.warehouse_path
    with _lock:
        con = _connections.get(path)
        if con is None:
            con = db.read_write(path)
            migrate(con)
            load_reference(con, settings)
            _connections[path] = con
    return con.cursor()


def close_all() -> None:
    with _lock:
        for con in _connections.values():
            con.close()
        _connections.clear()
