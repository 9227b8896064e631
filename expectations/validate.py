"""Validate a reader frame against its kind's suite; turn GX results into rule failures.

Runs on the pandas frame (GX 1.24's SQL datasource returns nothing on DuckDB). The committed
suites are loaded once per context root and the ephemeral runtime context once per process,
so a file costs only the validation itself. Failures carry row numbers, never values: the
values may identify rape victims' cases, so they are stripped from the GX results too before
anything (Data Docs, reports, logs) can see them.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from typing import Any, cast

import great_expectations as gx
import great_expectations.expectations as gxe
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from great_expectations.core import ExpectationSuiteValidationResult, ExpectationValidationResult
from great_expectations.data_context.types.base import (
    DataContextConfig,
    InMemoryStoreBackendDefaults,
    ProgressBarsConfig,
)
from great_expectations.execution_engine import pandas_execution_engine as _pandas_engine
from great_expectations.expectations.expectation_configuration import ExpectationConfiguration
from great_expectations.validator.validator import calc_validation_statistics

from expectations import suites as _suites
from scorecard import reference
from scorecard.contract import KINDS

log = logging.getLogger(__name__)

ROW_NO = _suites.ROW_NO
MAX_ROWS_CITED = 10
ROW_CHANGE = 0.5  # contract: should be within +/-50% of the previous snapshot
# The reader's text dtype (pipelines.read.TEXT_DTYPE): Arrow-backed, NaN for missing, so the
# masks GX's row conditions build are plain numpy booleans.
TEXT_DTYPE = pd.StringDtype("pyarrow", na_value=np.nan)

# GX fingerprints every in-memory batch by hashing the whole frame (~2.5 s per million rows
# of text) only to label it; nothing here uses the label, so switch the fingerprint off.
if hasattr(_pandas_engine, "HASH_THRESHOLD"):
    _pandas_engine.HASH_THRESHOLD = 0


@dataclass(frozen=True)
class RuleFailure:
    """One broken rule in one file: which rule, how many rows, which rows (never values)."""

    rule_id: str
    severity: str
    column: str
    description: str
    count: int | None  # failing rows; None for whole-file rules (header, row count)
    row_numbers: tuple[int, ...] = ()
    detail: str = ""  # extra non-identifying facts, e.g. row counts or "could not be checked"


@dataclass
class ValidationOutcome:
    """Result of validating one frame; ``ok`` is False when any must rule failed."""

    kind: str
    org_code: str
    as_at: date
    rows: int
    failures: list[RuleFailure] = field(default_factory=list)
    skipped_rules: tuple[str, ...] = ()
    seconds: float = 0.0
    gx_result: ExpectationSuiteValidationResult | None = None  # values stripped

    @property
    def ok(self) -> bool:
        return not self.must

    @property
    def must(self) -> list[RuleFailure]:
        return [f for f in self.failures if f.severity == "must"]

    @property
    def should(self) -> list[RuleFailure]:
        return [f for f in self.failures if f.severity == "should"]


def _quiet(context: Any) -> Any:
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    context.variables.analytics_enabled = False
    return context


def _ephemeral() -> Any:
    """An in-memory context: no analytics, no progress bars, no temporary docs site."""
    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False, metric_calculations=False),
    )
    return gx.get_context(mode="ephemeral", project_config=config)


_LOCK = threading.RLock()  # one shared runtime context; GX contexts are not thread-safe


@cache
def _runtime() -> Any:
    """The ephemeral context and whole-dataframe batch definition every validation reuses."""
    context = _ephemeral()
    asset = context.data_sources.add_pandas("extracts").add_dataframe_asset("extract")
    return asset.add_batch_definition_whole_dataframe("whole_extract")


@cache
def _template_suite(kind: str, root: str) -> gx.ExpectationSuite:
    """The committed suite for ``kind`` from the File Data Context at ``root``."""
    context = _quiet(gx.get_context(mode="file", context_root_dir=root))
    return context.suites.get(kind)


def _suite_dict(suite: gx.ExpectationSuite) -> dict[str, Any]:
    """The suite as a dict to edit and rebuild; GX types it as any JSON value."""
    return cast(dict[str, Any], suite.to_json_dict())


@cache
def _suite_variant(kind: str, root: str, skip: frozenset[str]) -> gx.ExpectationSuite:
    """The template minus rules whose per-file input the caller did not supply."""
    template = _template_suite(kind, root)
    if not skip:
        return template
    data = _suite_dict(template)
    data["expectations"] = [e for e in data["expectations"] if e["meta"].get("rule_id") not in skip]
    return gx.ExpectationSuite(**data)


def _skipped(kind: str, supplied: Mapping[str, bool]) -> frozenset[str]:
    return frozenset(
        info.rule_id
        for info, _ in _suites.rule_catalogue(kind)
        if info.kind in _suites.OPTIONAL_RULE_KINDS
        and not supplied[_suites.OPTIONAL_RULE_KINDS[info.kind]]
    )


def _columns_used(kwargs: Mapping[str, Any]) -> set[str]:
    used = {kwargs[k] for k in ("column", "column_A", "column_B") if kwargs.get(k)}
    used.update(kwargs.get("column_list") or ())

    def walk(node: Any) -> None:
        if isinstance(node, Mapping):
            if isinstance(node.get("column"), Mapping) and "name" in node["column"]:
                used.add(node["column"]["name"])
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    cond = kwargs.get("row_condition")
    walk(cond.dict() if cond is not None and hasattr(cond, "dict") else cond)
    return used


@dataclass(frozen=True)
class _Part:
    """Expectations validated together on one frame: all columns, or only ``columns``.

    ``distinct``: every expectation gives the same pass/fail on the distinct rows of
    ``columns`` as on all rows, so the first pass may run on those (see ``_Distinct.rows``).
    """

    columns: tuple[str, ...] | None
    suite: gx.ExpectationSuite
    distinct: bool = False


# Below this many rows the whole suite runs in one pass on the whole frame: per-column
# frames only pay off once copying rows costs more than GX's fixed cost per batch.
SPLIT_MIN_ROWS = 5_000

# Expectations whose verdict depends only on which combinations of values occur in the
# columns they read (row conditions included), never on how often: map expectations
# without ``mostly`` (the suites set none: one unexpected row fails) and column existence.
# Uniqueness and the row count depend on repeats and always see every row.
_DISTINCT_SAFE = frozenset(
    {
        "expect_column_to_exist",
        "expect_column_values_to_not_be_null",
        "expect_column_values_to_be_null",
        "expect_column_values_to_match_regex",
        "expect_column_values_to_be_in_set",
        "expect_column_value_lengths_to_be_between",
        "expect_column_values_to_be_iso_dates_between",
        "expect_column_values_to_be_numbers_between",
        "expect_column_values_to_be_financial_years",
        "expect_column_pair_iso_dates_a_to_be_on_or_after_b",
        "expect_column_pair_values_to_be_allowed_pairs",
    }
)


def _distinct_safe(exp: Mapping[str, Any]) -> bool:
    return exp["type"] in _DISTINCT_SAFE and exp["kwargs"].get("mostly") in (None, 1, 1.0)


@cache
def _parts(kind: str, root: str, skip: frozenset[str], split: bool) -> tuple[_Part, ...]:
    """The suite, whole or split by the columns each expectation reads.

    GX's pandas engine filters the whole batch before it picks a column: null rows out for
    every column map metric, ``row_condition`` (``DataFrame.query``) and ``ignore_row_if``
    for the rest, once per metric. On a 29-column police extract those copies were most of
    the validation time, so a large frame is validated per set of columns, each part on a
    frame holding only those columns (and the row-number index). Within a set of columns,
    the expectations that may be checked on distinct rows form their own part.
    """
    suite = _suite_variant(kind, root, skip)
    return _split(suite) if split else (_Part(None, suite),)


def _split(suite: gx.ExpectationSuite) -> tuple[_Part, ...]:
    """``suite`` in parts by the columns each expectation reads (see ``_parts``)."""
    data = _suite_dict(suite)
    groups: dict[tuple[tuple[str, ...], bool], list[dict]] = {}
    for exp in data["expectations"]:
        key = (tuple(sorted(_columns_used(exp["kwargs"]))), _distinct_safe(exp))
        groups.setdefault(key, []).append(exp)
    return tuple(
        _Part(cols, gx.ExpectationSuite(**{**data, "expectations": exps}), distinct)
        for (cols, distinct), exps in groups.items()
    )


# Rows looked at to guess whether a part's columns have few distinct rows: identifiers
# (crime_ref, urn) are nearly all distinct, and deduplicating them would cost more than
# it saves. Distinct rows are used only when at most DISTINCT_MAX_SHARE of the rows.
_SAMPLE_ROWS = 4_096
DISTINCT_MAX_SHARE = 0.5


class _Distinct:
    """Each column's distinct values and row codes, worked out once per validated frame.

    A column read by several parts (``early_advice`` by four) is hashed only once.
    """

    def __init__(self) -> None:
        self._values: dict[str, pa.Array | None] = {}
        self._codes: dict[str, np.ndarray] = {}

    @staticmethod
    def _arrow(series: pd.Series) -> pa.ChunkedArray | None:
        if series.dtype != TEXT_DTYPE:
            return None
        values = pa.array(series.array)
        return pa.chunked_array([values]) if isinstance(values, pa.Array) else values

    def values(self, name: str, series: pd.Series) -> pa.Array | None:
        """The column's distinct values (null among them), or None if they are not few."""
        if name not in self._values:
            arrow = self._arrow(series)
            unique = None
            if arrow is not None:
                head = arrow.slice(0, _SAMPLE_ROWS)
                if pc.count_distinct(head, mode="all").as_py() <= len(head) * DISTINCT_MAX_SHARE:
                    unique = pc.unique(arrow)
            self._values[name] = unique
        return self._values[name]

    def codes(self, name: str, series: pd.Series) -> np.ndarray:
        """Each row's position in ``values(name)``."""
        if name not in self._codes:
            arrow = self._arrow(series)
            unique = self._values[name]
            assert arrow is not None and unique is not None
            codes = pc.index_in(arrow, value_set=unique, skip_nulls=False)
            dtype = np.int8 if len(unique) < 2**7 else np.int16 if len(unique) < 2**15 else None
            parts = [c.to_numpy() for c in codes.chunks] or [np.empty(0, np.int32)]
            self._codes[name] = np.concatenate(parts).astype(dtype or np.int32, copy=False)
        return self._codes[name]

    def rows(self, frame: pd.DataFrame) -> pd.DataFrame | None:
        """The distinct rows of ``frame`` (text columns), or None when they would not be few.

        Enumerations, flags and dates have a handful to a few thousand values per column, so
        a million-row police extract shrinks to a few thousand rows per part and GX's
        filters and row conditions (each a copy of every row) cost next to nothing. With
        several columns, each row's codes combine into one integer; the distinct integers
        decode back to the distinct rows.
        """
        n = len(frame)
        if n < SPLIT_MIN_ROWS or frame.shape[1] == 0:
            return None
        names = list(frame.columns)
        uniques = [self.values(name, frame[name]) for name in names]
        if any(u is None for u in uniques):
            return None
        columns: list[pa.Array]
        if len(names) == 1:
            columns = [uniques[0]]
        else:
            sizes = [len(u) for u in uniques if u is not None]
            if math.prod(sizes) >= 2**62:
                return None
            keys = np.zeros(n, dtype=np.int64)
            for name, size in zip(names, sizes, strict=True):
                keys *= size
                keys += self.codes(name, frame[name])
            rows = pc.unique(pa.array(keys)).to_numpy()
            del keys
            if len(rows) > n * DISTINCT_MAX_SHARE:
                return None
            columns = []
            for unique, size in zip(reversed(uniques), reversed(sizes), strict=True):
                columns.append(unique.take(pa.array(rows % size)))
                rows = rows // size
            columns.reverse()
        out: dict[str, Any] = {}
        for name, values in zip(names, columns, strict=True):
            if not pa.types.is_large_string(values.type):
                values = values.cast(pa.large_string())
            out[name] = pd.arrays.ArrowStringArray(pa.chunked_array([values]), dtype=TEXT_DTYPE)
        index = pd.RangeIndex(1, len(columns[0]) + 1)
        return pd.DataFrame(out, index=index, copy=False)


