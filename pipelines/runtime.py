"""Per-process state for flows: one warehouse connection, migrated once.

Tasks receive paths and ids (Prefect hashes task inputs), and look the connection up
here; DuckDB allows one read-write process per file, so the process shares one
connection and hands each thread its own cursor.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import subprocess
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
_guarded: set[int] = set()  # temporary Prefect servers given a guard by this process


def prefect_environment(home: Path) -> None:
    """Offline Prefect defaults under the data home (callers may already have set them).

    PREFECT_HOME is created here, parents and all: Prefect makes only its last folder, so in
    a fresh clone (no data home yet) its temporary server could not open its database."""
    os.environ.setdefault("PREFECT_HOME", str(home / "prefect"))
    Path(os.environ["PREFECT_HOME"]).expanduser().mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    # The temporary local server can take a while to start on a busy machine.
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")


# Reads the pipe until this process says "done"; EOF means it died (even by SIGKILL), and
# then the temporary server ($1) is stopped: TERM, and KILL if still there after 5 s.
_GUARD = (
    'read line; [ "$line" = done ] && exit 0; kill -TERM "$1" 2>/dev/null; i=0; '
    'while kill -0 "$1" 2>/dev/null && [ "$i" -lt 50 ]; do sleep 0.1; i=$((i+1)); done; '
    'kill -0 "$1" 2>/dev/null && kill -KILL "$1"; exit 0'
)


def start_local_server() -> None:
    """Without PREFECT_API_URL, start Prefect's temporary server now, tied to this process.

    Prefect starts it as a child on first use and stops it at exit, but a refresh killed by
    SIGKILL left it running under PID 1 (about 200 MB and a port each). A guard process
    holds the only other end of a pipe from this process; when this process dies, however
    it dies, the pipe closes and the guard stops the server. A clean exit tells the guard
    first and lets Prefect stop the server as before.
    """
    from prefect.settings import PREFECT_API_URL

    if PREFECT_API_URL.value():
        return
    from prefect.server.api.server import SubprocessASGIServer

    server = SubprocessASGIServer()
    server.start()
    proc = server.server_process
    if proc is None or proc.pid in _guarded:  # already started here (the demo starts it early)
        return
    _guarded.add(proc.pid)
    guard = subprocess.Popen(
        ["sh", "-c", _GUARD, "prefect-server-guard", str(proc.pid)],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # a Ctrl+C to the terminal must not stop the guard first
    )

    def release() -> None:
        with contextlib.suppress(OSError, ValueError):
            assert guard.stdin is not None
            guard.stdin.write(b"done\n")
            guard.stdin.close()
        with contextlib.suppress(subprocess.TimeoutExpired):
            guard.wait(5)

    atexit.register(release)  # runs before Prefect's own stop (registered earlier)
    log.debug("temporary Prefect server %s (pid %d) guarded", server.api_url, proc.pid)


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
