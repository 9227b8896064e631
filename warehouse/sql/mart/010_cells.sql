-- Stage 1 of every metric: aggregate the fact grains of core.metric_facts to cells per level,
-- organisation, period (financial year and quarter) and basis. Levels from the grains'
-- organisation columns: national (all), force (force_code; also serves the joint level),
-- cps_area (area_code), region (the force's police region). Only the levels a metric's
-- catalogue entry allows are built. A grain already sums its facts (s_num, s_den, n), so
-- cells are sums of grains. Means and medians are exact (holistic): avg() and median() over
-- the dist facts themselves, restored from the grains' histogram (value v, n facts).
-- Speed: the grains' text keys are swapped for small integers (k: metric, kind, breakdown and
-- basis; o: organisation; p: period) before the level fan-out, so the aggregates below group
-- on integers; the text comes back by joins on the (far fewer) cells.
CREATE OR REPLACE TABLE core.metric_cells AS
WITH keys AS (
    SELECT row_number() OVER () AS k, *
    FROM (SELECT DISTINCT metric_id, kind, breakdown, basis FROM core.metric_facts)
), periods AS (
    SELECT row_number() OVER () AS p, period, period_kind
    FROM (SELECT DISTINCT fy AS period, 'fy' AS period_kind FROM core.metric_facts
          UNION SELECT DISTINCT quarter, 'quarter' FROM core.metric_facts)
), orgs AS (
    SELECT row_number() OVER () AS o, org
    FROM (SELECT DISTINCT force_code AS org FROM core.metric_facts WHERE force_code IS NOT NULL
          UNION SELECT DISTINCT area_code FROM core.metric_facts WHERE area_code IS NOT NULL
          UNION SELECT DISTINCT region FROM ref.forces WHERE region IS NOT NULL
          UNION SELECT 'national')
), g AS (
    SELECT ky.k, ky.kind, m.levels, pf.p AS fy_p, pq.p AS q_p, ofc.o AS force_o,
           oar.o AS area_o, ore.o AS region_o, mf.v, mf.s_num, mf.s_den, mf.n
    FROM core.metric_facts mf
    JOIN keys ky ON ky.metric_id = mf.metric_id AND ky.kind = mf.kind
        AND ky.breakdown IS NOT DISTINCT FROM mf.breakdown
        AND ky.basis IS NOT DISTINCT FROM mf.basis
    JOIN core.metric_catalogue m ON m.metric_id = mf.metric_id
    JOIN periods pf ON pf.period = mf.fy
    JOIN periods pq ON pq.period = mf.quarter
    LEFT JOIN ref.forces r ON r.code = mf.force_code
    LEFT JOIN orgs ofc ON ofc.org = mf.force_code
    LEFT JOIN orgs oar ON oar.org = mf.area_code
    LEFT JOIN orgs ore ON ore.org = r.region
), x AS (
    SELECT 1 AS lv, (SELECT o FROM orgs WHERE org = 'national') AS o, * FROM g
    UNION ALL
    SELECT 2, force_o, * FROM g
    WHERE force_o IS NOT NULL
      AND (list_contains(levels, 'force') OR list_contains(levels, 'joint'))
    UNION ALL
    SELECT 3, area_o, * FROM g
    WHERE area_o IS NOT NULL AND list_contains(levels, 'cps_area')
    UNION ALL
    SELECT 4, region_o, * FROM g
    WHERE region_o IS NOT NULL AND list_contains(levels, 'region')
), sums AS (
    SELECT lv, o, k, coalesce(q_p, fy_p) AS p,
           sum(s_num) AS s_num, sum(s_den) AS s_den, sum(n) AS n
    FROM x
    GROUP BY GROUPING SETS ((lv, o, k, fy_p), (lv, o, k, q_p))
), dists AS (
    -- each dist grain stands for n facts of value v: range(n) restores them
    SELECT lv, o, k, coalesce(q_p, fy_p) AS p, avg(v) AS mean_v, median(v) AS median_v
    FROM x, range(x.n)
    WHERE kind = 'dist' AND v IS NOT NULL
    GROUP BY GROUPING SETS ((lv, o, k, fy_p), (lv, o, k, q_p))
)
SELECT CASE s.lv WHEN 1 THEN 'national' WHEN 2 THEN 'force' WHEN 3 THEN 'cps_area'
                 ELSE 'region' END AS level,
       og.org AS org_code, ky.metric_id, ky.kind, ky.breakdown, ky.basis, pe.period,
       pe.period_kind, s.s_num, s.s_den, s.n,
       CASE WHEN ky.kind = 'dist' THEN d.mean_v END AS mean_v,
       CASE WHEN ky.kind = 'dist' THEN d.median_v END AS median_v
FROM sums s
JOIN keys ky ON ky.k = s.k
JOIN orgs og ON og.o = s.o
JOIN periods pe ON pe.p = s.p
LEFT JOIN dists d ON d.lv = s.lv AND d.o = s.o AND d.k = s.k AND d.p = s.p;