_VALUE_KEYS = (
    "partial_unexpected_list",
    "partial_unexpected_counts",
    "unexpected_list",
    "unexpected_index_list",
    "unexpected_index_query",
    "unexpected_rows",
    "details",
)


def _row_numbers(result: Mapping[str, Any]) -> list[int]:
    """Row numbers GX cited: index values (our index is row_no) or ``{"row_no": n}`` dicts."""
    out = []
    for r in result.get("partial_unexpected_index_list") or []:
        if isinstance(r, Mapping):
            if ROW_NO in r:
                out.append(int(r[ROW_NO]))
        else:
            out.append(int(r))
    return sorted(out)


def _config(r: ExpectationValidationResult) -> ExpectationConfiguration:
    """The result's expectation: typed optional by GX, always set when a suite is validated."""
    assert r.expectation_config is not None
    return r.expectation_config


def _scrub(res: ExpectationSuiteValidationResult, suite: gx.ExpectationSuite) -> None:
    """Remove every cell value GX copied into the results; keep counts and row numbers."""
    templates = {e.id: e for e in suite.expectations}
    for r in res.results:
        result = r.result or {}
        rows = _row_numbers(result)
        for key in _VALUE_KEYS:
            result.pop(key, None)
        if rows:
            result["partial_unexpected_index_list"] = [{ROW_NO: n} for n in rows]
        if _config(r).type not in {"expect_table_row_count_to_be_between"}:
            result.pop("observed_value", None)
        template = templates.get(_config(r).id)
        if template is not None:  # parameters (known urns) back to their $PARAMETER form
            r.expectation_config = template.configuration
        if r.exception_info:
            r.exception_info = {
                k: ({**v, "exception_traceback": None} if isinstance(v, dict) else v)
                for k, v in r.exception_info.items()
            }
            if r.exception_info.get("exception_traceback"):
                r.exception_info["exception_traceback"] = None


