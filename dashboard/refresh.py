"""Start a refresh from the dashboard without the web process touching the warehouse.

The web workers only ever read snapshots (DuckDB allows one writer), so "run now" asks
Prefect to run the scheduled deployment when a Prefect server is configured, and otherwise
starts ``scorecard etl run`` as a separate process. Each such launch leaves three files in
``<home>/logs/refresh/``: ``<id>.json`` (who started it, when, its pid), ``<id>.log`` (its
output) and ``<id>.result.json``, which the child writes as it exits (``etl run
--result-file``). A launch with no result whose process is gone died (killed, crashed, out
of memory) and is reported as failed; either way the next click may start another.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, cast

from scorecard.settings import Settings

if TYPE_CHECKING:
    from prefect.client.schemas.objects import FlowRun

log = logging.getLogger(__name__)

DEPLOYMENT_ENV = "SCORECARD_REFRESH_DEPLOYMENT"
DEFAULT_DEPLOYMENT = "refresh/nightly"
LOG_TAIL_BYTES = 20_000

# Exit codes of `scorecard etl run` (pipelines.flow: EXIT_OK, EXIT_PARTIAL; anything else failed).
_EXIT_STATE = {0: "succeeded", 3: "partial"}
STATE_TEXT = {
    "running": "Running",
    "succeeded": "Finished: every new extract loaded",
    "partial": "Finished: some extracts rejected",
    "failed": "Failed",
}


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


def _alive(pid: int) -> bool:
    """Whether ``pid`` is a live ``scorecard_app`` process as ``start_refresh`` spawns it:
    it exists, is not a zombie (exited but not yet reaped, by this worker or another), and
    is not a pid reused by something else after a restart."""
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


def _running(pid_file: Path) -> bool:
    """Whether the process whose pid is in ``pid_file`` is a live refresh."""
    try:
        pid = int(pid_file.read_text().strip())
    except (FileNotFoundError, ValueError):
        return False
    return _alive(pid)


@dataclass(frozen=True)
class Launch:
    """One refresh started from the data page, and what became of it."""

    launch_id: str
    started_at: datetime
    by: str | None
    pid: int
    state: str  # running | succeeded | partial | failed
    finished_at: datetime | None
    summary: str
    log_path: Path

    @property
    def state_text(self) -> str:
        return STATE_TEXT.get(self.state, self.state)

    def log_tail(self, max_bytes: int = LOG_TAIL_BYTES) -> str:
        """The end of the launch's output (a refresh's log names files and rules, never
        identifiers), for the page to show under the row."""
        try:
            with self.log_path.open("rb") as fh:
                fh.seek(0, os.SEEK_END)
                size = fh.tell()
                fh.seek(max(0, size - max_bytes))
                text = fh.read().decode("utf-8", errors="replace")
        except OSError:
            return ""
        if size > max_bytes:
            text = "…\n" + text.split("\n", 1)[-1]
        return text


def launch_dir(settings: Settings) -> Path:
    return settings.home / "logs" / "refresh"


def _read_json(path: Path) -> dict | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _launch(record_path: Path) -> Launch | None:
    rec = _read_json(record_path)
    if rec is None:
        return None
    launch_id = record_path.name.removesuffix(".json")
    result_path = record_path.with_name(f"{launch_id}.result.json")
    try:
        started = datetime.fromisoformat(str(rec["started_at"]))
        pid = int(rec["pid"])
    except (KeyError, TypeError, ValueError):
        return None
    result = _read_json(result_path)
    if result is None and _alive(pid):
        state, finished, summary = "running", None, "Still running."
    else:
        result = result or _read_json(result_path)  # it may have finished just now
        if result is None:
            state = "failed"
            finished = None
            summary = (
                "The refresh process stopped without finishing (killed or crashed); "
                "its log below shows how far it got."
            )
        else:
            code = int(result.get("exit_code", 1))
            state = _EXIT_STATE.get(code, "failed")
            finished = _when(result.get("finished_at"))
            summary = str(result.get("summary") or f"Exit code {code}.")
    return Launch(
        launch_id=launch_id,
        started_at=started,
        by=rec.get("by"),
        pid=pid,
        state=state,
        finished_at=finished,
        summary=summary,
        log_path=record_path.with_name(f"{launch_id}.log"),
    )


def _when(raw: object) -> datetime | None:
    try:
        return datetime.fromisoformat(str(raw)) if raw else None
    except ValueError:
        return None


def launches(settings: Settings, limit: int = 10) -> list[Launch]:
    """Refreshes started from the data page, newest first."""
    folder = launch_dir(settings)
    if not folder.is_dir():
        return []
    records = sorted(
        (p for p in folder.glob("*.json") if not p.name.endswith(".result.json")),
        key=lambda p: p.name,
        reverse=True,
    )
    out = []
    for path in records:
        got = _launch(path)
        if got is not None:
            out.append(got)
        if len(out) >= limit:
            break
    return out


def start_refresh(settings: Settings, by: str | None = None) -> str:
    """Start a refresh; return a sentence saying what happened, for the page to show."""
    if os.environ.get("PREFECT_API_URL"):
        from prefect.deployments import run_deployment

        name = os.environ.get(DEPLOYMENT_ENV, DEFAULT_DEPLOYMENT)
        # Called from a sync callback, run_deployment runs to completion and returns the run
        # (its type also allows the coroutine it returns when called from async code).
        run = cast("FlowRun", run_deployment(name=name, timeout=0))
        return f"Refresh requested from Prefect (flow run {run.name}); watch it in the Prefect UI."
    running = [launch for launch in launches(settings, 1) if launch.state == "running"]
    if running:
        return (
            f"A refresh is already running (started {running[0].started_at:%H:%M}); "
            "this page shows it when it finishes."
        )
    folder = launch_dir(settings)
    folder.mkdir(parents=True, exist_ok=True)
    now = datetime.now()
    launch_id = f"{now:%Y%m%dT%H%M%S%f}"
    log_path = folder / f"{launch_id}.log"
    result_path = folder / f"{launch_id}.result.json"
    with log_path.open("wb") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "scorecard_app",
                "etl",
                "run",
                "--result-file",
                str(result_path),
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            # unbuffered, so a refresh that is killed leaves its log up to that moment
            env=os.environ | {"PYTHONUNBUFFERED": "1"},
        )
    record = {"pid": proc.pid, "started_at": now.isoformat(timespec="seconds"), "by": by}
    tmp = folder / f".{launch_id}.json.tmp"
    tmp.write_text(json.dumps(record), encoding="utf-8")
    tmp.replace(folder / f"{launch_id}.json")
    log.info("started refresh process %d, log %s", proc.pid, log_path)
    return f"Refresh started at {now:%H:%M}; it is listed below and the tables update when it ends."
