"""Start a refresh from the dashboard without the web process touching the warehouse.

The web workers only ever read snapshots (DuckDB allows one writer), so "run now" asks
Prefect to run the scheduled deployment when a Prefect server is configured, and otherwise
starts ``scorecard etl run`` as a separate process with its output in the data home.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

from scorecard.settings import Settings

log = logging.getLogger(__name__)

DEPLOYMENT_ENV = "SCORECARD_REFRESH_DEPLOYMENT"
DEFAULT_DEPLOYMENT = "refresh/nightly"


def _reap(pid: int) -> bool:
    """Collect ``pid`` if it is an exited child of this process; True if it was reaped.

    Under gunicorn the refresh is a child of the worker that started it; nobody waits for
    it, so when it exits it stays a zombie, which ``os.kill(pid, 0)`` still counts as alive.
    """
    try:
        done, _status = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:  # not our child (another worker's, or already reaped)
        return False
    return done == pid


def _state(pid: int) -> str | None:
    """The process state letter from /proc (``Z`` for a zombie), None if there is none."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # "pid (comm) S ...": comm may hold spaces or parentheses, so split after the last ")".
    return stat.rsplit(")", 1)[-1].split()[0]


def _running(pid_file: Path) -> bool:
    """Whether the refresh recorded in ``pid_file`` is still running: the process exists,
    is not a zombie (exited but not yet reaped, by this worker or another), and is a
    ``scorecard_app`` process as ``start_refresh`` spawns it (a pid reused by something else
    after a restart is not)."""
    try:
        pid = int(pid_file.read_text().strip())
    except (FileNotFoundError, ValueError):
        return False
    if pid <= 0 or _reap(pid):
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return False  # another user's process: not a refresh this app started
    state = _state(pid)
    if state is None:  # no /proc (not Linux): trust the signal check
        return True
    if state in {"Z", "X"}:
        return False
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    return b"scorecard_app" in cmdline


def start_refresh(settings: Settings) -> str:
    """Start a refresh; return a sentence saying what happened, for the page to show."""
    if os.environ.get("PREFECT_API_URL"):
        from prefect.deployments import run_deployment

        name = os.environ.get(DEPLOYMENT_ENV, DEFAULT_DEPLOYMENT)
        run = run_deployment(name=name, timeout=0)
        return f"Refresh requested from Prefect (flow run {run.name}); watch it in the Prefect UI."
    logs = settings.home / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    pid_file = logs / "refresh.pid"
    if _running(pid_file):
        return "A refresh is already running; this page will show it when it finishes."
    log_path = logs / f"refresh-{datetime.now():%Y%m%dT%H%M%S}.log"
    with log_path.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "scorecard_app", "etl", "run"],
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            env=os.environ.copy(),
        )
    pid_file.write_text(str(proc.pid))
    log.info("started refresh process %d, log %s", proc.pid, log_path)
    return f"Refresh started at {datetime.now():%H:%M}; the tables update when it finishes."
