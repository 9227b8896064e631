-- Stage 1 of every metric: aggregate the fact grains of core.metric_facts to cells per level,
-- organisation, period (financial year and quarter) and basis. Levels from the grains'
-- organisation columns: national (all), force (force_code; also serves the joint level),
-- cps_area (area_code), region (the force's police region). Only the levels a metric's
-- catalogue entry allows are built. A grain already sums its facts (s_num, s_den, n), so
-- cells are sums of grains. Means and medians are exact: a dist grain is a histogram bar
-- (value v, n facts), cells' histograms are sums of bars, and the mean and median come from
-- the cell's histogram exactly as avg() and median() over the facts would give them
-- (tests/integration/test_metrics_build_equivalence.py checks this). Histograms rather than
-- median() over the facts: holistic aggregates hold every value in memory, unspillable.
-- Speed: the grains' text keys are swapped for small integers first (k: metric, kind,
-- breakdown and basis; o: organisation, NULL where the metric has no such level; p: period),
-- so the aggregates, sorts and windows run on narrow integer rows; the text comes back by
-- joins on the (far fewer) cells. Grain keys are never NULL (build_facts checks).
CREATE OR REPLACE TEMP TABLE cell_keys AS
SELECT row_number() OVER () AS k, *
FROM (SELECT DISTINCT metric_id, kind, breakdown, basis FROM core.metric_facts);

CREATE OR REPLACE TEMP TABLE cell_periods AS
SELECT row_number() OVER () AS p, period, period_kind
FROM (SELECT DISTINCT fy AS period, 'fy' AS period_kind FROM core.metric_facts
      UNION SELECT DISTINCT quarter, 'quarter' FROM core.metric_facts);

CREATE OR REPLACE TEMP TABLE cell_orgs AS
SELECT row_number() OVER () AS o, org
FROM (SELECT DISTINCT force_code AS org FROM core.metric_facts WHERE force_code IS NOT NULL
      UNION SELECT DISTINCT area_code FROM core.metric_facts WHERE area_code IS NOT NULL
      UNION SELECT DISTINCT region FROM ref.forces WHERE region IS NOT NULL
      UNION SELECT 'national');

CREATE OR REPLACE TEMP TABLE cell_grains AS
SELECT ky.k, ky.kind = 'dist' AS is_dist, pf.p AS fy_p, pq.p AS q_p,
       CASE WHEN list_contains(m.levels, 'force') OR list_contains(m.levels, 'joint')
            THEN ofc.o END AS force_o,
       CASE WHEN list_contains(m.levels, 'cps_area') THEN oar.o END AS area_o,
       CASE WHEN list_contains(m.levels, 'region') THEN ore.o END AS region_o,
       mf.v, mf.s_num, mf.s_den, mf.n
FROM core.metric_facts mf
JOIN cell_keys ky ON ky.metric_id = mf.metric_id AND ky.kind = mf.kind
    AND ky.breakdown = mf.breakdown AND ky.basis = mf.basis
JOIN core.metric_catalogue m ON m.metric_id = mf.metric_id
JOIN cell_periods pf ON pf.period = mf.fy
JOIN cell_periods pq ON pq.period = mf.quarter
LEFT JOIN ref.forces r ON r.code = mf.force_code
LEFT JOIN cell_orgs ofc ON ofc.org = mf.force_code
LEFT JOIN cell_orgs oar ON oar.org = mf.area_code
LEFT JOIN cell_orgs ore ON ore.org = r.region;

