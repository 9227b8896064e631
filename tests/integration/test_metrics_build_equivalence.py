"""The set-wise build equals the straightforward one on a small generated national set.

build.py aggregates facts to grains before the level fan-out (medians from the restored
facts) and computes SPC for every series at once. The straightforward forms are kept here
as references: case-level facts grouped straight to cells, and ``spc.analyse`` called per
series exactly as the build used to. Both must give identical rows.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pytest

from bench.build_bench import load_raw
from scorecard import periods
from scorecard.synthetic import GenerateOptions, generate_all
from tests.helpers.warehouse import settings
from warehouse import build as wbuild
from warehouse.metrics import catalogue, spc
from warehouse.migrate import migrate
from warehouse.reference_load import load_reference

REFERENCE_FACTS = """
CREATE OR REPLACE TABLE ref_facts (metric_id VARCHAR, kind VARCHAR, breakdown VARCHAR,
    basis VARCHAR, fy VARCHAR, quarter VARCHAR, force_code VARCHAR, area_code VARCHAR,
    num DOUBLE, den INTEGER)
"""
REFERENCE_CELLS = """
WITH f AS (
    SELECT mf.*, r.region, m.levels
    FROM ref_facts mf
    JOIN core.metric_catalogue m ON m.metric_id = mf.metric_id
    LEFT JOIN ref.forces r ON r.code = mf.force_code
), x AS (
    SELECT 'national' AS level, 'national' AS org_code, * FROM f
    UNION ALL
    SELECT 'force', force_code, * FROM f
    WHERE force_code IS NOT NULL
      AND (list_contains(levels, 'force') OR list_contains(levels, 'joint'))
    UNION ALL
    SELECT 'cps_area', area_code, * FROM f
    WHERE area_code IS NOT NULL AND list_contains(levels, 'cps_area')
    UNION ALL
    SELECT 'region', region, * FROM f
    WHERE region IS NOT NULL AND list_contains(levels, 'region')
)
SELECT level, org_code, metric_id, kind, breakdown, basis,
       CASE WHEN grouping(quarter) = 0 THEN quarter ELSE fy END AS period,
       CASE WHEN grouping(quarter) = 0 THEN 'quarter' ELSE 'fy' END AS period_kind,
       sum(num) AS s_num, CAST(sum(den) AS BIGINT) AS s_den, count(*) AS n,
       CASE WHEN kind = 'dist' THEN avg(num) END AS mean_v,
       CASE WHEN kind = 'dist' THEN median(num) END AS median_v
FROM x
GROUP BY GROUPING SETS (
    (level, org_code, metric_id, kind, breakdown, basis, fy),
    (level, org_code, metric_id, kind, breakdown, basis, quarter)
)
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> duckdb.DuckDBPyConnection:
    data: Path = tmp_path_factory.mktemp("extracts")
    generate_all(GenerateOptions(out=data, scale=0.01, as_at=date(2024, 9, 30)))
    con = duckdb.connect(":memory:")
    migrate(con)
    load_reference(con, settings())
    load_raw(con, data)
    wbuild.build(con, settings(), keep_work=True)  # the reference reads temp.*
    return con


def _differences(con: duckdb.DuckDBPyConnection, a: str, b: str) -> tuple[int, int]:
    one = con.execute(f"SELECT count(*) FROM (({a}) EXCEPT ALL ({b}))").fetchone()
    two = con.execute(f"SELECT count(*) FROM (({b}) EXCEPT ALL ({a}))").fetchone()
    return (one[0] if one else -1, two[0] if two else -1)


def test_cells_equal_case_level_aggregation(built: duckdb.DuckDBPyConnection) -> None:
    con = built
    con.execute(REFERENCE_FACTS)
    for m in catalogue.load():
        con.execute(
            f"INSERT INTO ref_facts SELECT ?, kind, breakdown, basis, {periods.FY_SQL}, "
            f"{periods.QUARTER_SQL}, force_code, area_code, CAST(num AS DOUBLE), "
            f"CAST(den AS INTEGER) FROM ({m.sql_text().strip().rstrip(';')}\n) "
            "WHERE event_date IS NOT NULL",
            [m.id],
        )
    got = (
        "SELECT level, org_code, metric_id, kind, breakdown, basis, period, period_kind, s_num, "
        "CAST(s_den AS BIGINT), CAST(n AS BIGINT), mean_v, median_v FROM core.metric_cells"
    )
    n = con.execute("SELECT count(*) FROM core.metric_cells").fetchone()
    assert n and n[0] > 10_000
    dist = con.execute("SELECT count(*) FROM core.metric_cells WHERE median_v IS NOT NULL")
    assert (dist.fetchone() or [0])[0] > 1_000
    assert _differences(con, got, REFERENCE_CELLS) == (0, 0)


