-- Stage 1 of every metric: aggregate the facts of core.metric_facts to cells per level,
-- organisation, period (financial year and quarter) and basis. Levels from the facts'
-- organisation columns: national (all), force (force_code; also serves the joint level),
-- cps_area (area_code), region (the force's police region). Only the levels a metric's
-- catalogue entry allows are built. Medians are exact (holistic), not from sums.
CREATE OR REPLACE TABLE core.metric_cells AS
WITH f AS (
    SELECT mf.*, r.region, m.levels
    FROM core.metric_facts mf
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
       sum(num) AS s_num, sum(den) AS s_den, count(*) AS n,
       CASE WHEN kind = 'dist' THEN avg(num) END AS mean_v,
       CASE WHEN kind = 'dist' THEN median(num) END AS median_v
FROM x
GROUP BY GROUPING SETS (
    (level, org_code, metric_id, kind, breakdown, basis, fy),
    (level, org_code, metric_id, kind, breakdown, basis, quarter)
);
