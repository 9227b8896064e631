"""Rebuild core and every mart from the current raw snapshots (the marts in one transaction).

Called by the pipeline after loading raw (migrations applied, reference loaded):
``build(con, settings) -> {table: rows}``. Same inputs give identical mart contents: every
aggregate is over integers or exact medians, values are rounded to 6 places, and Python
post-processing (funnel limits, SPC) runs over rows in a fixed order.

Incremental facts: core.metric_facts is kept per organisation pair, and a build after a
refresh that changed some senders' extracts recomputes only the facts those changes reach
(warehouse/scope.py), then the cells and marts from all the facts - the same marts as a full
build (tests/integration/test_build_incremental.py). ``build(..., rebuild=True)`` or
``scorecard etl run --rebuild`` recomputes every fact.

Work tables: the case-level core tables (``temp.case_links``, ``temp.action_plans``,
``temp.cps_cases``, ``temp.cases``, ``temp.workforce``) and the marts' unpublished inputs
(``temp.metric_values_internal``, ``temp.metric_funnel``, ``temp.spc_internal``) are TEMP
tables of the build's connection: nothing reads them after the build (the snapshot copies
ref.* and mart.* only), and writing them to the warehouse file was a large part of the
build. They are dropped when the build ends unless ``keep_work`` (tests and inspection read
them). Persisted: the facts and cells (``core.metric_facts``, ``core.metric_cells``), the
catalogue, the small court coverage tables and ``core.court_outcomes`` (stage three's checks
read them from the file).

Recommendation updates: ``core.recommendation_updates`` holds the current extracts' rows.
Updates entered in the app live in the app database (``accounts.appdb``), never in the
warehouse; the dashboard shows whichever of the two is newer.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from importlib import resources

import duckdb
import numpy as np
import pyarrow as pa

from scorecard import periods, rag
from scorecard.settings import Settings
from warehouse import scope
from warehouse.cells import build_cells
from warehouse.db import qualified, transaction
from warehouse.metrics import catalogue, disclosure, funnel, spc
from warehouse.sql import mart_sql

log = logging.getLogger(__name__)

CORE_PACKAGE = "warehouse.sql.core"
# The core SQL's TEMP tables (see the module docstring), and the persisted core tables they
# replaced, dropped from warehouses built before.
WORK_TABLES = (
    *("case_links", "action_plans", "cps_cases", "cases", "workforce"),
    *("metric_values_internal", "metric_funnel", "spc_internal"),
)

StageHook = Callable[[str, float], None]


def build_settings() -> dict[str, object]:
    """DuckDB settings for the build: no insertion-order bookkeeping (every published table
    has an ORDER BY), which lets large aggregates and sorts spill to disk more freely. The
    memory limit is the connection's (``SCORECARD_DUCKDB_MEMORY_LIMIT``, warehouse.db)."""
    return {"preserve_insertion_order": False}


@contextmanager
def _duckdb_settings(con: duckdb.DuckDBPyConnection, values: dict[str, object]) -> Iterator[None]:
    """Apply settings for the block and put the previous values back (the connection is the
    pipeline's, shared with other work)."""
    before = {}
    for name in values:
        row = con.execute("SELECT current_setting(?)", [name]).fetchone()
        before[name] = row[0] if row else None
    try:
        for name, value in values.items():
            con.execute(f"SET {name} = ?", [value])  # names are constants of this module
        yield
    finally:
        for name, value in before.items():
            if value is not None:
                con.execute(f"SET {name} = ?", [value])


@contextmanager
def _stage(name: str, on_stage: StageHook | None) -> Iterator[None]:
    """Time one build stage: logged, and reported to ``on_stage`` (the benchmark's hook)."""
    start = time.perf_counter()
    yield
    seconds = time.perf_counter() - start
    log.info("stage %s: %.2f s", name, seconds)
    if on_stage is not None:
        on_stage(name, seconds)


_VIEW_RE = re.compile(r"CREATE\s+OR\s+REPLACE\s+VIEW\s+(\w+)\.(\w+)", re.IGNORECASE)


