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


def _running(pid_file: Path) -> bool:
    try:
        pid = int(pid_file.read_text().strip())
    except (FileNotFoundError, ValueError):
        return False
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True


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
