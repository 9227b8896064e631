"""The refresh flow: pull new extracts, validate, load, build marts, publish a snapshot.

One Prefect flow run per refresh. For each new file (by checksum) there is a pull task
(retried on transient source errors) and one task that reads, validates (Great
Expectations) and loads it. A file that breaks a must rule is quarantined with a report;
it never stops the others. Then core and marts are rebuilt and a serving snapshot is
published. The run's GX Data Docs are built last, once the snapshot is live and the run
recorded, so they never delay fresh data (a failure there is only logged). Tasks receive
paths and ids, never connections or frames.

A run is recorded as finished only once its snapshot is live. A refresh killed part-way
therefore leaves either a stale live snapshot (the next run sees that the live snapshot's
extracts differ from the warehouse's, rebuilds and republishes) or a live snapshot whose run
is still "running" (the next run records it as finished from the snapshot's own ledger).
"""

from __future__ import annotations

import contextlib
import json
import logging
import shutil
import tempfile
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
from duckdb import DuckDBPyConnection
from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.context import get_run_context

from pipelines import ledger, progress, sources
from pipelines.config import load_config
from pipelines.killpoints import checkpoint
from pipelines.ledger import FileRecord
from pipelines.publish import current_snapshot, snapshot_file_name, snapshot_run_id
from pipelines.runtime import settings_for, warehouse
from scorecard.contract import ContractError, case_decisions, parse_extract_name

log = logging.getLogger(__name__)

# Order matters: action plans and court outcomes are checked against the Area's current
# cps_cases.
KIND_ORDER = (
    "police_cases",
    "cps_cases",
    "cps_action_plans",
    "cps_court_outcomes",
    "workforce",
    "recommendation_updates",
)
EXIT_OK, EXIT_FAILED, EXIT_PARTIAL = 0, 1, 3


@dataclass
class RunResult:
    run_id: str
    status: str  # succeeded | partial | failed
    new: int = 0
    loaded: int = 0
    rejected: int = 0
    warnings: int = 0
    snapshot: str | None = None
    data_docs: str | None = None
    message: str | None = None
    files: list[dict] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return {"succeeded": EXIT_OK, "partial": EXIT_PARTIAL}.get(self.status, EXIT_FAILED)


def _sort_key(name: str) -> tuple[int, str]:
    kind = name.split("__", 1)[0]
    rank = KIND_ORDER.index(kind) if kind in KIND_ORDER else len(KIND_ORDER)
    return rank, name


def _is_transient(task_obj: object, task_run: object, state: object) -> bool:
    try:
        state.result()  # type: ignore[attr-defined]
    except sources.TransientSourceError:
        return True
    except Exception:
        return False
    return False


@task(
    name="pull",
    retries=3,
    retry_delay_seconds=[1, 5, 15],
    retry_condition_fn=_is_transient,
    cache_policy=NO_CACHE,
)
def pull(home: str, run_id: str, source_name: str, url: str, name: str) -> dict:
    """Fetch one file to the run's staging folder (or use it in place when local)."""
    settings = settings_for(home)
    source = load_config(settings).source(source_name)
    remote = sources.RemoteFile(source_name, url, name)
    local = sources.local_path(source, remote)
    try:
        data = sources.read_file(source, remote, sources.Limits.from_settings(settings))
    except sources.RefusedFile as err:  # reported by process_extract, never read
        return {"path": str(local or name), "checksum": None, "refused": [err.rule_id, err.detail]}
    if local is not None:
        staged = local
    else:
        staged = staging_dir(run_id) / name
        staged.parent.mkdir(parents=True, exist_ok=True)
        staged.write_bytes(data)
    return {"path": str(staged), "checksum": sources.checksum(data)}


def rejection_message(failed: int) -> str:
    """What /data and `etl status` say of a rejected file, in words (never 'rule(s)')."""
    if failed == 1:
        return "Rejected: 1 check that must pass failed; the report names it"
    return f"Rejected: {failed} checks that must pass failed; the report names them"