def _exception_type(info: Mapping[str, Any] | None) -> str | None:
    """The exception message of a result whose check raised, else None."""
    if not info:
        return None
    if info.get("raised_exception"):
        return str(info.get("exception_message") or "error")
    for v in info.values():
        if isinstance(v, Mapping) and v.get("raised_exception"):
            return str(v.get("exception_message") or "error")
    return None


def _inputs(
    kind: str,
    frame: pd.DataFrame,
    *,
    org_code: str,
    as_at: date,
    known_urns: Collection[str] | None,
    case_received: Mapping[str, str] | None,
    previous_rows: int | None,
    case_decided: Mapping[str, str] | None = None,
) -> tuple[pd.DataFrame, dict[str, Any], frozenset[str]]:
    """The frame as GX sees it (helper columns added), the suite parameters and skipped rules.

    Shared by the per-file and the per-kind path so both check exactly the same thing.
    """
    if kind not in KINDS:
        raise KeyError(f"unknown extract kind {kind!r}")
    skip = _skipped(
        kind,
        {
            "known_urns": known_urns is not None,
            "case_received": case_received is not None,
            "case_decided": case_decided is not None,
            "previous_rows": previous_rows is not None,
        },
    )
    data = _as_text_frame(kind, frame)
    if kind == "cps_action_plans" and case_received is not None and "urn" in data.columns:
        received = data["urn"].map(dict(case_received)).astype(TEXT_DTYPE)
        data = data.assign(**{_suites.CASE_RECEIVED_COLUMN: received})
    if case_decided is not None and "urn" in data.columns:
        decided = data["urn"].map(dict(case_decided)).astype(TEXT_DTYPE)
        data = data.assign(**{_suites.CASE_DECIDED_COLUMN: decided})
    if (
        _suites.uses_rule_kind(kind, "urn_in_cases")
        and known_urns is not None
        and "urn" in data.columns
    ):
        known = data["urn"].isin(list(known_urns)).to_numpy(dtype=bool)
        # numpy's stubs reject None as a value; an object array of "y" and None is intended.
        flag = pd.Series(np.where(known, "y", None), index=data.index).astype(TEXT_DTYPE)  # type: ignore[call-overload]
        data = data.assign(**{_suites.CASE_KNOWN_COLUMN: flag})
    previous = previous_rows or 0
    params: dict[str, Any] = {
        "as_at": as_at.isoformat(),
        "org_codes": [org_code],
        "area_forces": list(reference.forces_for_area(org_code)),
        "known_urns": len(known_urns) if known_urns is not None else 0,
        "min_rows": math.ceil(previous * (1 - ROW_CHANGE)),
        "max_rows": math.floor(previous * (1 + ROW_CHANGE)),
    }
    return data, params, skip