def drop_tables_now_views(con: duckdb.DuckDBPyConnection, sql: str) -> None:
    """Drop a base table that ``sql`` recreates as a view (warehouses built before
    core.police_current and core.cps_current became views): DuckDB will not replace a table
    by a view."""
    for schema, name in _VIEW_RE.findall(sql):
        row = con.execute(
            "SELECT count(*) FROM information_schema.tables "
            "WHERE table_schema = ? AND table_name = ? AND table_type = 'BASE TABLE'",
            [schema, name],
        ).fetchone()
        if row and row[0]:
            con.execute(f"DROP TABLE {qualified(schema, name)}")


def _sql_files(package: str, *, metrics: bool = False) -> list[tuple[str, str]]:
    files = sorted(
        (e.name, e.read_text(encoding="utf-8"))
        for e in resources.files(package).iterdir()
        if e.name.endswith(".sql")
    )
    return [(n, t) for n, t in files if n.startswith("metric__") == metrics]


def _facts_insert_sql(metric_sql: str, *, scoped: bool = False) -> str:
    """Wrap a metric's facts SELECT: add its id (bound) and the period labels, and aggregate
    per quarter, organisation pair (force_code, area_code), breakdown and basis - every cell
    is a sum of these grains, so case-level rows are never stored or fanned out by level.
    Both organisation columns are kept whatever the metric's levels (the cells leave out the
    levels it has none of), so the facts are per organisation and an incremental build can
    replace one organisation's (warehouse/scope.py; ``scoped``: only the facts the bound
    $forces and $areas cover). ``dist`` facts keep their value (``v``) in the grain, a
    histogram, so medians stay exact.
    """
    where = f" AND {scope.predicate_sql()}" if scoped else ""
    grain = (
        "SELECT kind, breakdown, basis, "
        "CAST(date_trunc('quarter', event_date) AS DATE) AS event_date, "
        "CAST(force_code AS VARCHAR) AS force_code, CAST(area_code AS VARCHAR) AS area_code, "
        "CASE WHEN kind = 'dist' THEN CAST(num AS DOUBLE) END AS v, "
        "sum(CAST(num AS DOUBLE)) AS s_num, sum(CAST(den AS INTEGER)) AS s_den, count(*) AS n "
        f"FROM ({metric_sql.strip().rstrip(';')}) WHERE event_date IS NOT NULL{where} "
        "GROUP BY ALL"
    )
    return (
        "INSERT INTO core.metric_facts "
        f"SELECT $metric_id, kind, breakdown, basis, {periods.FY_SQL}, {periods.QUARTER_SQL},"
        f" force_code, area_code, v, s_num, s_den, n FROM ({grain})"
    )


def facts_fingerprint(con: duckdb.DuckDBPyConnection) -> str:
    """What the kept facts depend on besides the extracts (warehouse/scope.py)."""
    texts = [sql for _, sql in _sql_files(CORE_PACKAGE)]
    texts += [f"{m.id}:{_facts_insert_sql(m.sql_text())}" for m in catalogue.load()]
    return scope.fingerprint(con, texts)


def load_catalogue_table(con: duckdb.DuckDBPyConnection) -> None:
    """The catalogue as tables: core.metric_catalogue (for SQL) and mart.metric_catalogue
    (for the dashboard's definitions page)."""
    con.execute(
        "CREATE OR REPLACE TABLE core.metric_catalogue (metric_id VARCHAR PRIMARY KEY, "
        "levels VARCHAR[], stats VARCHAR[], bases VARCHAR[], quarterly BOOLEAN, "
        "funnel BOOLEAN, direction VARCHAR, unit VARCHAR)"
    )
    con.executemany(
        "INSERT INTO core.metric_catalogue VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (m.id, list(m.levels), list(m.stats), list(m.basis), "quarter" in m.periods,
             m.funnel, m.direction, m.unit)
            for m in catalogue.load()
        ],
    )  # fmt: skip
    con.execute(
        "CREATE OR REPLACE TABLE mart.metric_catalogue (metric_id VARCHAR PRIMARY KEY, "
        "name VARCHAR, definition VARCHAR, stage VARCHAR, side VARCHAR, basis VARCHAR[], "
        "numerator VARCHAR, denominator VARCHAR, unit VARCHAR, direction VARCHAR, "
        "recs INTEGER[], stats VARCHAR[], breakdowns VARCHAR[], levels VARCHAR[], "
        "periods VARCHAR[])"
    )
    con.executemany(
        "INSERT INTO mart.metric_catalogue VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (m.id, m.name, m.definition, m.stage, m.side, list(m.basis), m.numerator,
             m.denominator, m.unit, m.direction, list(m.recs), list(m.stats),
             list(m.breakdowns), list(m.levels), list(m.periods))
            for m in catalogue.load()
        ],
    )  # fmt: skip