@task(name="read-validate-load", cache_policy=NO_CACHE)
def process_extract(
    home: str,
    run_id: str,
    source_name: str,
    name: str,
    url: str,
    staged: str,
    checksum: str | None,
    refused: list[str] | None = None,
) -> dict:
    """Read → validate → load one extract; reject it with a report if a must rule fails.

    The bytes are read once here and hashed, and those same bytes are parsed, validated
    and loaded: a file rewritten since ``pull`` hashed it is loaded as read now, under
    the checksum of what was read now. ``refused`` is pull's refusal (rule id, detail).
    """
    from expectations.report import write_report
    from expectations.validate import validate_frame
    from pipelines.load import check_newer, current_extract, load_extract
    from pipelines.pseudonymise import load_key, pseudonymise_frame
    from pipelines.read import read_extract

    settings = settings_for(home)
    con = warehouse(settings)
    started = datetime.now()
    rec = FileRecord(
        source=source_name,
        file_name=name,
        outcome="failed",
        started_at=started,
        finished_at=started,
        checksum=checksum,
    )
    report_dir = settings.reports_dir / run_id
    limits = sources.Limits.from_settings(settings)
    source = load_config(settings).source(source_name)
    try:
        if refused:
            with contextlib.suppress(ContractError):
                meta = parse_extract_name(name)
                rec.kind, rec.org_code, rec.as_at = meta.kind, meta.org_code, meta.as_at
            raise sources.RefusedFile(refused[0], refused[1])
        meta = parse_extract_name(name)
        rec.kind, rec.org_code, rec.as_at = meta.kind, meta.org_code, meta.as_at
        check_newer(con, meta.kind, meta.org_code, meta.as_at)
        remote = sources.RemoteFile(source_name, url, name)
        data: bytes | None
        if sources.local_path(source, remote) is None:  # our own staged copy
            data = sources.read_local(Path(staged).parent, staged, limits)
        else:
            data = sources.read_file(source, remote, limits)
        rec.checksum = sources.checksum(data)
        if rec.checksum != checksum:
            log.warning("%s changed after it was listed; loading the version read now", name)
        # Validate the frame as sent (lengths and formats of identifiers are contract rules);
        # only the pseudonymised copy is ever written.
        sent = read_extract(staged, meta.kind, data=data, limits=limits)
        data = None
        key = load_key()
        frame = pseudonymise_frame(meta.kind, sent, key)
        rec.row_count = len(frame)
        urns, received, decided = (None, None, None)
        if meta.kind == "cps_action_plans":
            urns, received = _case_lookup(con, meta.org_code, sent["urn"], frame["urn"])
        elif meta.kind == "cps_court_outcomes":
            urns, decided = _case_lookup(
                con, meta.org_code, sent["urn"], frame["urn"], by_decision=True
            )
        previous = current_extract(con, meta.kind, meta.org_code)
        outcome = validate_frame(
            meta.kind,
            sent,
            org_code=meta.org_code,
            as_at=meta.as_at,
            known_urns=urns,
            case_received=received,
            previous_rows=previous.row_count if previous else None,
            case_decided=decided,
        )
        rec.warnings = len(outcome.should)
        _save_validation(outcome, report_dir / "validations" / f"{name}.json")
        if not outcome.ok:
            rec.outcome = "rejected"
            rec.rules_failed = tuple(f.rule_id for f in outcome.must)
            json_path, _ = write_report(
                outcome,
                file_name=name,
                kind=meta.kind,
                org_code=meta.org_code,
                as_at=meta.as_at,
                out_dir=report_dir,
            )
            rec.report_path = str(json_path)
            rec.message = rejection_message(len(outcome.must))
        else:
            warnings = [
                {"rule_id": f.rule_id, "column": f.column, "count": f.count} for f in outcome.should
            ]
            rec.extract_id = load_extract(
                con,
                kind=meta.kind,
                org_code=meta.org_code,
                as_at=meta.as_at,
                file_name=name,
                source=source_name,
                checksum=rec.checksum,
                frame=frame,
                run_id=run_id,
                warnings=warnings,
                key_fingerprint=ledger.key_fingerprint(key),
            )
            checkpoint("file:loaded")
            rec.outcome = "loaded"
            rec.message = f"{rec.warnings} should-rule warning(s)" if rec.warnings else None
    except ContractError as err:
        rec.outcome = "rejected"
        rec.rules_failed = (err.rule_id,)
        rec.message = err.detail
        json_path, _ = write_report(
            err,
            file_name=name,
            kind=rec.kind,
            org_code=rec.org_code,
            as_at=rec.as_at,
            out_dir=report_dir,
        )
        rec.report_path = str(json_path)
    except Exception as exc:  # recorded, never fatal to the other files
        rec.outcome = "failed"
        rec.message = f"{type(exc).__name__}: {exc}"
        log.exception("failed to process %s", name)
    finally:
        # A national extract is hundreds of MB in Arrow buffers: drop it before the next file
        # and hand the pool's free pages back, so memory stays bounded by the largest file.
        sent = frame = data = None
        pa.default_memory_pool().release_unused()
    rec.finished_at = datetime.now()
    # Record before moving: a crash in between leaves the file in place, already known.
    ledger.record_file(con, run_id, rec)
    if rec.outcome == "rejected":
        moved = sources.quarantine(source, sources.RemoteFile(source_name, url, name), run_id)
        if moved:
            log.info("moved rejected %s to %s", name, moved)
    checkpoint("file:done")
    return {
        "file": name,
        "outcome": rec.outcome,
        "rows": rec.row_count,
        "warnings": rec.warnings,
        "rules_failed": list(rec.rules_failed),
        "message": rec.message,
        "report": rec.report_path,
    }