def validate_frame(
    kind: str,
    frame: pd.DataFrame,
    *,
    org_code: str,
    as_at: date,
    known_urns: Collection[str] | None = None,
    case_received: Mapping[str, str] | None = None,
    previous_rows: int | None = None,
    context_root: Path | None = None,
    case_decided: Mapping[str, str] | None = None,
) -> ValidationOutcome:
    """Check ``frame`` (from ``pipelines.read.read_extract``) against the contract.

    ``known_urns`` (urns of the Area's latest cps_cases), ``case_received`` (urn ->
    received_date), ``case_decided`` (urn -> decision_date, for court outcomes) and
    ``previous_rows`` (previous snapshot's row count) switch on the rules
    that need them; None leaves those rules unchecked (listed in ``skipped_rules``), whereas an
    empty collection means "no cases known" and fails every row.
    """
    started = time.perf_counter()
    root = _root(context_root)
    data, params, skip = _inputs(
        kind,
        frame,
        org_code=org_code,
        as_at=as_at,
        known_urns=known_urns,
        case_received=case_received,
        case_decided=case_decided,
        previous_rows=previous_rows,
    )
    return _outcome(kind, root, frame, data, params, skip, org_code, as_at, previous_rows, started)


def _outcome(
    kind: str,
    root: str,
    frame: pd.DataFrame,
    data: pd.DataFrame,
    params: dict[str, Any],
    skip: frozenset[str],
    org_code: str,
    as_at: date,
    previous_rows: int | None,
    started: float,
    only: frozenset[str] | None = None,
    template: ExpectationSuiteValidationResult | None = None,
) -> ValidationOutcome:
    """Validate one file's ``data``: the whole suite, or only the expectations ``only`` names.

    With ``only`` (those a batch run found failing in this file), every other expectation
    passed in the batch and gets the result a run on the file alone gives a pass; the named
    ones are run on the file alone, so their counts and row numbers are exactly per-file.
    """
    suite = _suite_variant(kind, root, skip)
    with _LOCK:
        if only is None:
            parts = _parts(kind, root, skip, len(data) >= SPLIT_MIN_ROWS)
            res = _validate_parts(data, suite, parts, params)
        elif not only:
            assert template is not None
            res = _passing_result(suite, params, template)
        else:
            sub = _suite_dict(suite)
            sub["expectations"] = [e for e in sub["expectations"] if e["id"] in only]
            failed = gx.ExpectationSuite(**sub)
            split = len(data) >= SPLIT_MIN_ROWS
            parts = _split(failed) if split else (_Part(None, failed),)
            checked = _validate_parts(data, failed, parts, params)
            res = _passing_result(suite, params, checked, checked.results)
        # Urns are identifiers: only how many were known is kept (the rule reads a helper
        # column, see suites.CASE_KNOWN_COLUMN).
        res.suite_parameters = params
    failures = _failures(kind, res, set(data.columns), len(data), previous_rows)
    _scrub(res, suite)
    outcome = ValidationOutcome(
        kind=kind,
        org_code=org_code,
        as_at=as_at,
        rows=len(frame),
        failures=failures,
        skipped_rules=tuple(sorted(skip)),
        seconds=time.perf_counter() - started,
        gx_result=res,
    )
    log.info(
        "validated %s %s %s: %d rows, %d must / %d should failures in %.2fs",
        kind,
        org_code,
        as_at,
        outcome.rows,
        len(outcome.must),
        len(outcome.should),
        outcome.seconds,
    )
    return outcome


def _root(context_root: Path | None) -> str:
    return str(Path(context_root) if context_root is not None else _suites.GX_DIR)


