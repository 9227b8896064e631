-- One row per SPC series (level, organisation, basis, metric, stat, breakdown) with at least
-- $min_points points. A count series is zero-filled from its first quarter to the last
-- complete quarter ($n_quarters, the last q_idx): an absent quarter is a zero count. Other
-- series have a point only where there is a value. series_id numbers series in key order;
-- the p-chart is for rates, XmR for everything else.
CREATE OR REPLACE TEMP TABLE spc_series AS
WITH s AS (
    SELECT level, org_code, basis, metric_id, stat, breakdown, min(q_idx) AS first_idx,
           CASE WHEN stat = 'count' THEN $n_quarters - min(q_idx) + 1 ELSE count(*) END
               AS n_points
    FROM spc_values
    GROUP BY level, org_code, basis, metric_id, stat, breakdown
)
SELECT CAST(row_number() OVER (ORDER BY s.level, s.org_code, s.basis, s.metric_id, s.stat,
                                 s.breakdown)
            AS INTEGER) AS series_id,
       s.*, s.stat = 'count' AS zero_fill, s.stat = 'rate' AS is_p, m.direction
FROM s
JOIN core.metric_catalogue m ON m.metric_id = s.metric_id
WHERE s.n_points >= $min_points;