def _case_lookup(
    con: DuckDBPyConnection,
    area_code: str,
    sent: pd.Series,
    pseudonyms: pd.Series,
    by_decision: bool = False,
) -> tuple[set[str], dict[str, str]]:
    """The URNs (as sent) found in the Area's current cases, with their received dates; with
    ``by_decision``, only the cases whose decision the contract's rule names (court outcomes:
    charged cases), with their decision dates.

    The warehouse holds only pseudonyms, so membership is decided on pseudonyms and mapped
    back to the values in this frame for validation.
    """
    from pipelines.load import known_urns

    if by_decision:
        decisions = case_decisions("cps_court_outcomes")
        known, received = known_urns(con, area_code, decisions, "decision_date")
    else:
        known, received = known_urns(con, area_code)
    found = pseudonyms.isin(known).to_numpy(dtype=bool)
    urns: set[str] = set()
    dates: dict[str, str] = {}
    for raw, key in zip(sent[found].tolist(), pseudonyms[found].tolist(), strict=True):
        urns.add(raw)
        dates[raw] = received[key]
    return urns, dates


def _save_validation(outcome: object, path: Path) -> None:
    """Keep the (value-free) GX result on disk so the run's Data Docs can be built later."""
    result = getattr(outcome, "gx_result", None)
    if result is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result.to_json_dict()), encoding="utf-8")


@task(name="data-docs", cache_policy=NO_CACHE)
def data_docs(home: str, run_id: str) -> str | None:
    """Build this run's GX Data Docs from the saved validation results."""
    from great_expectations.core.expectation_validation_result import (
        ExpectationSuiteValidationResult,
    )

    from expectations.validate import build_data_docs

    run_dir = settings_for(home).reports_dir / run_id
    files = sorted((run_dir / "validations").glob("*.json"))
    if not files:
        return None
    results = [
        ExpectationSuiteValidationResult(**json.loads(f.read_text(encoding="utf-8"))) for f in files
    ]
    labels = [f.name.removesuffix(".json") for f in files]  # the extract's file name
    return str(build_data_docs(run_dir, results, labels))


def staging_dir(run_id: str) -> Path:
    """Where remote files wait during a run: outside the data home, removed afterwards."""
    return Path(tempfile.gettempdir()) / "scorecard-staging" / run_id


@task(name="build-marts", cache_policy=NO_CACHE)
def build_marts(home: str) -> dict:
    from warehouse.build import build

    settings = settings_for(home)
    checkpoint("build:start")
    counts = build(warehouse(settings), settings)
    checkpoint("build:done")
    return counts


@task(name="publish-snapshot", cache_policy=NO_CACHE)
def publish(home: str, run_id: str, name: str, status: str, message: str | None) -> str:
    """Publish the snapshot; its own ledger shows this run finished (see publish_snapshot)."""
    from pipelines.publish import publish_snapshot

    settings = settings_for(home)

    def finish(out: DuckDBPyConnection) -> None:
        ledger.finish_run(out, run_id, status=status, snapshot=name, message=message)

    return str(publish_snapshot(warehouse(settings), settings.snapshots_dir, run_id, name, finish))


def _extract_state(con: DuckDBPyConnection) -> set[tuple]:
    return set(con.execute("SELECT extract_id, is_current FROM raw.extracts").fetchall())


def _needs_build(home: str) -> bool:
    """True unless the live snapshot was built from exactly the warehouse's extracts.

    Decided from the files themselves, not the run ledger, so a refresh killed after a load
    or a build but before its snapshot went live is repaired by the next run.
    """
    settings = settings_for(home)
    live = current_snapshot(settings.snapshots_dir)
    if live is None:
        return True
    try:
        with duckdb.connect(str(live), read_only=True) as snap:
            published = _extract_state(snap)
    except duckdb.Error as exc:
        log.warning("cannot read the live snapshot %s (%s): rebuilding", live.name, exc)
        return True
    return published != _extract_state(warehouse(settings))


def _recover_published_run(con: DuckDBPyConnection, snapshots_dir: Path) -> None:
    """A run killed after its snapshot went live but before it was recorded: record it from
    the snapshot's own ledger (its snapshot is live, so it finished)."""
    live = current_snapshot(snapshots_dir)
    run_id = snapshot_run_id(live) if live is not None else None
    if live is None or run_id is None:
        return
    row = con.execute("SELECT status FROM meta.runs WHERE run_id = ?", [run_id]).fetchone()
    if row is None or row[0] != "running":
        return
    with duckdb.connect(str(live), read_only=True) as snap:
        got = snap.execute(
            "SELECT status, message FROM meta.runs WHERE run_id = ?", [run_id]
        ).fetchone()
    if got is None or got[0] == "running":
        return
    ledger.finish_run(con, run_id, status=got[0], snapshot=live.name, message=got[1])
    log.warning("run %s was killed after publishing %s; recorded it finished", run_id, live.name)


