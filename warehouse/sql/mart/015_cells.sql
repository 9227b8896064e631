-- Stage 1 of every metric, part 2: core.metric_cells, the grains (010_cell_grains.sql) summed
-- to cells per level, organisation, period and basis. A grain already sums its facts (s_num,
-- s_den, n), so cells are sums of grains. Dist cells' mean and median come from cell_dists
-- (cell BIGINT, mean_v, median_v), which warehouse/cells.py computes exactly from the cells'
-- histograms (tests/integration/test_metrics_build_equivalence.py compares them with avg()
-- and median() over the facts). Histograms rather than median() here: holistic aggregates
-- hold every value in memory, unspillable.
-- For the timeliness comparison (025_funnel.sql) a dist cell also carries s_sq, the sum of its
-- values' squares (values are whole days, so every sum is exact and the same in any order),
-- and n_below / n_above, how many of its values lie below / above the national median of
-- the same metric, breakdown, basis and period (values equal to it count in neither).
CREATE OR REPLACE TABLE core.metric_cells AS
WITH nat AS (
    SELECT o FROM cell_orgs WHERE org = 'national'
), x AS (
    SELECT 1 AS lv, (SELECT o FROM nat) AS o, k, fy_p, q_p, s_num, s_den, n, is_dist, v
    FROM cell_grains
    UNION ALL
    SELECT 2, force_o, k, fy_p, q_p, s_num, s_den, n, is_dist, v FROM cell_grains
    WHERE force_o IS NOT NULL
    UNION ALL
    SELECT 3, area_o, k, fy_p, q_p, s_num, s_den, n, is_dist, v FROM cell_grains
    WHERE area_o IS NOT NULL
    UNION ALL
    SELECT 4, region_o, k, fy_p, q_p, s_num, s_den, n, is_dist, v FROM cell_grains
    WHERE region_o IS NOT NULL
), sums AS (
    SELECT lv, o, k, coalesce(q_p, fy_p) AS p,
           sum(s_num) AS s_num, sum(s_den) AS s_den, sum(n) AS n,
           sum(CASE WHEN is_dist THEN v * v * n END) AS s_sq
    FROM x
    GROUP BY GROUPING SETS ((lv, o, k, fy_p), (lv, o, k, q_p))
), nat_median AS (  -- national dist cells' medians by key and period (cell id decoded)
    SELECT (d.cell // 65536) % 16777216 AS k, d.cell % 65536 AS p, d.median_v AS m0
    FROM cell_dists d
    WHERE d.cell // 65536 // 16777216 = 65536 + (SELECT o FROM nat)
), sides AS (  -- dist grains only: how many values lie below / above the national median
    SELECT x.lv, x.o, x.k, x.fy_p AS p,
           sum(CASE WHEN x.v < m.m0 THEN x.n ELSE 0 END) AS n_below,
           sum(CASE WHEN x.v > m.m0 THEN x.n ELSE 0 END) AS n_above
    FROM x JOIN nat_median m ON m.k = x.k AND m.p = x.fy_p
    WHERE x.is_dist
    GROUP BY x.lv, x.o, x.k, x.fy_p
    UNION ALL
    SELECT x.lv, x.o, x.k, x.q_p,
           sum(CASE WHEN x.v < m.m0 THEN x.n ELSE 0 END),
           sum(CASE WHEN x.v > m.m0 THEN x.n ELSE 0 END)
    FROM x JOIN nat_median m ON m.k = x.k AND m.p = x.q_p
    WHERE x.is_dist
    GROUP BY x.lv, x.o, x.k, x.q_p
)
SELECT CASE s.lv WHEN 1 THEN 'national' WHEN 2 THEN 'force' WHEN 3 THEN 'cps_area'
                 ELSE 'region' END AS level,
       og.org AS org_code, ky.metric_id, ky.kind, ky.breakdown, ky.basis, pe.period,
       pe.period_kind, s.s_num, s.s_den, s.n,
       CASE WHEN ky.kind = 'dist' THEN d.mean_v END AS mean_v,
       CASE WHEN ky.kind = 'dist' THEN d.median_v END AS median_v,
       CASE WHEN ky.kind = 'dist' THEN s.s_sq END AS s_sq,
       CASE WHEN ky.kind = 'dist' THEN coalesce(sd.n_below, 0) END AS n_below,
       CASE WHEN ky.kind = 'dist' THEN coalesce(sd.n_above, 0) END AS n_above
FROM sums s
JOIN cell_keys ky ON ky.k = s.k
JOIN cell_orgs og ON og.o = s.o
JOIN cell_periods pe ON pe.p = s.p
LEFT JOIN cell_dists d ON d.cell = ((s.lv * 65536 + s.o) * 16777216 + s.k) * 65536 + s.p
LEFT JOIN sides sd ON sd.lv = s.lv AND sd.o = s.o AND sd.k = s.k AND sd.p = s.p;

DROP TABLE cell_grains;
DROP TABLE cell_keys;
DROP TABLE cell_periods;
DROP TABLE cell_orgs;
