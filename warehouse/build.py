"""Rebuild core and every mart from the current raw snapshots, in one transaction.

Called by the pipeline after loading raw (migrations applied, reference loaded):
``build(con, settings) -> {table: rows}``. Same inputs give identical mart contents: every
aggregate is over integers or exact medians, values are rounded to 6 places, and Python
post-processing (funnel limits, SPC) runs over rows in a fixed order.

Recommendation updates: the extracts' ``raw.recommendation_updates`` (current extracts) are
unioned with ``raw.app_recommendation_updates`` when that table exists (same columns as the
contract: rec_no, owner_code, status, target_date, evidence, updated_on) - the place for
updates entered in the app; an app update wins a same-day tie.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta
from importlib import resources

import duckdb
import pandas as pd

from scorecard.settings import Settings
from warehouse.db import table_exists, transaction
from warehouse.metrics import catalogue, disclosure, funnel, periods, spc

log = logging.getLogger(__name__)

CORE_PACKAGE = "warehouse.sql.core"
MART_PACKAGE = "warehouse.sql.mart"
NATIONAL = "national"


def _sql_files(package: str, *, metrics: bool = False) -> list[tuple[str, str]]:
    files = sorted(
        (e.name, e.read_text(encoding="utf-8"))
        for e in resources.files(package).iterdir()
        if e.name.endswith(".sql")
    )
    return [(n, t) for n, t in files if n.startswith("metric__") == metrics]


def mart_sql(name: str) -> str:
    return resources.files(MART_PACKAGE).joinpath(name).read_text(encoding="utf-8")


def _facts_insert_sql(metric_sql: str) -> str:
    """Wrap a metric's facts SELECT: add its id (bound) and the period labels."""
    return (
        "INSERT INTO core.metric_facts "
        f"SELECT ?, kind, breakdown, basis, event_date, {periods.FY_SQL}, {periods.QUARTER_SQL},"
        " force_code, area_code, CAST(num AS DOUBLE), CAST(den AS INTEGER) "
        f"FROM ({metric_sql.strip().rstrip(';')}) WHERE event_date IS NOT NULL"
    )


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


def build_facts(con: duckdb.DuckDBPyConnection) -> int:
    con.execute(
        "CREATE OR REPLACE TABLE core.metric_facts (metric_id VARCHAR, kind VARCHAR, "
        "breakdown VARCHAR, basis VARCHAR, event_date DATE, fy VARCHAR, quarter VARCHAR, "
        "force_code VARCHAR, area_code VARCHAR, num DOUBLE, den INTEGER)"
    )
    for m in catalogue.load():
        con.execute(_facts_insert_sql(m.sql_text()), [m.id])
    return _count(con, "core.metric_facts")


def data_dates(con: duckdb.DuckDBPyConnection) -> tuple[date | None, date | None]:
    """(reference date, latest as_at). The reference date - the earliest as_at among current
    case extracts - marks which quarters and years are complete everywhere."""
    row = con.execute(
        "SELECT min(as_at) FILTER (WHERE kind IN ('police_cases', 'cps_cases')), max(as_at) "
        "FROM raw.extracts WHERE is_current"
    ).fetchone()
    return (row[0], row[1]) if row else (None, None)


def last_complete_fy(ref: date | None) -> str | None:
    if ref is None:
        return None
    fy = periods.fy_of(ref)
    return fy if periods.bounds(fy)[1] <= ref else periods.fy_of(ref - timedelta(days=366))


def build_funnel(con: duckdb.DuckDBPyConnection) -> int:
    """Funnel limits for every rate of a funnel metric against the national rate (SQL; the
    method and constants are those of :mod:`warehouse.metrics.funnel`)."""
    params = {"z95": funnel.Z95, "z998": funnel.Z998, "min_units": funnel.MIN_UNITS,
              "w_lo": funnel.WINSOR[0] / 100, "w_hi": funnel.WINSOR[1] / 100}  # fmt: skip
    con.execute(mart_sql("025_funnel.sql"), params)
    return _count(con, "core.metric_funnel")