@dataclass(frozen=True)
class FrameToValidate:
    """One file's frame and per-file inputs, as ``validate_frame`` takes them."""

    frame: pd.DataFrame
    org_code: str
    as_at: date
    known_urns: Collection[str] | None = None
    case_received: Mapping[str, str] | None = None
    previous_rows: int | None = None
    case_decided: Mapping[str, str] | None = None

    def inputs(self) -> dict[str, Any]:
        """The per-file inputs, as keyword arguments of ``validate_frame`` and ``_inputs``."""
        return {
            "org_code": self.org_code,
            "as_at": self.as_at,
            "known_urns": self.known_urns,
            "case_received": self.case_received,
            "case_decided": self.case_decided,
            "previous_rows": self.previous_rows,
        }

    def alone(self, kind: str, context_root: Path | None = None) -> ValidationOutcome:
        return validate_frame(kind, self.frame, **self.inputs(), context_root=context_root)


# Helper columns of a batch frame: which file a row came from, and that file's organisation
# and as-at date, so the rules that depend on the file read them from the row.
FILE_COLUMN = "_batch_file"
ORG_COLUMN = "_batch_org"
AS_AT_COLUMN = "_batch_as_at"
# Every failing row's index, so failures are attributed to files (see validate_frames).
_BATCH_DETAIL_FORMAT = {"result_format": "COMPLETE", "return_unexpected_index_query": False}


def validate_frames(
    kind: str, items: Sequence[FrameToValidate], *, context_root: Path | None = None
) -> list[ValidationOutcome]:
    """Validate many files of one kind with one GX run; one outcome per file, in order.

    GX's fixed cost per expectation run dominates small files, so the files are checked
    together on one frame (``_screen``) and each failing row is attributed to its file. A
    file with no failing row gets the results a run on it alone gives a pass; a file with
    failing rows has only the expectations it failed run again on it alone, so its counts,
    row numbers and Data Docs entry are exactly per-file. A file the batch cannot take
    (other columns, other optional inputs, a failure that names no rows) is validated
    wholly alone (``validate_frame``).
    """
    started = time.perf_counter()
    root = _root(context_root)
    prepared = [_inputs(kind, item.frame, **item.inputs()) for item in items]
    groups: dict[tuple[frozenset[str], tuple[str, ...]], list[int]] = {}
    for n, (data, _, skip) in enumerate(prepared):
        groups.setdefault((skip, tuple(data.columns)), []).append(n)
    screened: dict[int, tuple[frozenset[str], ExpectationSuiteValidationResult]] = {}
    for (skip, _), members in groups.items():
        if len(members) < 2:
            continue
        try:
            found, res = _screen(kind, root, skip, [(items[n], prepared[n]) for n in members])
        except Exception:  # the batch is only a shortcut: fall back to one run per file
            log.exception(
                "batch validation of %d %s files failed; validating each alone", len(members), kind
            )
            continue
        screened.update((members[m], (ids, res)) for m, ids in found.items())
    outcomes = []
    for n, item in enumerate(items):
        if n not in screened:
            outcomes.append(item.alone(kind, context_root))
            continue
        ids, template = screened[n]
        data, params, skip = prepared[n]
        outcomes.append(
            _outcome(
                kind,
                root,
                item.frame,
                data,
                params,
                skip,
                item.org_code,
                item.as_at,
                item.previous_rows,
                time.perf_counter(),
                only=ids,
                template=template,
            )
        )
    log.info(
        "validated %d %s files in %.2fs: %d in one batch (%d of them with failures checked "
        "again alone), %d wholly alone",
        len(items),
        kind,
        time.perf_counter() - started,
        len(screened),
        sum(1 for ids, _ in screened.values() if ids),
        len(items) - len(screened),
    )
    return outcomes


def _passing_result(
    suite: gx.ExpectationSuite,
    params: dict[str, Any],
    template: ExpectationSuiteValidationResult,
    checked: Sequence[ExpectationValidationResult] = (),
) -> ExpectationSuiteValidationResult:
    """The file's result: ``checked`` (run on the file alone) and, for every other
    expectation, the value-free result a run on the file alone gives a pass."""
    by_id = {_config(r).id: r for r in checked}
    results = [
        by_id.get(e.id)
        or ExpectationValidationResult(
            success=True,
            expectation_config=e.configuration,
            result={},
            meta={},
            exception_info={
                "raised_exception": False,
                "exception_traceback": None,
                "exception_message": None,
            },
        )
        for e in suite.expectations
    ]
    stats = calc_validation_statistics(results)
    return ExpectationSuiteValidationResult(
        success=stats.success,
        results=results,
        suite_name=suite.name,
        suite_parameters=params,
        statistics={
            "evaluated_expectations": stats.evaluated_expectations,
            "successful_expectations": stats.successful_expectations,
            "unsuccessful_expectations": stats.unsuccessful_expectations,
            "success_percent": stats.success_percent,
        },
        meta=template.meta,
        batch_id=template.batch_id,
    )


