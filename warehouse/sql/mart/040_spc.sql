-- Published SPC points: temp.spc_internal with the point's disclosure decision from
-- mart.metric_values. A suppressed point publishes no value, limits or rule flags; a series
-- whose latest point is suppressed publishes no variation icon. phase: the point's baseline
-- (1 the first; a new one from each sustained shift; 0 for run-in quarters, which have no
-- limits - warehouse/metrics/spc.py).
CREATE OR REPLACE TABLE mart.spc AS
WITH s AS (
    SELECT i.*, mv.suppressed,
           max(CASE WHEN i.is_latest THEN mv.suppressed END) OVER (
               PARTITION BY i.level, i.org_code, i.basis, i.metric_id, i.stat, i.breakdown
           ) AS latest_suppressed
    FROM temp.spc_internal i
    LEFT JOIN mart.metric_values mv
        ON mv.level = i.level AND mv.org_code = i.org_code AND mv.period = i.period
        AND mv.basis = i.basis AND mv.metric_id = i.metric_id AND mv.stat = i.stat
        AND mv.breakdown = i.breakdown
)
SELECT level, org_code, basis, metric_id, stat, breakdown, period, seq, chart,
       CASE WHEN suppressed IS NULL THEN value END AS value,
       centre,
       CASE WHEN suppressed IS NULL OR chart = 'xmr' THEN lower_3s END AS lower_3s,
       CASE WHEN suppressed IS NULL OR chart = 'xmr' THEN upper_3s END AS upper_3s,
       CASE WHEN suppressed IS NULL OR chart = 'xmr' THEN lower_2s END AS lower_2s,
       CASE WHEN suppressed IS NULL OR chart = 'xmr' THEN upper_2s END AS upper_2s,
       CASE WHEN suppressed IS NULL THEN special_cause END AS special_cause,
       CASE WHEN suppressed IS NULL THEN rules END AS rules,
       CASE WHEN suppressed IS NULL THEN cause_side END AS cause_side,
       suppressed, is_latest,
       CASE WHEN latest_suppressed IS NULL THEN variation END AS variation,
       phase
FROM s
ORDER BY level, org_code, basis, metric_id, stat, breakdown, seq;