def _quarters_between(first: str, last: str) -> list[str]:
    out, d = [], periods.bounds(first)[0]
    end = periods.bounds(last)[0]
    while d <= end:
        out.append(periods.quarter_of(d))
        d = periods.bounds(out[-1])[1] + timedelta(days=1)
    return out


def build_spc(con: duckdb.DuckDBPyConnection, ref: date | None) -> int:
    """SPC over complete quarters (ending on or before the reference date)."""
    cols = ["level", "org_code", "basis", "metric_id", "stat", "breakdown", "period", "seq",
            "chart", "value", "centre", "lower_3s", "upper_3s", "lower_2s", "upper_2s",
            "special_cause", "rules", "cause_side", "is_latest", "variation"]  # fmt: skip
    rows: list[tuple] = []
    if ref is not None:
        last_q = periods.quarter_of(ref)
        if periods.bounds(last_q)[1] > ref:
            last_q = periods.quarter_of(periods.bounds(last_q)[0] - timedelta(days=1))
        df = con.execute(
            "SELECT i.level, i.org_code, i.basis, i.metric_id, i.stat, i.breakdown, i.period,"
            " i.numerator, i.denominator, i.value, m.direction "
            "FROM core.metric_values_internal i "
            "JOIN core.metric_catalogue m ON m.metric_id = i.metric_id "
            "WHERE i.period_kind = 'quarter' AND i.period <= ? AND i.value IS NOT NULL "
            "ORDER BY i.level, i.org_code, i.basis, i.metric_id, i.stat, i.breakdown, i.period",
            [last_q],
        ).df()
        keys = ["level", "org_code", "basis", "metric_id", "stat", "breakdown"]
        for key, g in df.groupby(keys, sort=True):
            stat, direction = key[4], g.direction.iloc[0]
            if stat == "count":  # an absent quarter is a zero count
                qs = _quarters_between(g.period.iloc[0], last_q)
                g = g.set_index("period").reindex(qs)
                g["value"] = g["value"].fillna(0.0)
                g = g.reset_index(names="period")
            if len(g) < spc.MIN_POINTS:
                continue
            if stat == "rate":
                res = spc.analyse(g.value.to_numpy(), chart="p",
                                  num=g.numerator.to_numpy(dtype=float),
                                  den=g.denominator.to_numpy(dtype=float))  # fmt: skip
                scale = 100.0
            else:
                res = spc.analyse(g.value.to_numpy(), chart="xmr")
                scale = 1.0
            special = res.special
            latest = spc.variation(special[-1], res.side[-1], direction)
            n = len(g)
            for i, period in enumerate(g.period):
                rows.append((*key, period, i + 1, res.chart, float(g.value.iloc[i]),
                             round(res.centre * scale, 6),
                             round(float(res.lower_3s[i]) * scale, 6),
                             round(float(res.upper_3s[i]) * scale, 6),
                             round(float(res.lower_2s[i]) * scale, 6),
                             round(float(res.upper_2s[i]) * scale, 6),
                             special[i], ",".join(sorted(res.rules[i])) or None,
                             res.side[i], i == n - 1, latest))  # fmt: skip
    con.execute(
        "CREATE OR REPLACE TABLE core.spc_internal (level VARCHAR, org_code VARCHAR, "
        "basis VARCHAR, metric_id VARCHAR, stat VARCHAR, breakdown VARCHAR, period VARCHAR, "
        "seq INTEGER, chart VARCHAR, value DOUBLE, centre DOUBLE, lower_3s DOUBLE, "
        "upper_3s DOUBLE, lower_2s DOUBLE, upper_2s DOUBLE, special_cause BOOLEAN, "
        "rules VARCHAR, cause_side VARCHAR, is_latest BOOLEAN, variation VARCHAR)"
    )
    if rows:
        frame = pd.DataFrame(rows, columns=cols)
        con.register("spc_df", frame)
        try:
            con.execute("INSERT INTO core.spc_internal SELECT * FROM spc_df")
        finally:
            con.unregister("spc_df")
    return len(rows)


