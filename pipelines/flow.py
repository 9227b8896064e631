"""The refresh flow: pull new extracts, validate, load, build marts, publish a snapshot.

One Prefect flow run per refresh. For each listed file there is a pull task (retried on
transient source errors; a local file is used in place); then one task per batch of files
of one kind reads each once, hashes those bytes (skipping any loaded or rejected before),
pseudonymises the batch column by column, validates it with one Great Expectations run and
loads the files that pass in one transaction. Each file is still accepted or rejected
alone: one that breaks a must rule is quarantined with its own report; it never stops the
others. Then core and marts are rebuilt and a serving snapshot is published. The run's GX
Data Docs are built last, once the snapshot is live and the run recorded, so they never
delay fresh data (a failure there is only logged). Tasks receive paths and ids, never
connections or frames.

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
from typing import TYPE_CHECKING

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
from scorecard.contract import ContractError, ExtractName, case_decisions, parse_extract_name

if TYPE_CHECKING:  # GX is imported only once a task validates
    from expectations.validate import FrameToValidate, ValidationOutcome

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
SEEN = "seen"  # process_batch's outcome for bytes loaded or rejected before: not new


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
    """Fetch one remote file to the run's staging folder; a local file is used in place.

    Nothing is hashed here (``checksum`` is always None): the batch reads the bytes once,
    hashes them, skips them when already seen, and validates and loads those same bytes
    (``_Batch.read``).
    """
    settings = settings_for(home)
    source = load_config(settings).source(source_name)
    remote = sources.RemoteFile(source_name, url, name)
    local = sources.local_path(source, remote)
    if local is not None:
        return {"path": str(local), "checksum": None}
    try:
        data = sources.fetch(source, remote, sources.Limits.from_settings(settings))
    except sources.RefusedFile as err:  # reported by process_batch, never read
        return {"path": name, "checksum": None, "refused": [err.rule_id, err.detail]}
    staged = staging_dir(run_id) / name
    staged.parent.mkdir(parents=True, exist_ok=True)
    staged.write_bytes(data)
    return {"path": str(staged), "checksum": None}


def rejection_message(failed: int) -> str:
    """What /data and `etl status` say of a rejected file, in words (never 'rule(s)')."""
    if failed == 1:
        return "Rejected: 1 check that must pass failed; the report names it"
    return f"Rejected: {failed} checks that must pass failed; the report names them"


# A kind's new files are validated together in batches of at most this many bytes as
# sent: GX's fixed cost per run dominates small files, and a batch's frames stay in memory
# until its files are loaded.
BATCH_BYTES = 150 * 2**20


@dataclass
class _Job:
    """One pending file through a batch: its ledger row, then its frames once read."""

    source_name: str
    name: str
    url: str
    staged: str
    rec: FileRecord
    refused: list[str] | None = None
    meta: ExtractName | None = None
    sent: pd.DataFrame | None = None  # as sent: what is validated
    frame: pd.DataFrame | None = None  # pseudonymised: what is loaded
    item: FrameToValidate | None = None
    outcome: ValidationOutcome | None = None
    error: Exception | None = None  # a ContractError rejects; anything else fails the file
    seen: bool = False  # its bytes were loaded or rejected before: skipped, never recorded


class _Batch:
    """What every file of one batch task shares: settings, warehouse, key, report folder."""

    def __init__(self, home: str, run_id: str) -> None:
        from pipelines.pseudonymise import load_key

        self.run_id = run_id
        self.settings = settings_for(home)
        self.con = warehouse(self.settings)
        self.config = load_config(self.settings)
        self.report_dir = self.settings.reports_dir / run_id
        self.limits = sources.Limits.from_settings(self.settings)
        self.key = load_key()
        self.fingerprint = ledger.key_fingerprint(self.key)
        # Every checksum already loaded or rejected, or met earlier in this run.
        self.seen = ledger.seen_checksums(self.con, run_id)

    def job(self, spec: dict) -> _Job:
        started = datetime.now()
        rec = FileRecord(
            source=spec["source"],
            file_name=spec["name"],
            outcome="failed",
            started_at=started,
            finished_at=started,
        )
        return _Job(
            spec["source"], spec["name"], spec["url"], spec["path"], rec, spec.get("refused")
        )

    def read(self, job: _Job) -> None:
        """Read the bytes once and hash them; skip them if seen; else check the name and that
        it is newer, and parse them.

        Those same bytes are hashed, validated and loaded, nothing else: a file rewritten
        while the run goes is loaded as read here, under the checksum of what was read here.
        """
        from pipelines.read import read_extract

        name, rec = job.name, job.rec
        source = self.config.source(job.source_name)
        try:
            data: bytes | None
            try:
                if job.refused:
                    raise sources.RefusedFile(job.refused[0], job.refused[1])
                remote = sources.RemoteFile(job.source_name, job.url, name)
                if sources.local_path(source, remote) is None:  # our own staged copy
                    data = sources.read_local(Path(job.staged).parent, job.staged, self.limits)
                else:
                    data = sources.read_file(source, remote, self.limits)
            except sources.RefusedFile:  # reported under the name's kind and sender if any
                with contextlib.suppress(ContractError):
                    meta = parse_extract_name(name)
                    rec.kind, rec.org_code, rec.as_at = meta.kind, meta.org_code, meta.as_at
                raise
            rec.checksum = checksum = sources.checksum(data)
            if checksum in self.seen:
                job.seen = True
                return
            self.seen.add(checksum)
            meta = job.meta = parse_extract_name(name)
            rec.kind, rec.org_code, rec.as_at = meta.kind, meta.org_code, meta.as_at
            self.state(job)
            # Validate the frame as sent (lengths and formats of identifiers are contract
            # rules); only the pseudonymised copy is ever written.
            job.sent = read_extract(job.staged, meta.kind, data=data, limits=self.limits)
            rec.row_count = len(job.sent)
        except Exception as exc:
            job.error = exc
            job.sent = None

    def pseudonymise(self, jobs: list[_Job]) -> None:
        """Pseudonymise every file read, one pass per identifier column of each kind (the
        batch's chunks end to end), then take each file's validation inputs."""
        from pipelines.pseudonymise import pseudonymise_frames

        by_kind: dict[str, list[_Job]] = {}
        for j in jobs:
            if j.sent is not None and j.error is None and j.meta is not None:
                by_kind.setdefault(j.meta.kind, []).append(j)
        for kind, group in by_kind.items():
            sent = [j.sent for j in group if j.sent is not None]
            frames: list[pd.DataFrame | None]
            try:
                frames = list(pseudonymise_frames(kind, sent, self.key))
            except Exception:  # keep one file's failure from failing the others
                log.exception("pseudonymising %d %s file(s) together failed", len(group), kind)
                frames = [None] * len(group)  # each file alone, below
            for j, one, frame in zip(group, sent, frames, strict=True):
                try:
                    j.frame = (
                        pseudonymise_frames(kind, [one], self.key)[0] if frame is None else frame
                    )
                    self.inputs(j)
                except Exception as exc:
                    j.error = exc
                    j.sent = j.frame = None

    def state(self, job: _Job) -> None:
        """Refuse a file not newer than the sender's current one (ContractError)."""
        from pipelines.load import check_newer

        assert job.meta is not None
        check_newer(self.con, job.meta.kind, job.meta.org_code, job.meta.as_at)

    def inputs(self, job: _Job) -> None:
        """The per-file inputs of validation, from the warehouse as it is now."""
        from expectations.validate import FrameToValidate
        from pipelines.load import current_extract

        meta, sent, frame = job.meta, job.sent, job.frame
        assert meta is not None and sent is not None and frame is not None
        urns, received, decided = (None, None, None)
        if meta.kind == "cps_action_plans":
            urns, received = _case_lookup(self.con, meta.org_code, sent["urn"], frame["urn"])
        elif meta.kind == "cps_court_outcomes":
            urns, decided = _case_lookup(
                self.con, meta.org_code, sent["urn"], frame["urn"], by_decision=True
            )
        previous = current_extract(self.con, meta.kind, meta.org_code)
        job.item = FrameToValidate(
            sent,
            org_code=meta.org_code,
            as_at=meta.as_at,
            known_urns=urns,
            case_received=received,
            case_decided=decided,
            previous_rows=previous.row_count if previous else None,
        )

    def validate(self, jobs: list[_Job]) -> None:
        """One GX validation per kind over the files read (``validate_frames``)."""
        from expectations.validate import validate_frames

        ready = [j for j in jobs if j.item is not None and j.error is None and not j.seen]
        by_kind: dict[str, list[_Job]] = {}
        for j in ready:
            assert j.meta is not None
            by_kind.setdefault(j.meta.kind, []).append(j)
        for kind, group in by_kind.items():
            try:
                outcomes = validate_frames(kind, [j.item for j in group if j.item is not None])
            except Exception:  # keep one file's failure from failing the others
                log.exception("validating %d %s file(s) together failed", len(group), kind)
                for j in group:
                    self.validate_alone(j)
                continue
            for j, outcome in zip(group, outcomes, strict=True):
                j.outcome = outcome

    def validate_alone(self, job: _Job) -> None:
        assert job.item is not None and job.meta is not None
        try:
            job.outcome = job.item.alone(job.meta.kind)
        except Exception as exc:
            job.error = exc

    def refresh_state(self, job: _Job) -> None:
        """After an earlier file of the same sender and kind loaded in this batch, check this
        one again against the warehouse as it now is, exactly as a run file by file did."""
        if job.meta is None or job.seen or isinstance(job.error, sources.RefusedFile):
            return
        try:
            self.state(job)  # first, as before: an older file is refused before it is read
            if job.error is not None or job.item is None:
                return
            self.inputs(job)
        except Exception as exc:
            job.error = exc
            return
        self.validate_alone(job)

    def loadable(self, job: _Job) -> bool:
        """Read, validated and passing every must rule: loaded with the batch's others."""
        return (
            not job.seen
            and job.error is None
            and job.frame is not None
            and job.outcome is not None
            and job.outcome.ok
        )

    def load(self, group: list[_Job]) -> list[dict]:
        """Load ``group`` (loadable files of one kind, one per sender) in one transaction with
        one INSERT of all their rows, then record each in order (``finish``).

        If that load fails, nothing of it was written: each file is then loaded alone, so one
        file's failure never fails the others.
        """
        from pipelines.load import Incoming, load_extracts

        if not group:
            return []
        kind = group[0].rec.kind or ""
        ids: list[int | None]
        try:
            incoming = []
            for j in group:
                assert j.meta is not None and j.outcome is not None and j.frame is not None
                assert j.rec.checksum is not None
                incoming.append(
                    Incoming(
                        j.meta.org_code,
                        j.meta.as_at,
                        j.name,
                        j.source_name,
                        j.rec.checksum,
                        j.frame,
                        _warnings(j.outcome),
                    )
                )
            ids = list(
                load_extracts(
                    self.con, kind, incoming, run_id=self.run_id, key_fingerprint=self.fingerprint
                )
            )
        except Exception:
            log.exception(
                "loading %d %s file(s) together failed; loading each alone", len(group), kind
            )
            ids = [None] * len(group)
        return [self.finish(j, extract_id) for j, extract_id in zip(group, ids, strict=True)]

    def reject(
        self,
        job: _Job,
        why: ValidationOutcome | ContractError,
        rules: tuple[str, ...],
        message: str | None,
    ) -> None:
        """Mark ``job``'s file rejected with its report: ``why`` is the validation outcome
        (rule results) or the ContractError that stopped it before validation."""
        from expectations.report import write_report

        rec = job.rec
        rec.outcome = "rejected"
        rec.rules_failed = rules
        rec.message = message
        json_path, _ = write_report(
            why,
            file_name=job.name,
            kind=rec.kind,
            org_code=rec.org_code,
            as_at=rec.as_at,
            out_dir=self.report_dir,
        )
        rec.report_path = str(json_path)

    def finish(self, job: _Job, extract_id: int | None = None) -> dict:
        """Reject (with a report) or load one file, record it, quarantine it if rejected.

        ``extract_id`` is given when the file was already loaded with its batch (``load``).
        """
        from pipelines.load import load_extract

        rec, name = job.rec, job.name
        if job.seen:
            return {"file": name, "outcome": SEEN}
        try:
            if job.error is not None:
                raise job.error
            outcome, meta = job.outcome, job.meta
            assert outcome is not None and meta is not None and job.frame is not None
            assert rec.checksum is not None
            rec.warnings = len(outcome.should)
            _save_validation(outcome, self.report_dir / "validations" / f"{name}.json")
            if not outcome.ok:
                rules = tuple(f.rule_id for f in outcome.must)
                self.reject(job, outcome, rules, rejection_message(len(outcome.must)))
            elif extract_id is not None:
                rec.extract_id = extract_id
            else:
                rec.extract_id = load_extract(
                    self.con,
                    kind=meta.kind,
                    org_code=meta.org_code,
                    as_at=meta.as_at,
                    file_name=name,
                    source=job.source_name,
                    checksum=rec.checksum,
                    frame=job.frame,
                    run_id=self.run_id,
                    warnings=_warnings(outcome),
                    key_fingerprint=self.fingerprint,
                )
            if outcome.ok:
                checkpoint("file:loaded")
                rec.outcome = "loaded"
                rec.message = f"{rec.warnings} should-rule warning(s)" if rec.warnings else None
        except ContractError as err:
            self.reject(job, err, (err.rule_id,), err.detail)
        except Exception as exc:  # recorded, never fatal to the other files
            rec.outcome = "failed"
            rec.message = f"{type(exc).__name__}: {exc}"
            log.error("failed to process %s", name, exc_info=exc)
        finally:
            # A national extract is hundreds of MB in Arrow buffers: drop it once loaded.
            job.sent = job.frame = job.item = None
        rec.finished_at = datetime.now()
        # Record before moving: a crash in between leaves the file in place, already known.
        ledger.record_file(self.con, self.run_id, rec)
        if rec.outcome == "rejected":
            source = self.config.source(job.source_name)
            remote = sources.RemoteFile(job.source_name, job.url, name)
            moved = sources.quarantine(source, remote, self.run_id)
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


@task(name="read-validate-load", cache_policy=NO_CACHE)
def process_batch(home: str, run_id: str, files: list[dict]) -> list[dict]:
    """Read every file of a batch, validate them together, then reject or load each in order.

    ``files`` are pull's results with ``source``, ``name`` and ``url`` (see ``_batches``).
    Each file is still accepted or rejected alone, with its own report, ledger row and
    quarantine; nothing is written for any file before all are validated. The files that
    pass are loaded together in one transaction (``_Batch.load``), then recorded in name
    order; a later snapshot of a sender loaded in this batch waits for the earlier one and
    is checked again against it. A file whose bytes were loaded or rejected before comes
    back with outcome ``SEEN`` and nothing recorded.
    """
    batch = _Batch(home, run_id)
    jobs = [batch.job(spec) for spec in files]
    outs: dict[int, dict] = {}
    try:
        for job in jobs:
            batch.read(job)
        batch.pseudonymise(jobs)
        batch.validate(jobs)
        waiting: list[_Job] = []  # loadable files of distinct senders, loaded together
        loaded: set[tuple[str, str]] = set()  # senders with a file loaded by this batch

        def load_waiting() -> None:
            for job, out in zip(waiting, batch.load(waiting), strict=True):
                outs[id(job)] = out
                if out["outcome"] == "loaded":
                    loaded.add(_sender(job))
            waiting.clear()

        for job in jobs:
            sender = _sender(job)
            if any(_sender(w) == sender for w in waiting):
                load_waiting()  # its earlier snapshot first, as file by file
            if sender in loaded:
                batch.refresh_state(job)
            if batch.loadable(job):
                waiting.append(job)
            else:
                outs[id(job)] = batch.finish(job)
        load_waiting()
        return [outs[id(job)] for job in jobs]
    finally:
        jobs.clear()
        pa.default_memory_pool().release_unused()


def _sender(job: _Job) -> tuple[str, str]:
    return job.rec.kind or "", job.rec.org_code or ""


def _warnings(outcome: ValidationOutcome) -> list[dict]:
    """The should-rule failures recorded with a loaded extract."""
    return [{"rule_id": f.rule_id, "column": f.column, "count": f.count} for f in outcome.should]


@task(name="read-validate-load-one", cache_policy=NO_CACHE)
def process_extract(
    home: str,
    run_id: str,
    source_name: str,
    name: str,
    url: str,
    staged: str,
    checksum: str | None = None,
    refused: list[str] | None = None,
) -> dict:
    """Read → validate → load one extract: a batch of one (``process_batch``).

    ``checksum`` is pull's, always None: the batch hashes the bytes it reads.
    """
    spec = {
        "source": source_name,
        "name": name,
        "url": url,
        "path": staged,
        "refused": refused,
    }
    return process_batch.fn(home, run_id, [spec])[0]


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

    The warehouse holds only pseudonyms, so membership is decided on pseudonyms (one join,
    ``case_matches``) and mapped back to the values in this frame for validation.
    """
    from pipelines.load import case_matches
    from pipelines.read import arrow_text

    column = arrow_text(pseudonyms)
    if by_decision:
        decisions = case_decisions("cps_court_outcomes")
        found = case_matches(con, area_code, column, decisions, "decision_date")
    else:
        found = case_matches(con, area_code, column)
    raw = sent.iloc[[pos for pos, _ in found]].tolist()
    urns: set[str] = set()
    dates: dict[str, str] = {}
    for value, (_, when) in zip(raw, found, strict=True):
        urns.add(value)
        dates[value] = when
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


def _batches(pending: list[tuple[str, str, str, dict]]) -> list[list[dict]]:
    """The pending files (in load order) cut into runs of one kind of at most BATCH_BYTES.

    Batches keep the load order: each is a consecutive run of the sorted files, so action
    plans still come after the cases they are checked against.
    """
    out: list[list[dict]] = []
    size, kind = 0, None
    for source_name, name, url, staged in pending:
        spec = {**staged, "source": source_name, "name": name, "url": url}
        try:
            n = Path(staged["path"]).stat().st_size
        except OSError:
            n = 0
        this = name.split("__", 1)[0]
        if not out or this != kind or size + n > BATCH_BYTES:
            out.append([])
            size, kind = 0, this
        out[-1].append(spec)
        size += n
    return out


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
def refresh(
    home: str, source_names: list[str] | None = None, docs: bool = True, rebuild: bool = False
) -> RunResult:
    """Refresh the warehouse and the serving snapshot from the configured sources.

    ``docs=False`` leaves the Data Docs to the caller (``data_docs.fn``), which the demo
    builds once the dashboard is serving. ``rebuild=True`` builds and publishes even when no
    file is new (``scorecard etl run --rebuild``, after it forgets the kept facts)."""
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
                pending.append((source.name, remote.name, remote.url, staged))
        pending.sort(key=lambda p: _sort_key(p[1]))
        files_done = progress.Files(p[3]["path"] for p in pending)
        done = 0
        for batch in _batches(pending):
            for spec, out in zip(batch, process_batch(home, run_id, batch), strict=True):
                done += 1
                files_done.done(spec["path"])
                if out["outcome"] == SEEN:
                    logger.debug("%s: seen before, skipped", spec["name"])
                    continue
                result.files.append(out)
                logger.info(
                    "[%d/%d] %s: %s%s",
                    done,
                    len(pending),
                    out["file"],
                    out["outcome"],
                    f" ({out['message']})" if out["message"] else "",
                )
        built = rebuild or _needs_build(home)
        if built:
            progress.stage("build")
            counts = build_marts(home)
            logger.info("built core and marts: %s", counts)
        outcomes = [f["outcome"] for f in result.files]
        result.status = "succeeded" if all(o == "loaded" for o in outcomes) else "partial"
        if any(o == "failed" for o in outcomes):
            result.status = "failed"
            result.message = "some files failed to process; see meta.run_files"
        if built or result.files:
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
    if result.files and docs:
        # Off the critical path: after the snapshot is live and the run recorded (and also
        # when the run failed, so rejected files still get their reports).
        try:
            progress.stage("docs")
            result.data_docs = data_docs(home, run_id)
        except Exception as exc:  # docs are a convenience; never fail a refresh for them
            logger.warning("could not build Data Docs: %s", exc)
    return result