def _reference_spc(con: duckdb.DuckDBPyConnection, ref: date, levels: tuple[str, ...]) -> list:
    """The build's former per-series loop (pandas groupby + spc.analyse), for some levels."""
    last_q = periods.quarter_of(ref)
    if periods.bounds(last_q)[1] > ref:
        last_q = periods.quarter_of(periods.bounds(last_q)[0] - timedelta(days=1))
    df = con.execute(
        "SELECT i.level, i.org_code, i.basis, i.metric_id, i.stat, i.breakdown, i.period,"
        " i.numerator, i.denominator, i.value, m.direction "
        "FROM temp.metric_values_internal i "
        "JOIN core.metric_catalogue m ON m.metric_id = i.metric_id "
        "WHERE i.period_kind = 'quarter' AND i.period <= ? AND i.value IS NOT NULL "
        "AND list_contains(?, i.level) "
        "ORDER BY i.level, i.org_code, i.basis, i.metric_id, i.stat, i.breakdown, i.period",
        [last_q, list(levels)],
    ).df()
    rows = []
    run_in = {q for q in periods.quarters_between(df.period.min(), last_q) if spc.is_run_in(q)}
    keys = ["level", "org_code", "basis", "metric_id", "stat", "breakdown"]
    for key, g in df.groupby(keys, sort=True):
        if key[4] == "count":
            g = g.set_index("period").reindex(periods.quarters_between(g.period.iloc[0], last_q))
            g["value"] = g["value"].fillna(0.0)
            g = g.reset_index(names="period")
        if len(g) < spc.MIN_POINTS:
            continue
        lead = int(g.period.isin(run_in).sum())
        if key[4] == "rate":
            res = spc.analyse(g.value.to_numpy(), chart="p",
                              num=g.numerator.to_numpy(dtype=float),
                              den=g.denominator.to_numpy(dtype=float), run_in=lead)  # fmt: skip
            scale = 100.0
        else:
            res = spc.analyse(g.value.to_numpy(), chart="xmr", run_in=lead)
            scale = 1.0
        latest = spc.variation(res.special[-1], res.side[-1], g.direction.iloc[0])
        for i, period in enumerate(g.period):
            rows.append((*key, period, i + 1, res.chart, float(g.value.iloc[i]),
                         round(float(res.centre[i]) * scale, 6),
                         round(float(res.lower_3s[i]) * scale, 6),
                         round(float(res.upper_3s[i]) * scale, 6),
                         round(float(res.lower_2s[i]) * scale, 6),
                         round(float(res.upper_2s[i]) * scale, 6),
                         res.special[i], ",".join(sorted(res.rules[i])) or None,
                         res.side[i], i == len(g) - 1, latest, int(res.phase[i])))  # fmt: skip
    return rows


def test_spc_equals_per_series_analyse(built: duckdb.DuckDBPyConnection) -> None:
    con = built
    ref, _ = wbuild.data_dates(con)
    assert ref is not None
    levels = ("national", "region", "cps_area")
    want = _reference_spc(con, ref, levels)
    got = con.execute(
        "SELECT * FROM temp.spc_internal WHERE list_contains(?, level) "
        "ORDER BY level, org_code, basis, metric_id, stat, breakdown, seq",
        [list(levels)],
    ).fetchall()
    assert len(got) == len(want) > 5_000
    assert {r[16] for r in want} >= {"beyond_limit", "run", "trend", None}
    for g, w in zip(got, want, strict=True):
        assert g[:10] == w[:10]
        assert np.array_equal(np.array(g[10:15], dtype=float), np.array(w[10:15], dtype=float),
                              equal_nan=True), (g, w)  # fmt: skip
        assert g[15:] == w[15:]