CREATE OR REPLACE TABLE core.metric_cells AS
WITH nat AS (
    SELECT o FROM cell_orgs WHERE org = 'national'
), x AS (
    SELECT 1 AS lv, (SELECT o FROM nat) AS o, k, fy_p, q_p, s_num, s_den, n FROM cell_grains
    UNION ALL
    SELECT 2, force_o, k, fy_p, q_p, s_num, s_den, n FROM cell_grains
    WHERE force_o IS NOT NULL
    UNION ALL
    SELECT 3, area_o, k, fy_p, q_p, s_num, s_den, n FROM cell_grains
    WHERE area_o IS NOT NULL
    UNION ALL
    SELECT 4, region_o, k, fy_p, q_p, s_num, s_den, n FROM cell_grains
    WHERE region_o IS NOT NULL
), sums AS (
    SELECT lv, o, k, coalesce(q_p, fy_p) AS p,
           sum(s_num) AS s_num, sum(s_den) AS s_den, sum(n) AS n
    FROM x
    GROUP BY GROUPING SETS ((lv, o, k, fy_p), (lv, o, k, q_p))
), qh AS (
    -- value histograms per quarter cell, one level at a time straight from the grains
    SELECT 1 AS lv, (SELECT o FROM nat) AS o, k, q_p, fy_p, v, sum(n) AS c
    FROM cell_grains WHERE is_dist AND v IS NOT NULL
    GROUP BY k, q_p, fy_p, v
    UNION ALL
    SELECT 2, force_o, k, q_p, fy_p, v, sum(n) FROM cell_grains
    WHERE is_dist AND v IS NOT NULL AND force_o IS NOT NULL
    GROUP BY force_o, k, q_p, fy_p, v
    UNION ALL
    SELECT 3, area_o, k, q_p, fy_p, v, sum(n) FROM cell_grains
    WHERE is_dist AND v IS NOT NULL AND area_o IS NOT NULL
    GROUP BY area_o, k, q_p, fy_p, v
    UNION ALL
    SELECT 4, region_o, k, q_p, fy_p, v, sum(n) FROM cell_grains
    WHERE is_dist AND v IS NOT NULL AND region_o IS NOT NULL
    GROUP BY region_o, k, q_p, fy_p, v
), hist AS (
    -- one BIGINT per cell (lv < 8, o < 2^16, k < 2^24, p < 2^16) keeps the sort narrow
    SELECT ((lv * 65536 + o) * 16777216 + k) * 65536 + p AS cell, v, c
    FROM (SELECT lv, o, k, q_p AS p, v, c FROM qh
          UNION ALL
          SELECT lv, o, k, fy_p, v, sum(c) FROM qh GROUP BY lv, o, k, fy_p, v)
), placed AS (
    SELECT *,
           sum(c) OVER (PARTITION BY cell ORDER BY v
                        ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS upto,
           sum(c) OVER (PARTITION BY cell) AS total
    FROM hist
), dists AS (
    -- 0-based positions of the middle values are (total - 1) // 2 and total // 2; a value
    -- covers positions upto - c .. upto - 1. DuckDB's median: the middle value, or for an
    -- even count lo + (hi - lo) * 0.5; the mean: sum / count (dist values are whole numbers
    -- - days, counts - so their sums are exact in any order, as avg() relied on before).
    SELECT cell,
           sum(v * c) / sum(c) AS mean_v,
           min(v) FILTER (WHERE upto > (total - 1) // 2) AS lo_v,
           min(v) FILTER (WHERE upto > total // 2) AS hi_v,
           any_value(total) % 2 = 1 AS odd
    FROM placed
    GROUP BY cell
)
SELECT CASE s.lv WHEN 1 THEN 'national' WHEN 2 THEN 'force' WHEN 3 THEN 'cps_area'
                 ELSE 'region' END AS level,
       og.org AS org_code, ky.metric_id, ky.kind, ky.breakdown, ky.basis, pe.period,
       pe.period_kind, s.s_num, s.s_den, s.n,
       CASE WHEN ky.kind = 'dist' THEN d.mean_v END AS mean_v,
       CASE WHEN ky.kind = 'dist' THEN
           CASE WHEN d.odd THEN d.lo_v ELSE d.lo_v + (d.hi_v - d.lo_v) * 0.5 END
       END AS median_v
FROM sums s
JOIN cell_keys ky ON ky.k = s.k
JOIN cell_orgs og ON og.o = s.o
JOIN cell_periods pe ON pe.p = s.p
LEFT JOIN dists d ON d.cell = ((s.lv * 65536 + s.o) * 16777216 + s.k) * 65536 + s.p;

DROP TABLE cell_grains;
DROP TABLE cell_keys;
DROP TABLE cell_periods;
DROP TABLE cell_orgs;
