-- Funnel-plot limits for every rate of a funnel metric against the national rate of the same
-- period, basis, metric and breakdown. Method and citation: warehouse/metrics/funnel.py
-- (Spiegelhalter 2005, multiplicative over-dispersion, z-scores Winsorised at the 10th/90th
-- percentiles - quantile_cont interpolates linearly like numpy.percentile). Bound: $z95,
-- $z998, $min_units, $w_lo, $w_hi (fractions). Per-100 flow ratios are not capped at 100.
-- phi is the over-dispersion factor the limits use (1 when fewer than $min_units units or
-- under-dispersed); it is published so /compare draws its curves with the mart's own phi.
CREATE OR REPLACE TABLE core.metric_funnel AS
WITH r AS (
    SELECT i.level, i.org_code, i.period, i.basis, i.metric_id, i.stat, i.breakdown,
           CAST(i.numerator AS DOUBLE) / i.denominator AS y, CAST(i.denominator AS DOUBLE) AS n,
           m.unit
    FROM core.metric_values_internal i
    JOIN core.metric_catalogue m ON m.metric_id = i.metric_id
    WHERE i.stat = 'rate' AND m.funnel AND i.denominator > 0
), nat AS (
    SELECT period, basis, metric_id, breakdown, y AS p0 FROM r WHERE level = 'national'
), u AS (
    SELECT r.*, nat.p0,
           CASE WHEN nat.p0 > 0 AND nat.p0 < 1
                THEN (r.y - nat.p0) / sqrt(nat.p0 * (1 - nat.p0) / r.n) END AS z
    FROM r JOIN nat USING (period, basis, metric_id, breakdown)
    WHERE r.level <> 'national'
), q AS (
    SELECT level, period, basis, metric_id, breakdown,
           quantile_cont(z, $w_lo) AS z_lo, quantile_cont(z, $w_hi) AS z_hi
    FROM u GROUP BY ALL
), phi AS (
    SELECT u.level, u.period, u.basis, u.metric_id, u.breakdown,
           avg(power(least(greatest(u.z, q.z_lo), q.z_hi), 2)) AS phi, count(u.z) AS units
    FROM u JOIN q USING (level, period, basis, metric_id, breakdown)
    GROUP BY ALL
), used AS (
    SELECT level, period, basis, metric_id, breakdown,
           -- rounded: a parallel avg() differs in its last bits run to run, and the
           -- published phi (and the limits drawn from it) must be the same every build
           round(CASE WHEN units >= $min_units THEN greatest(phi, 1.0) ELSE 1.0 END, 9)
               AS phi_used
    FROM phi
), s AS (
    SELECT u.*, used.phi_used,
           sqrt(used.phi_used * greatest(u.p0 * (1 - u.p0), 0) / u.n) AS se,
           CASE WHEN u.unit = 'per_100' THEN 'infinity'::DOUBLE ELSE 1.0 END AS cap
    FROM u JOIN used USING (level, period, basis, metric_id, breakdown)
), l AS (
    SELECT *,
           least(greatest(p0 - $z95 * se, 0), cap) AS l95,
           least(greatest(p0 + $z95 * se, 0), cap) AS u95,
           least(greatest(p0 - $z998 * se, 0), cap) AS l998,
           least(greatest(p0 + $z998 * se, 0), cap) AS u998
    FROM s
)
SELECT level, org_code, period, basis, metric_id, stat, breakdown,
       round(100 * l95, 6) AS lower_95, round(100 * u95, 6) AS upper_95,
       round(100 * l998, 6) AS lower_998, round(100 * u998, 6) AS upper_998,
       CASE WHEN y > u998 THEN 'above' WHEN y < l998 THEN 'below' ELSE 'within' END AS position,
       z, phi_used AS phi
FROM l
ORDER BY level, period, basis, metric_id, breakdown, org_code;