def _batch_expectation(exp: dict[str, Any], orgs: Sequence[str]) -> dict[str, Any] | None:
    """``exp`` rewritten to read the file from the row; None for per-file table rules.

    Same id, meta and severity, so results map back to the file's own suite. Each rewrite
    fails on a row exactly when the original fails on it in that row's file.
    """
    kwargs = dict(exp["kwargs"])
    kind = exp["type"]
    if kind == "expect_table_row_count_to_be_between":
        return None  # checked per file on the summary frame (_row_counts)
    if kind == "expect_column_values_to_be_unique":
        # Nulls are never duplicates of each other for a column map expectation.
        kind = "expect_compound_columns_to_be_unique"
        kwargs = {
            "column_list": [FILE_COLUMN, kwargs.pop("column")],
            "ignore_row_if": "any_value_is_missing",
            **kwargs,
        }
    elif kind == "expect_compound_columns_to_be_unique":
        # "all values missing" is judged over the file's columns: rows of one file with all
        # of them missing would count as duplicates here, so such a file is only ever
        # flagged and validated alone, never passed wrongly.
        kwargs["column_list"] = [FILE_COLUMN, *kwargs["column_list"]]
    elif kwargs.get("max_value") == {"$PARAMETER": "as_at"}:
        if kind != "expect_column_values_to_be_iso_dates_between" or "min_value" in kwargs:
            raise ValueError(f"no batch form for {kind} with an as_at bound")
        kind = "expect_column_pair_iso_dates_a_to_be_on_or_after_b"
        column = kwargs.pop("column")
        del kwargs["max_value"]
        kwargs = {"column_A": AS_AT_COLUMN, "column_B": column, **kwargs}
    elif kwargs.get("value_set") in ({"$PARAMETER": "org_codes"}, {"$PARAMETER": "area_forces"}):
        if kind != "expect_column_values_to_be_in_set":
            raise ValueError(f"no batch form for {kind} with a per-file value set")
        by_org = kwargs.pop("value_set")["$PARAMETER"] == "org_codes"
        allowed = {org: org if by_org else " ".join(reference.forces_for_area(org)) for org in orgs}
        kind = "expect_column_pair_values_to_be_allowed_pairs"
        column = kwargs.pop("column")
        kwargs = {
            "column_A": ORG_COLUMN,
            "column_B": column,
            "allowed_by_a": allowed,
            "ignore_row_if": "either_value_is_missing",
            **kwargs,
        }
    if "$PARAMETER" in repr(kwargs):
        raise ValueError(f"{exp['meta'].get('rule_id')}: per-file parameter with no batch form")
    return {**exp, "type": kind, "kwargs": kwargs}


@cache
def _batch_suite(
    kind: str, root: str, skip: frozenset[str], orgs: tuple[str, ...]
) -> gx.ExpectationSuite:
    """The file suite with file-dependent rules rewritten for a frame of many files."""
    data = _suite_dict(_suite_variant(kind, root, skip))
    rewritten = (_batch_expectation(e, orgs) for e in data["expectations"])
    data["expectations"] = [e for e in rewritten if e is not None]
    data["id"] = None
    return gx.ExpectationSuite(**data)


def _failing_rows(res: ExpectationSuiteValidationResult) -> dict[str, np.ndarray] | None:
    """Batch row positions failing each failed expectation (by id), or None if a failure
    names no rows (a table-level failure or a check that could not run)."""
    out: dict[str, np.ndarray] = {}
    for r in res.results:
        if r.success:
            continue
        rows = (r.result or {}).get("unexpected_index_list")
        if _exception_type(r.exception_info) is not None or rows is None:
            return None
        out[str(_config(r).id)] = np.asarray(rows, dtype=np.int64)
    return out


def _row_counts(params: Sequence[dict[str, Any]], rows: Sequence[int]) -> np.ndarray:
    """Which files break the row-count rule, checked by GX on one row per file."""
    frame = pd.DataFrame(
        {
            "rows": np.asarray(rows, dtype=np.int64),
            "min_rows": [p["min_rows"] for p in params],
            "max_rows": [p["max_rows"] for p in params],
        }
    )
    suite = gx.ExpectationSuite(
        name="row_counts",
        expectations=[
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A="rows", column_B="min_rows", or_equal=True
            ),
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A="max_rows", column_B="rows", or_equal=True
            ),
        ],
    )
    batch = _runtime().get_batch(batch_parameters={"dataframe": frame})
    res = batch.validate(suite, result_format=dict(_BATCH_DETAIL_FORMAT))
    failing = _failing_rows(res)
    if failing is None:
        return np.arange(len(frame))
    return np.unique(np.concatenate([np.empty(0, np.int64), *failing.values()]))


