-- Stage 1 of every metric, part 2: core.metric_cells, the grains (010_cell_grains.sql) summed
-- to cells per level, organisation, period and basis. A grain already sums its facts (s_num,
-- s_den, n), so cells are sums of grains. Dist cells' mean and median come from cell_dists
-- (cell BIGINT, mean_v, median_v), which warehouse/cells.py computes exactly from the cells'
-- histograms (tests/integration/test_metrics_build_equivalence.py compares them with avg()
-- and median() over the facts). Histograms rather than median() here: holistic aggregates
-- hold every value in memory, unspillable.
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
)
SELECT CASE s.lv WHEN 1 THEN 'national' WHEN 2 THEN 'force' WHEN 3 THEN 'cps_area'
                 ELSE 'region' END AS level,
       og.org AS org_code, ky.metric_id, ky.kind, ky.breakdown, ky.basis, pe.period,
       pe.period_kind, s.s_num, s.s_den, s.n,
       CASE WHEN ky.kind = 'dist' THEN d.mean_v END AS mean_v,
       CASE WHEN ky.kind = 'dist' THEN d.median_v END AS median_v
FROM sums s
JOIN cell_keys ky ON ky.k = s.k
JOIN cell_orgs og ON og.o = s.o
JOIN cell_periods pe ON pe.p = s.p
LEFT JOIN cell_dists d ON d.cell = ((s.lv * 65536 + s.o) * 16777216 + s.k) * 65536 + s.p;

DROP TABLE cell_grains;
DROP TABLE cell_keys;
DROP TABLE cell_periods;
DROP TABLE cell_orgs;
