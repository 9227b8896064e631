"""Entry points the CLI calls: run a refresh, report status, serve schedules.

Kept apart from the flow so the CLI and the dashboard's "run now" share one path that
sets up the offline Prefect environment and the error messages.
"""

from __future__ import annotations

import logging

from pipelines.config import load_config
from pipelines.runtime import close_all, prefect_environment, start_local_server
from scorecard.settings import load_settings

log = logging.getLogger(__name__)


def run_refresh(
    source_names: list[str] | None = None, docs: bool = True, rebuild: bool = False
):  # -> RunResult
    settings = load_settings()
    prefect_environment(settings.home)
    from pipelines.flow import refresh
    from pipelines.pseudonymise import load_key

    key = load_key()  # fail before starting Prefect if the key is missing
    load_config(settings)  # fail fast on a bad config
    try:
        check_key(key)  # ... or is not the key the warehouse was loaded with
        start_local_server()  # if it must be a temporary one: stops when this process dies
        return refresh(str(settings.home), source_names, docs, rebuild)
    finally:
        # Let go of the warehouse's write lock: a caller that goes on running (``scorecard
        # demo`` serves the dashboard next) must not keep other refreshes out.
        close_all()


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
    """Freshness per sender and the last runs, as published in the serving snapshot.

    Read from the snapshot (many readers may share it), not the warehouse, so this works
    while the dashboard serves and never holds a lock that would stop a refresh starting;
    only before the first snapshot does it look at the warehouse, and then only if no
    refresh holds it.
    """
    import duckdb

    from pipelines.publish import current_snapshot
    from warehouse import db
    from warehouse.status import freshness, recent_runs

    settings = load_settings()
    live = current_snapshot(settings.snapshots_dir)
    if live is not None:
        path, source = live, f"as published in snapshot {live.name}"
    elif settings.warehouse_path.exists():
        path, source = settings.warehouse_path, "from the warehouse (nothing published yet)"
    else:
        return f"no warehouse at {settings.warehouse_path} yet; run `scorecard etl run`"
    try:
        with db.read_only(path) as con:
            fresh = freshness(con)
            runs = recent_runs(con, limit)
    except duckdb.IOException:
        return (
            "the warehouse is in use by a refresh and nothing is published yet; "
            "try again when the refresh has finished"
        )
    lines = [
        f"Freshness by sender ({source})",
        f"{'organisation':<30} {'kind':<24} {'last as_at':<11} {'days':>5}  "
        f"{'expected':<10} {'overdue':<8} last outcome",
    ]
    for f in fresh:
        as_at = f.last_as_at.isoformat() if f.last_as_at else "-"
        days = "-" if f.days_since is None else str(f.days_since)
        late = "yes" if f.overdue else "no"
        lines.append(
            f"{f.org_code:<30} {f.kind:<24} {as_at:<11} {days:>5}  {f.expected:<10} {late:<8} "
            f"{f.last_outcome or '-'}"
        )
    late_count = sum(f.overdue for f in fresh)
    lines.insert(1, f"{late_count} of {len(fresh)} overdue (SCORECARD_EXPECTED_CADENCE)")
    lines += ["", "Recent runs", f"{'run':<9} {'started':<17} {'status':<10} new loaded rejected"]
    for r in runs:
        lines.append(
            f"{r.run_id[:8]:<9} {r.started_at:%Y-%m-%d %H:%M} {r.status:<10} "
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