def _screen(
    kind: str,
    root: str,
    skip: frozenset[str],
    members: Sequence[tuple[FrameToValidate, tuple[pd.DataFrame, dict[str, Any], frozenset[str]]]],
) -> tuple[dict[int, frozenset[str]], ExpectationSuiteValidationResult]:
    """One GX run over the files of ``members``; the expectations (ids) each file failed.

    Empty when the batch cannot say (a failure naming no rows): validate each alone.

    The frames (same columns, same optional inputs) are concatenated with the file, its
    organisation and as-at date as columns, and the file-dependent rules read those
    (``_batch_expectation``). Failing rows are mapped back to their file by position.
    """
    frames = [data for _, (data, _, _) in members]
    sizes = np.asarray([len(f) for f in frames], dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(sizes)])

    def per_row(values: Sequence[str]) -> Any:
        return pd.array(np.repeat(np.asarray(values, dtype=object), sizes), dtype=TEXT_DTYPE)

    orgs = tuple(sorted({item.org_code for item, _ in members}))
    batch = pd.concat(frames, ignore_index=True)
    batch[FILE_COLUMN] = per_row([str(n) for n in range(len(members))])
    batch[ORG_COLUMN] = per_row([item.org_code for item, _ in members])
    batch[AS_AT_COLUMN] = per_row([item.as_at.isoformat() for item, _ in members])
    suite = _batch_suite(kind, root, skip, orgs)
    failed: dict[int, set[str]] = {n: set() for n in range(len(members))}
    with _LOCK:
        parts = _split(suite) if len(batch) >= SPLIT_MIN_ROWS else (_Part(None, suite),)
        res = _validate_parts(batch, suite, parts, {}, _BATCH_DETAIL_FORMAT)
        failing = _failing_rows(res)
        if failing is None:
            return {}, res
        for exp_id, rows in failing.items():
            for n in np.unique(np.searchsorted(starts, rows, side="right") - 1).tolist():
                failed[n].add(exp_id)
        if "file.row_count_change" not in skip:
            counts = _row_counts([p for _, (_, p, _) in members], sizes.tolist())
            row_count = next(
                str(e["id"])
                for e in _suite_dict(_suite_variant(kind, root, skip))["expectations"]
                if e["type"] == "expect_table_row_count_to_be_between"
            )
            for n in counts.tolist():
                failed[n].add(row_count)
    return {n: frozenset(ids) for n, ids in failed.items()}, res


def _as_text_frame(kind: str, frame: pd.DataFrame) -> pd.DataFrame:
    """The frame as GX sees it: text columns Arrow-backed, indexed by row number.

    The reader already gives Arrow-backed text (this is then free); a frame built by hand
    (tests, object dtype) is converted, so every caller is validated the same way.
    """
    if ROW_NO in frame.columns:
        rows = frame[ROW_NO].to_numpy(dtype="int64")
    else:
        rows = np.arange(1, len(frame) + 1, dtype=np.int64)
    columns: dict[str, Any] = {}
    for name in frame.columns:
        col = frame[name]
        if name == ROW_NO:
            continue
        if col.dtype != TEXT_DTYPE:
            col = col.astype(object).where(col.notna(), None).astype(TEXT_DTYPE)
        columns[name] = col.array
    columns[ROW_NO] = rows
    # Index by row number (unnamed) so GX reports failing rows as row numbers, cheaply.
    return pd.DataFrame(columns, index=pd.Index(rows), copy=False)


def _validate_parts(
    data: pd.DataFrame,
    suite: gx.ExpectationSuite,
    parts: tuple[_Part, ...],
    params: dict[str, Any],
    detail: Mapping[str, Any] | None = None,
) -> ExpectationSuiteValidationResult:
    """Validate each part on its frame; one result in suite order, as a single run gives."""
    by_id: dict[str | None, Any] = {}
    first: ExpectationSuiteValidationResult | None = None
    distinct = _Distinct()
    for part in parts:
        if part.columns is None:
            frame = data
        else:
            frame = data[[c for c in part.columns if c in data.columns]]
        check = distinct.rows(frame) if part.distinct else None
        res = _validate_two_pass(frame, check, part.suite, params, detail or _DETAIL_FORMAT)
        first = first or res
        by_id.update((_config(r).id, r) for r in res.results)
    assert first is not None
    results = [by_id[e.id] for e in suite.expectations if e.id in by_id]
    stats = calc_validation_statistics(results)
    return ExpectationSuiteValidationResult(
        success=stats.success,
        results=results,
        suite_name=suite.name,
        statistics={
            "evaluated_expectations": stats.evaluated_expectations,
            "successful_expectations": stats.successful_expectations,
            "unsuccessful_expectations": stats.unsuccessful_expectations,
            "success_percent": stats.success_percent,
        },
        meta=first.meta,
        batch_id=first.batch_id,
    )


# Row numbers come back as the frame's index, which validate_frame sets to ``row_no``. GX's
# ``unexpected_index_column_names=["row_no"]`` gives the same numbers, but builds a dict per
# failing row with a pandas lookup each before truncating to ten: ~1 minute for 400k bad rows.
_DETAIL_FORMAT = {
    "result_format": "SUMMARY",
    "partial_unexpected_count": MAX_ROWS_CITED,
    "return_unexpected_index_query": False,
}


def _validate_two_pass(
    frame: pd.DataFrame,
    check: pd.DataFrame | None,
    suite: gx.ExpectationSuite,
    params: dict[str, Any],
    detail_format: Mapping[str, Any],
) -> ExpectationSuiteValidationResult:
    """Pass/fail for every expectation, then counts and row numbers for the failed ones only.

    Collecting unexpected-row indexes nearly doubles GX's time on a large frame, and a
    well-formed file (the usual case) needs none of it. ``check`` (the distinct rows of
    ``frame``, when the part allows it) gives the same pass/fail more cheaply; counts and
    row numbers always come from ``frame``.
    """
    batch = _runtime().get_batch(batch_parameters={"dataframe": frame if check is None else check})
    res = batch.validate(suite, expectation_parameters=params, result_format="BOOLEAN_ONLY")
    failed = {_config(r).id for r in res.results if not r.success}
    if not failed:
        return res
    if check is not None:
        batch = _runtime().get_batch(batch_parameters={"dataframe": frame})
    data = _suite_dict(suite)
    data["expectations"] = [e for e in data["expectations"] if e["id"] in failed]
    data["id"] = None
    detail = batch.validate(
        gx.ExpectationSuite(**data),
        expectation_parameters=params,
        result_format=dict(detail_format),
    )
    by_id = {_config(r).id: r for r in detail.results}
    res.results = [by_id.get(_config(r).id, r) for r in res.results]
    return res