def build_facts(con: duckdb.DuckDBPyConnection, within: scope.Scope | None = None) -> int:
    """core.metric_facts: every metric's facts aggregated to grains (see _facts_insert_sql);
    with ``within``, only the facts of that scope are replaced and the rest kept."""
    params: dict[str, object] = {}
    if within is None:
        con.execute(
            "CREATE OR REPLACE TABLE core.metric_facts (metric_id VARCHAR, kind VARCHAR, "
            "breakdown VARCHAR, basis VARCHAR, fy VARCHAR, quarter VARCHAR, "
            "force_code VARCHAR, area_code VARCHAR, v DOUBLE, s_num DOUBLE, s_den BIGINT, "
            "n BIGINT)"
        )
    else:
        params = {"forces": list(within.forces), "areas": list(within.areas)}
        con.execute(f"DELETE FROM core.metric_facts WHERE {scope.predicate_sql()}", params)
    for m in catalogue.load():
        sql = _facts_insert_sql(m.sql_text(), scoped=within is not None)
        con.execute(sql, {**params, "metric_id": m.id})
    bad = con.execute(
        "SELECT DISTINCT metric_id FROM core.metric_facts "
        "WHERE kind IS NULL OR breakdown IS NULL OR basis IS NULL ORDER BY 1"
    ).fetchall()
    if bad:  # cells join on these keys; the facts contract says '' or name=value
        raise ValueError(f"facts with a NULL kind, breakdown or basis: {[r[0] for r in bad]}")
    return _count(con, "core.metric_facts")


def data_dates(con: duckdb.DuckDBPyConnection) -> tuple[date | None, date | None]:
    """(reference date, latest as_at). The reference date - the earliest as_at among current
    case extracts - marks which quarters and years are complete everywhere."""
    row = con.execute(
        "SELECT min(as_at) FILTER (WHERE kind IN ('police_cases', 'cps_cases')), max(as_at) "
        "FROM raw.extracts WHERE is_current"
    ).fetchone()
    return (row[0], row[1]) if row else (None, None)


def build_funnel(con: duckdb.DuckDBPyConnection) -> int:
    """Funnel limits for every rate of a funnel metric against the national rate (SQL; the
    method and constants are those of :mod:`warehouse.metrics.funnel`)."""
    params = {"z95": funnel.Z95, "z998": funnel.Z998, "min_units": funnel.MIN_UNITS,
              "w_lo": funnel.WINSOR[0] / 100, "w_hi": funnel.WINSOR[1] / 100}  # fmt: skip
    con.execute(mart_sql("025_funnel.sql"), params)
    return _count(con, "temp.metric_funnel")


SPC_COLUMNS = (
    "level VARCHAR, org_code VARCHAR, basis VARCHAR, metric_id VARCHAR, stat VARCHAR, "
    "breakdown VARCHAR, period VARCHAR, seq INTEGER, chart VARCHAR, value DOUBLE, "
    "centre DOUBLE, lower_3s DOUBLE, upper_3s DOUBLE, lower_2s DOUBLE, upper_2s DOUBLE, "
    "special_cause BOOLEAN, rules VARCHAR, cause_side VARCHAR, is_latest BOOLEAN, "
    "variation VARCHAR, phase INTEGER"
)


_SPC_KEYS = "level, org_code, basis, metric_id, stat, breakdown"
_SPC_INSERT = (
    "INSERT INTO temp.spc_internal "
    "SELECT s.level, s.org_code, s.basis, s.metric_id, s.stat, s.breakdown, "
    "$quarters[r.q_idx], r.seq, CASE WHEN s.is_p THEN 'p' ELSE 'xmr' END, r.value, "
    "r.centre, r.lower_3s, r.upper_3s, r.lower_2s, r.upper_2s, r.flags <> 0, "
    "$rules[r.flags + 1], $sides[r.side + 2], r.is_latest, $variations[r.variation + 1], "
    "r.phase "
    "FROM spc_result r JOIN spc_series s ON s.series_id = r.series_id "
    "ORDER BY r.series_id, r.seq"
)
VARIATIONS = ("common_cause", "improving", "concerning", "special_cause_neither")


