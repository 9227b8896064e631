-- Stage 2: cells -> one row per published statistic, BEFORE disclosure control (a TEMP work
-- table, not published). count: value = sum; rate: 100 * sum num / sum den; share: a rate whose
-- denominator is every category of the same breakdown name (categories absent from an
-- organisation's period are filled with 0); mean/median: over the dist facts. A mean row also
-- carries sd, the sample standard deviation of the days (from the cell's sums of squares), so
-- a change in a mean is tested with its real spread (warehouse/metrics/change.py).
CREATE OR REPLACE TEMP TABLE metric_values_internal AS
WITH cells AS (
    SELECT c.*, m.levels, m.stats
    FROM core.metric_cells c
    JOIN core.metric_catalogue m ON m.metric_id = c.metric_id
    WHERE c.period_kind = 'fy' OR m.quarterly
), lv AS (
    SELECT * FROM cells WHERE level <> 'force' AND list_contains(levels, level)
    UNION ALL
    SELECT * FROM cells WHERE level = 'force' AND list_contains(levels, 'force')
    UNION ALL
    SELECT * REPLACE ('joint' AS level) FROM cells
    WHERE level = 'force' AND list_contains(levels, 'joint')
), share_cats AS (
    SELECT DISTINCT metric_id, basis, breakdown, split_part(breakdown, '=', 1) AS bname
    FROM lv WHERE kind = 'share'
), share_groups AS (
    SELECT DISTINCT level, org_code, period, period_kind, basis, metric_id,
           split_part(breakdown, '=', 1) AS bname, stats
    FROM lv WHERE kind = 'share'
), shares AS (
    SELECT g.level, g.org_code, g.period, g.period_kind, g.basis, g.metric_id, c.breakdown,
           g.stats, coalesce(lv.s_num, 0) AS s_num
    FROM share_groups g
    JOIN share_cats c ON c.metric_id = g.metric_id AND c.basis = g.basis AND c.bname = g.bname
    LEFT JOIN lv ON lv.kind = 'share' AND lv.level = g.level AND lv.org_code = g.org_code
        AND lv.period = g.period AND lv.basis = g.basis AND lv.metric_id = g.metric_id
        AND lv.breakdown = c.breakdown
), stat_rows AS (
    SELECT level, org_code, period, period_kind, basis, metric_id, 'count' AS stat, breakdown,
           stats, s_num AS numerator, NULL AS denominator, s_num AS value, NULL AS sd
    FROM lv WHERE kind = 'count'
    UNION ALL
    SELECT level, org_code, period, period_kind, basis, metric_id, 'rate', breakdown, stats,
           s_num, s_den, CASE WHEN s_den > 0 THEN 100.0 * s_num / s_den END, NULL
    FROM lv WHERE kind = 'ratio'
    UNION ALL
    SELECT level, org_code, period, period_kind, basis, metric_id, 'rate', breakdown, stats,
           s_num, den, CASE WHEN den > 0 THEN 100.0 * s_num / den END, NULL
    FROM (SELECT *, sum(s_num) OVER (PARTITION BY level, org_code, period, basis, metric_id,
                                     split_part(breakdown, '=', 1)) AS den
          FROM shares)
    UNION ALL
    SELECT level, org_code, period, period_kind, basis, metric_id, 'mean', breakdown, stats,
           NULL, n, mean_v,
           CASE WHEN n > 1 THEN sqrt(greatest((s_sq - s_num * s_num / n) / (n - 1), 0)) END
    FROM lv WHERE kind = 'dist'
    UNION ALL
    SELECT level, org_code, period, period_kind, basis, metric_id, 'median', breakdown, stats,
           NULL, n, median_v, NULL
    FROM lv WHERE kind = 'dist'
)
SELECT level, org_code, period, period_kind, basis, metric_id, stat, breakdown,
       CAST(numerator AS BIGINT) AS numerator, CAST(denominator AS BIGINT) AS denominator,
       round(CAST(value AS DOUBLE), 6) AS value, round(CAST(sd AS DOUBLE), 6) AS sd
FROM stat_rows
WHERE list_contains(stats, stat)
ORDER BY level, org_code, period, basis, metric_id, stat, breakdown;