def build_recommendation_updates(con: duckdb.DuckDBPyConnection) -> None:
    parts = [
        "SELECT u.rec_no, u.owner_code, u.status, u.target_date, u.evidence, u.updated_on, "
        "'extract' AS source, 2 AS source_rank, "
        "CAST(e.as_at AS VARCHAR) || '/' || lpad(CAST(u.row_no AS VARCHAR), 9, '0') AS row_key "
        "FROM raw.recommendation_updates u JOIN raw.extracts e ON e.extract_id = u.extract_id "
        "AND e.is_current AND e.kind = 'recommendation_updates'"
    ]
    if table_exists(con, "raw", "app_recommendation_updates"):
        parts.append(
            "SELECT rec_no, owner_code, status, target_date, evidence, updated_on, 'app', 1, "
            "CAST(updated_on AS VARCHAR) || '/' || coalesce(status, '') "
            "FROM raw.app_recommendation_updates"
        )
    con.execute(
        "CREATE OR REPLACE TABLE core.recommendation_updates AS " + " UNION ALL ".join(parts)
    )


def _count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    row = con.execute(f"SELECT count(*) FROM {table}").fetchone()  # table names are constants
    return int(row[0]) if row else 0


def _build(con: duckdb.DuckDBPyConnection, settings: Settings) -> dict[str, int]:
    counts: dict[str, int] = {}
    for name, sql in _sql_files(CORE_PACKAGE):
        log.info("core: %s", name)
        con.execute(sql)
    for t in ("police_current", "cps_current", "case_links", "cases", "cps_cases",
              "action_plans", "workforce"):  # fmt: skip
        counts[f"core.{t}"] = _count(con, f"core.{t}")
    load_catalogue_table(con)
    log.info("metric facts for %d metrics", len(catalogue.load()))
    counts["core.metric_facts"] = build_facts(con)
    log.info("aggregating cells")
    con.execute(mart_sql("010_cells.sql"))
    con.execute(mart_sql("020_values_internal.sql"))
    counts["core.metric_values_internal"] = _count(con, "core.metric_values_internal")
    log.info("funnel limits")
    counts["core.metric_funnel"] = build_funnel(con)
    params = {"count_max": settings.suppress_count_max, "base_min": settings.suppress_base_min}
    con.execute(mart_sql("030_metric_values.sql").format(reason=disclosure.REASON_SQL), params)
    counts["mart.metric_values"] = _count(con, "mart.metric_values")
    ref, latest = data_dates(con)
    log.info("SPC (reference date %s)", ref)
    counts["core.spc_internal"] = build_spc(con, ref)
    con.execute(mart_sql("040_spc.sql"))
    counts["mart.spc"] = _count(con, "mart.spc")
    build_recommendation_updates(con)
    con.execute(mart_sql("050_recommendation_status.sql"))
    counts["mart.recommendation_status"] = _count(con, "mart.recommendation_status")
    current_fy = last_complete_fy(ref)
    con.execute(mart_sql("060_recommendation_evidence.sql"), {"current_fy": current_fy})
    counts["mart.recommendation_evidence"] = _count(con, "mart.recommendation_evidence")
    con.execute(
        "CREATE OR REPLACE TABLE mart.build_info AS SELECT CAST(? AS DATE) AS data_as_at, "
        "CAST(? AS DATE) AS latest_as_at, CAST(? AS VARCHAR) AS current_fy",
        [ref, latest, current_fy],
    )
    counts["mart.metric_catalogue"] = _count(con, "mart.metric_catalogue")
    return counts


def build(con: duckdb.DuckDBPyConnection, settings: Settings) -> dict[str, int]:
    """Rebuild core and marts from current raw snapshots in one transaction; row counts."""
    with transaction(con):
        counts = _build(con, settings)
    log.info("build complete: %s", counts)
    return counts
