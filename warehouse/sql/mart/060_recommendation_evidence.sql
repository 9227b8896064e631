-- Current values of each recommendation's evidence metrics for each owner, read from the
-- disclosure-controlled mart.metric_values: a force's joint scorecard, a CPS Area's own
-- figures, the national figure for a national body; the financial year $current_fy; the
-- period basis where the metric has one, else cohort.
CREATE OR REPLACE TABLE mart.recommendation_evidence AS
WITH owners AS (
    SELECT o.rec_no, o.owner_code, e.metric_id,
           CASE o.owner_kind WHEN 'force' THEN 'joint' WHEN 'cps_area' THEN 'cps_area'
                ELSE 'national' END AS level,
           CASE WHEN o.owner_kind IN ('force', 'cps_area') THEN o.owner_code
                ELSE 'national' END AS org_code,
           CASE WHEN list_contains(m.bases, 'period') THEN 'period' ELSE 'cohort' END AS basis
    FROM ref.recommendation_owners o
    JOIN ref.recommendation_evidence e ON e.rec_no = o.rec_no
    JOIN core.metric_catalogue m ON m.metric_id = e.metric_id
)
SELECT o.rec_no, o.owner_code, o.metric_id, o.level, o.org_code, v.period, v.basis, v.stat,
       v.breakdown, v.numerator, v.denominator, v.value, v.suppressed, v.lower_998,
       v.upper_998, v.position
FROM owners o
JOIN mart.metric_values v
    ON v.level = o.level AND v.org_code = o.org_code AND v.metric_id = o.metric_id
    AND v.basis = o.basis AND v.period = $current_fy
ORDER BY o.rec_no, o.owner_code, o.metric_id, v.stat, v.breakdown;