@flow(name="refresh", log_prints=False, persist_result=False)
def refresh(home: str, source_names: list[str] | None = None, docs: bool = True) -> RunResult:
    """Refresh the warehouse and the serving snapshot from the configured sources.

    ``docs=False`` leaves the Data Docs to the caller (``data_docs.fn``), which the demo
    builds once the dashboard is serving."""
    logger = get_run_logger()
    settings = settings_for(home)
    config = load_config(settings)
    chosen = [config.source(n) for n in source_names] if source_names else list(config.sources)
    run_id = uuid.uuid4().hex
    try:
        flow_run_id = str(get_run_context().flow_run.id)  # type: ignore[union-attr]
    except Exception:
        flow_run_id = None
    con = warehouse(settings)
    _recover_published_run(con, settings.snapshots_dir)
    ledger.close_abandoned(con)
    ledger.start_run(con, run_id, [s.name for s in chosen], flow_run_id)
    result = RunResult(run_id=run_id, status="failed")
    pending: list[tuple[str, str, str, dict]] = []
    try:
        from pipelines.pseudonymise import load_key

        # Before any file is read: a different key would load records that never link.
        ledger.check_key(con, ledger.key_fingerprint(load_key()))
        seen = ledger.seen_checksums(con)
        progress.stage("listing")
        for source in chosen:
            listed = sources.list_files(source)
            logger.info("source %s: %d file(s) listed", source.name, len(listed))
            checkpoint("listed")
            for remote in sorted(listed, key=lambda r: _sort_key(r.name)):
                if remote.hidden:
                    if ledger.record_hidden(con, run_id, source.name, remote.name, settings):
                        logger.info("ignored hidden file %s (reported once)", remote.name)
                    continue
                staged = pull(home, run_id, source.name, remote.url, remote.name)
                if staged["checksum"] is not None and staged["checksum"] in seen:
                    continue
                if staged["checksum"] is not None:
                    seen.add(staged["checksum"])
                pending.append((source.name, remote.name, remote.url, staged))
        pending.sort(key=lambda p: _sort_key(p[1]))
        files_done = progress.Files(p[3]["path"] for p in pending)
        for i, (source_name, name, url, staged) in enumerate(pending, 1):
            out = process_extract(
                home,
                run_id,
                source_name,
                name,
                url,
                staged["path"],
                staged["checksum"],
                staged.get("refused"),
            )
            result.files.append(out)
            files_done.done(staged["path"])
            logger.info(
                "[%d/%d] %s: %s%s",
                i,
                len(pending),
                name,
                out["outcome"],
                f" ({out['message']})" if out["message"] else "",
            )
        built = _needs_build(home)
        if built:
            progress.stage("build")
            counts = build_marts(home)
            logger.info("built core and marts: %s", counts)
        outcomes = [f["outcome"] for f in result.files]
        result.status = "succeeded" if all(o == "loaded" for o in outcomes) else "partial"
        if any(o == "failed" for o in outcomes):
            result.status = "failed"
            result.message = "some files failed to process; see meta.run_files"
        if built or pending:
            # The snapshot's own ledger shows this run finished; the warehouse records it
            # only below, once the snapshot is live.
            name = snapshot_file_name(run_id)
            progress.stage("publish")
            result.snapshot = publish(home, run_id, name, result.status, result.message)
    except Exception as exc:
        result.status = "failed"
        result.message = f"{type(exc).__name__}: {exc}"
        logger.error("refresh failed: %s", result.message)
    finally:
        snapshot = Path(result.snapshot).name if result.snapshot else None
        counts = ledger.finish_run(
            con, run_id, status=result.status, snapshot=snapshot, message=result.message
        )
        result.new, result.loaded = counts["new"], counts["loaded"]
        result.rejected, result.warnings = counts["rejected"], counts["warnings"]
        shutil.rmtree(staging_dir(run_id), ignore_errors=True)
    if pending and docs:
        # Off the critical path: after the snapshot is live and the run recorded (and also
        # when the run failed, so rejected files still get their reports).
        try:
            progress.stage("docs")
            result.data_docs = data_docs(home, run_id)
        except Exception as exc:  # docs are a convenience; never fail a refresh for them
            logger.warning("could not build Data Docs: %s", exc)
    return result
