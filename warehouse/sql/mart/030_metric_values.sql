-- The consumer-facing, disclosure-controlled metric table: the export columns
-- (warehouse.metrics.export.COLUMNS) and phi, the over-dispersion factor of the row's funnel
-- (one per comparison group, from every unit's figures, so it discloses no unit's count), and
-- sd, the standard deviation of a mean's days (suppressed with its value).
-- $count_max and $base_min are bound from settings; the reason rule is
-- warehouse.metrics.disclosure.REASON_SQL, substituted by build.py (str.format "reason").
CREATE OR REPLACE TABLE mart.metric_values AS
WITH r AS (
    SELECT *, {reason} AS suppressed FROM temp.metric_values_internal
), v AS (
    SELECT i.*, f.lower_95, f.upper_95, f.lower_998, f.upper_998, f.position, f.phi
    FROM r i
    LEFT JOIN temp.metric_funnel f
        ON f.level = i.level AND f.org_code = i.org_code AND f.period = i.period
        AND f.basis = i.basis AND f.metric_id = i.metric_id AND f.stat = i.stat
        AND f.breakdown = i.breakdown
)
SELECT level, org_code, period, basis, metric_id, stat, breakdown,
       CASE WHEN suppressed IS NULL THEN numerator END AS numerator,
       CASE WHEN suppressed IS NULL THEN denominator END AS denominator,
       CASE WHEN suppressed IS NULL THEN value END AS value,
       suppressed,
       CASE WHEN suppressed IS NULL THEN lower_95 END AS lower_95,
       CASE WHEN suppressed IS NULL THEN upper_95 END AS upper_95,
       CASE WHEN suppressed IS NULL THEN lower_998 END AS lower_998,
       CASE WHEN suppressed IS NULL THEN upper_998 END AS upper_998,
       CASE WHEN suppressed IS NULL THEN position END AS position,
       phi,
       CASE WHEN suppressed IS NULL THEN sd END AS sd
FROM v
ORDER BY level, org_code, period, basis, metric_id, stat, breakdown;