def build_spc(con: duckdb.DuckDBPyConnection, ref: date | None) -> int:
    """SPC over complete quarters (ending on or before the reference date), set-wise: series
    and their values from SQL (035/036), limits and rules for every series at once from
    :func:`warehouse.metrics.spc.analyse_many` (equal to ``spc.analyse`` per series)."""
    con.execute(f"CREATE OR REPLACE TEMP TABLE spc_internal ({SPC_COLUMNS})")
    if ref is None:
        return 0
    last_q = periods.last_complete_quarter(ref)
    row = con.execute(
        "SELECT min(period) FROM temp.metric_values_internal "
        "WHERE period_kind = 'quarter' AND period <= ? AND value IS NOT NULL",
        [last_q],
    ).fetchone()
    if not row or row[0] is None:
        return 0
    quarters = periods.quarters_between(row[0], last_q)
    try:
        con.execute(mart_sql("035_spc_values.sql"), {"quarters": quarters})
        con.execute(mart_sql("036_spc_series.sql"),
                    {"n_quarters": len(quarters), "min_points": spc.MIN_POINTS})  # fmt: skip
        series = con.execute(
            "SELECT series_id, first_idx, n_points, zero_fill, is_p, direction "
            "FROM spc_series ORDER BY series_id"
        ).fetchnumpy()
        if len(series["series_id"]) == 0:
            return 0
        values = con.execute(
            "SELECT s.series_id, v.q_idx, "
            "CAST(CASE WHEN s.is_p THEN v.numerator ELSE 0 END AS DOUBLE) AS num, "
            "CAST(CASE WHEN s.is_p THEN v.denominator ELSE 1 END AS DOUBLE) AS den, v.value "
            f"FROM spc_values v JOIN spc_series s USING ({_SPC_KEYS}) "
            "ORDER BY s.series_id, v.q_idx"
        ).fetchnumpy()
        result = spc_points(series, values, sum(spc.is_run_in(q) for q in quarters))
        con.register("spc_result", result)
        try:
            con.execute(_SPC_INSERT, {
                "quarters": quarters, "rules": list(spc.rule_names_by_flags()),
                "sides": ["low", None, "high"], "variations": list(VARIATIONS),
            })  # fmt: skip
        finally:
            con.unregister("spc_result")
        return result.num_rows
    finally:
        con.execute("DROP TABLE IF EXISTS spc_values")
        con.execute("DROP TABLE IF EXISTS spc_series")