def _failures(
    kind: str,
    res: ExpectationSuiteValidationResult,
    columns: set[str],
    n_rows: int,
    previous_rows: int | None,
) -> list[RuleFailure]:
    """Fold GX results into one failure per (rule id, column), in suite order."""
    descriptions = _suites.rule_descriptions(kind)
    merged: dict[tuple[str, str], dict[str, Any]] = {}
    for r in res.results:
        if r.success:
            continue
        meta = _config(r).meta or {}
        rule_id, column = meta["rule_id"], meta.get("column", "")
        kwargs = _config(r).kwargs
        error = _exception_type(r.exception_info)
        if error is not None and rule_id != "file.header" and not _columns_used(kwargs) <= columns:
            continue  # a missing column: reported once, as file.header
        entry = merged.setdefault(
            (rule_id, column),
            {"severity": meta["severity"], "count": None, "rows": [], "detail": ""},
        )
        result = r.result or {}
        if error is not None and rule_id != "file.header":
            log.warning("%s: check could not run (%s)", rule_id, error.split("\n", 1)[0][:200])
            entry["detail"] = "the check could not be run on this file"
        elif "unexpected_count" in result:
            entry["count"] = (entry["count"] or 0) + int(result["unexpected_count"])
            entry["rows"].extend(_row_numbers(result))
        if rule_id == "file.header":
            entry["detail"] = f"column {column} is missing"
        elif rule_id == "file.row_count_change":
            entry["detail"] = (
                f"the file has {n_rows} rows; the previous snapshot had {previous_rows}"
            )
    return [
        RuleFailure(
            rule_id=rule_id,
            severity=e["severity"],
            column=column,
            description=descriptions.get(rule_id, rule_id),
            count=e["count"],
            row_numbers=tuple(sorted(set(e["rows"]))[:MAX_ROWS_CITED]),
            detail=e["detail"],
        )
        for (rule_id, column), e in merged.items()
    ]


def _glob_escape(name: str) -> str:
    return "".join(f"[{c}]" if c in "*?[" else c for c in name)


def build_data_docs(
    run_dir: Path,
    validation_results: Iterable[ValidationOutcome | ExpectationSuiteValidationResult],
    labels: Sequence[str] | None = None,
) -> Path:
    """Build GX Data Docs for this run's validations under ``run_dir/data_docs``.

    A throw-away context whose only site is that folder, so each run has its own docs and the
    committed context is never written. Building needs no network, and the pages are then
    rewritten to need none to be read either (expectations.data_docs: no CDN, no inline
    script, the index a static table). ``labels`` name each result's file when the results
    are bare GX results. Results must already be scrubbed of values; ``validate_frame`` does
    that.
    """
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

    from expectations.data_docs import DocEntry, make_offline

    site_dir = Path(run_dir) / "data_docs"
    site_dir.mkdir(parents=True, exist_ok=True)
    with _LOCK:
        context = _ephemeral()
        context.add_data_docs_site(
            site_name="run",
            site_config={
                "class_name": "SiteBuilder",
                "show_how_to_buttons": False,
                "store_backend": {
                    "class_name": "TupleFilesystemStoreBackend",
                    "base_directory": str(site_dir),
                },
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            },
        )
        store = context.validation_results_store
        stored: list[tuple[str, str, bool, str]] = []
        for n, item in enumerate(validation_results):
            res = item.gx_result if isinstance(item, ValidationOutcome) else item
            if res is None:
                continue
            suite_name = res.suite_name
            if labels is not None and n < len(labels):
                label = labels[n]
            elif isinstance(item, ValidationOutcome):
                label = f"{item.kind}__{item.org_code}__{item.as_at.isoformat()}"
            else:
                label = suite_name
            key = ValidationResultIdentifier(
                expectation_suite_identifier=ExpectationSuiteIdentifier(name=suite_name),
                run_id=RunIdentifier(run_name=label, run_time=datetime.now(UTC)),
                batch_identifier=f"{label}-{n}",
            )
            store.set(key, res)
            stored.append((label, suite_name, bool(res.success), f"{label}-{n}"))
        context.build_data_docs(site_names=["run"])
    entries = []
    for label, suite_name, success, batch in stored:
        page = next(site_dir.glob(f"validations/*/*/*/{_glob_escape(batch)}.html"), None)
        if page is not None:
            entries.append(
                DocEntry(label, suite_name, success, page.relative_to(site_dir).as_posix())
            )
    make_offline(site_dir, Path(run_dir).name, entries)
    index = site_dir / "index.html"
    log.info("data docs: %s", index)
    return index
