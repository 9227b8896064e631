"""Entry points the CLI calls: run a refresh, report status, serve schedules.

Kept apart from the flow so the CLI and the dashboard's "run now" share one path that
sets up the offline Prefect environment and the error messages.
"""

from __future__ import annotations

import logging

from pipelines.config import load_config
from pipelines.runtime import prefect_environment, start_local_server
from scorecard.settings import load_settings

log = logging.getLogger(__name__)


def run_refresh(source_names: list[str] | None = None):  # -> RunResult
    settings = load_settings()
    prefect_environment(settings.home)
    from pipelines.flow import refresh
    from pipelines.pseudonymise import load_key

    key = load_key()  # fail before starting Prefect if the key is missing
    load_config(settings)  # fail fast on a bad config
    check_key(key)  # ... or is not the key the warehouse was loaded with
    start_local_server()  # if it must be a temporary one: stops when this process dies
    return refresh(str(settings.home), source_names)


def check_key(key: bytes) -> None:
    """Raise ledger.KeyMismatchError before a run when the warehouse has another key's
    fingerprint (the flow checks again, for scheduled runs)."""
    from pipelines import ledger
    from pipelines.runtime import warehouse

    settings = load_settings()
    if not settings.warehouse_path.exists():
        return
    ledger.check_key(warehouse(settings), ledger.key_fingerprint(key))


def status_report(limit: int = 10) -> str:
    from warehouse import db
    from warehouse.status import freshness, recent_runs

    settings = load_settings()
    if not settings.warehouse_path.exists():
        return f"no warehouse at {settings.warehouse_path} yet; run `scorecard etl run`"
    with db.read_only(settings.warehouse_path) as con:
        fresh = freshness(con)
        runs = recent_runs(con, limit)
    lines = [
        "Freshness by sender",
        f"{'organisation':<30} {'kind':<24} {'last as_at':<11} {'days':>5}  last outcome",
    ]
    for f in fresh:
        as_at = f.last_as_at.isoformat() if f.last_as_at else "-"
        days = "-" if f.days_since is None else str(f.days_since)
        lines.append(
            f"{f.org_code:<30} {f.kind:<24} {as_at:<11} {days:>5}  {f.last_outcome or '-'}"
        )
    lines += ["", "Recent runs", f"{'run':<9} {'started':<20} {'status':<10} new loaded rejected"]
    for r in runs:
        lines.append(
            f"{r.run_id[:8]:<9} {r.started_at:%Y-%m-%d %H:%M:%S} {r.status:<10} "
            f"{r.files_new:>3} {r.files_loaded:>6} {r.files_rejected:>8}"
            + (f"  {r.message}" if r.message else "")
        )
    return "\n".join(lines)


def serve_schedules() -> None:
    settings = load_settings()
    prefect_environment(settings.home)
    from pipelines.pseudonymise import load_key
    from pipelines.serve import serve_forever

    load_key()
    serve_forever(load_config(settings), str(settings.home))