def spc_points(
    series: dict[str, np.ndarray], values: dict[str, np.ndarray], n_run_in: int = 0
) -> pa.Table:
    """Every point of every series with its baseline, limits, rule flags and icon codes.

    ``series``: per series in series_id order (first_idx, n_points, zero_fill, is_p,
    direction); ``values``: the values present, ordered by series_id then q_idx. Count series
    get a zero for each absent quarter from their first quarter on. Quarters with q_idx up to
    ``n_run_in`` are the run-in year's (in no baseline: :mod:`warehouse.metrics.spc`)."""
    first_idx = np.asarray(series["first_idx"], dtype=np.int64)
    lengths = np.asarray(series["n_points"], dtype=np.int64)
    zero_fill = np.asarray(series["zero_fill"], dtype=bool)
    is_p = np.asarray(series["is_p"], dtype=bool)
    n_total = int(lengths.sum())
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    of_point = np.repeat(np.arange(len(lengths)), lengths)
    seq = np.arange(n_total) - starts[of_point] + 1

    sid = np.asarray(values["series_id"], dtype=np.int64) - 1  # series_id is 1-based
    q_in = np.asarray(values["q_idx"], dtype=np.int64)
    rank = np.arange(len(sid)) - np.searchsorted(sid, sid, side="left")
    dest = starts[sid] + np.where(zero_fill[sid], q_in - first_idx[sid], rank)
    value = np.zeros(n_total)
    num = np.zeros(n_total)
    den = np.ones(n_total)
    q_idx = first_idx[of_point] + seq - 1  # right for zero-filled series; others overwritten
    value[dest] = np.asarray(values["value"], dtype=float)
    num[dest] = np.asarray(values["num"], dtype=float)
    den[dest] = np.asarray(values["den"], dtype=float)
    q_idx[dest] = q_in

    run_in = np.bincount(of_point, weights=q_idx <= n_run_in, minlength=len(lengths))
    res = spc.analyse_many(value, lengths, is_p, num=num, den=den, run_in=run_in.astype(np.int64))
    last = seq == lengths[of_point]
    special, side = res.flags != 0, res.side
    icon = np.array([
        VARIATIONS.index(spc.variation(bool(sp), spc.SIDE_NAMES[int(sd)], str(d)))
        for sp, sd, d in zip(special[last], side[last], series["direction"], strict=True)
    ], dtype=np.int8)  # fmt: skip
    scale = np.where(is_p[of_point], 100.0, 1.0)
    return pa.table({
        "series_id": pa.array(of_point + 1, pa.int32()), "seq": pa.array(seq, pa.int32()),
        "q_idx": pa.array(q_idx, pa.int32()), "value": value,
        # NaN (run-in quarters: no limits) is stored as NULL
        "centre": pa.array(spc.round_like_python(res.centre * scale), from_pandas=True),
        "lower_3s": pa.array(spc.round_like_python(res.lower_3s * scale), from_pandas=True),
        "upper_3s": pa.array(spc.round_like_python(res.upper_3s * scale), from_pandas=True),
        "lower_2s": pa.array(spc.round_like_python(res.lower_2s * scale), from_pandas=True),
        "upper_2s": pa.array(spc.round_like_python(res.upper_2s * scale), from_pandas=True),
        "flags": pa.array(res.flags, pa.int32()), "side": pa.array(side, pa.int32()),
        "is_latest": last, "variation": pa.array(icon[of_point], pa.int32()),
        "phase": pa.array(res.phase, pa.int32()),
    })  # fmt: skip


def build_recommendation_updates(con: duckdb.DuckDBPyConnection) -> None:
    # source and source_rank stay (constant) so the mart's columns and ordering are unchanged.
    con.execute(
        "CREATE OR REPLACE TABLE core.recommendation_updates AS "
        "SELECT u.rec_no, u.owner_code, u.status, u.target_date, u.evidence, u.updated_on, "
        "'extract' AS source, 2 AS source_rank, "
        "CAST(e.as_at AS VARCHAR) || '/' || lpad(CAST(u.row_no AS VARCHAR), 9, '0') AS row_key "
        "FROM raw.recommendation_updates u JOIN raw.extracts e ON e.extract_id = u.extract_id "
        "AND e.is_current AND e.kind = 'recommendation_updates'"
    )


def _count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    row = con.execute(f"SELECT count(*) FROM {table}").fetchone()  # table names are constants
    return int(row[0]) if row else 0


def drop_work_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Drop the build's TEMP work tables (memory on a long-lived connection) and the persisted
    core tables they replaced (space in warehouses built before)."""
    for name in WORK_TABLES:
        con.execute(f"DROP TABLE IF EXISTS {qualified('temp', name)}")
        con.execute(f"DROP TABLE IF EXISTS {qualified('core', name)}")


def _drop_work_quietly(con: duckdb.DuckDBPyConnection) -> None:
    """drop_work_tables after the build, never hiding the build's own error."""
    try:
        drop_work_tables(con)
    except duckdb.Error:
        log.warning("could not drop the build's work tables", exc_info=True)


def _build_core(con: duckdb.DuckDBPyConnection, on_stage: StageHook | None) -> dict[str, int]:
    """core.* (and the temp.* work tables) from the raw current snapshots."""
    drop_work_tables(con)
    for name, sql in _sql_files(CORE_PACKAGE):
        with _stage(f"core {name}", on_stage):
            drop_tables_now_views(con, sql)
            con.execute(sql)
    return {
        t: _count(con, t)
        for t in ("core.police_current", "core.cps_current", "temp.case_links", "temp.cases",
                  "temp.cps_cases", "temp.action_plans", "core.court_outcomes",
                  "core.court_coverage", "core.court_force_coverage", "temp.workforce")
    }  # fmt: skip


def _build_marts(
    con: duckdb.DuckDBPyConnection, settings: Settings, on_stage: StageHook | None
) -> dict[str, int]:
    """Everything published, from core.metric_cells, core and the temp.* work tables."""
    counts: dict[str, int] = {}
    with _stage("values_internal", on_stage):
        con.execute(mart_sql("020_values_internal.sql"))
        counts["temp.metric_values_internal"] = _count(con, "temp.metric_values_internal")
    with _stage("funnel limits", on_stage):
        counts["temp.metric_funnel"] = build_funnel(con)
    with _stage("metric_values", on_stage):
        params = {"count_max": settings.suppress_count_max,
                  "base_min": settings.suppress_base_min}  # fmt: skip
        con.execute(mart_sql("030_metric_values.sql").format(reason=disclosure.REASON_SQL), params)
        counts["mart.metric_values"] = _count(con, "mart.metric_values")
    with _stage("court coverage", on_stage):
        con.execute(mart_sql("045_court_coverage.sql"))
        counts["mart.court_coverage"] = _count(con, "mart.court_coverage")
    ref, latest = data_dates(con)
    with _stage("spc", on_stage):
        counts["temp.spc_internal"] = build_spc(con, ref)
    with _stage("mart spc", on_stage):
        con.execute(mart_sql("040_spc.sql"))
        counts["mart.spc"] = _count(con, "mart.spc")
    with _stage("recommendations", on_stage):
        build_recommendation_updates(con)
        status_sql = mart_sql("050_recommendation_status.sql")
        con.execute(status_sql.format(rag=rag.rag_sql(), overdue=rag.OVERDUE))
        counts["mart.recommendation_status"] = _count(con, "mart.recommendation_status")
        current_fy = periods.last_complete_fy(ref)
        con.execute(mart_sql("060_recommendation_evidence.sql"), {"current_fy": current_fy})
        counts["mart.recommendation_evidence"] = _count(con, "mart.recommendation_evidence")
    con.execute(
        "CREATE OR REPLACE TABLE mart.build_info AS SELECT CAST(? AS DATE) AS data_as_at, "
        "CAST(? AS DATE) AS latest_as_at, CAST(? AS VARCHAR) AS current_fy",
        [ref, latest, current_fy],
    )
    counts["mart.metric_catalogue"] = _count(con, "mart.metric_catalogue")
    return counts


def build(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    *,
    on_stage: StageHook | None = None,
    keep_work: bool = False,
    rebuild: bool = False,
) -> dict[str, int]:
    """Rebuild core and marts from the current raw snapshots; row counts per table.
    ``on_stage(name, seconds)`` is called after each stage (for benchmarks); ``keep_work``
    leaves the temp.* work tables on the connection afterwards (module docstring).

    The metric facts are incremental: when the kept state says only some senders' extracts
    changed, only the facts those changes reach are recomputed (warehouse/scope.py);
    ``rebuild`` (or no kept state) recomputes them all. Either way the cells and marts are
    rebuilt from the facts, so both give the same marts.

    Four transactions, each committed before the next reads its tables: core; the metric
    facts; the cells; then every published table (mart.*, and the core tables they come
    from) together, so the marts always agree with one another. DuckDB reads a table
    created in the still-open transaction two to three times slower than a committed one
    (the facts of one metric: 23 s from committed core.cases, 58 s from uncommitted, at 10x
    national volume), and the build reads each stage's output many times. If a stage
    fails, the earlier stages stay committed and the marts stay as they were; the refresh
    then publishes no snapshot, and the next run rebuilds (the loads are newer than the
    last published snapshot).
    """
    with _duckdb_settings(con, build_settings()):
        try:
            with transaction(con):
                counts = _build_core(con, on_stage)
                load_catalogue_table(con)
            print_ = facts_fingerprint(con)
            within = None if rebuild else scope.plan(con, print_)
            label = "all" if within is None else "incremental"
            with (
                transaction(con),
                _stage(f"metric facts ({len(catalogue.load())} metrics, {label})", on_stage),
            ):
                counts["core.metric_facts"] = build_facts(con, within)
                scope.save(con, print_)
            with transaction(con), _stage("cells", on_stage):
                build_cells(con)
            with transaction(con):
                counts |= _build_marts(con, settings, on_stage)
        finally:
            if not keep_work:
                _drop_work_quietly(con)
    log.info("build complete: %s", counts)
    return counts
