-- Funnel-plot limits and positions against national, one method for every comparison
-- (warehouse/metrics/funnel.py: Spiegelhalter 2005, multiplicative over-dispersion, z-scores
-- Winsorised at the 10th/90th percentiles - quantile_cont interpolates linearly like
-- numpy.percentile). Bound: $z95, $z998, $min_units, $w_lo, $w_hi (fractions). Each unit
-- (force, CPS Area, joint, region) is compared with national for the same period, basis,
-- metric and breakdown; phi is estimated per level over the units' z-scores.
--   rate (funnel metrics): y = num / den against p0, standard error sqrt(p0 (1 - p0) / n),
--     limits clamped to [0, 1] (per-100 flow ratios are not capped at 100), published x 100;
--   mean days (unit 'days'): y = the unit's mean against the national mean mu0, standard
--     error sd0 / sqrt(n) with sd0 the national standard deviation of the days (from the
--     cells' sums of squares), limits clamped below at 0 - a funnel on the mean;
--   median days: a sign test of the unit's cases against the national median m0 (cases
--     equal to m0 left out): z = (above - below) / sqrt(above + below); no limits (a median
--     has no funnel here), position from z / sqrt(phi) beyond +/- $z998.
-- phi is the over-dispersion factor the limits use (1 when fewer than $min_units units or
-- under-dispersed); it is published so /compare draws its curves with the mart's own phi.
CREATE OR REPLACE TEMP TABLE metric_funnel AS
WITH rates AS (
    SELECT i.level, i.org_code, i.period, i.basis, i.metric_id, i.stat, i.breakdown,
           CAST(i.numerator AS DOUBLE) / i.denominator AS y, CAST(i.denominator AS DOUBLE) AS n,
           m.unit
    FROM temp.metric_values_internal i
    JOIN core.metric_catalogue m ON m.metric_id = i.metric_id
    WHERE i.stat = 'rate' AND m.funnel AND i.denominator > 0
), rate_u AS (
    SELECT r.level, r.org_code, r.period, r.basis, r.metric_id, r.stat, r.breakdown, r.y,
           r.n, nat.y AS centre, nat.y * (1 - nat.y) AS var1, 100.0 AS scale,
           CASE WHEN r.unit = 'per_100' THEN 'infinity'::DOUBLE ELSE 1.0 END AS cap,
           CASE WHEN nat.y > 0 AND nat.y < 1
                THEN (r.y - nat.y) / sqrt(nat.y * (1 - nat.y) / r.n) END AS z
    FROM rates r
    JOIN rates nat ON nat.level = 'national' AND nat.period = r.period
        AND nat.basis = r.basis AND nat.metric_id = r.metric_id AND nat.breakdown = r.breakdown
    WHERE r.level <> 'national'
), days AS (  -- mean and median days rows with their cell (joint rows are force cells)
    SELECT i.level, i.org_code, i.period, i.basis, i.metric_id, i.stat, i.breakdown,
           i.value AS y, CAST(c.n AS DOUBLE) AS n, c.s_num, c.s_sq, c.n_below, c.n_above
    FROM temp.metric_values_internal i
    JOIN core.metric_catalogue m ON m.metric_id = i.metric_id
    JOIN core.metric_cells c ON c.kind = 'dist' AND c.org_code = i.org_code
        AND c.level = CASE WHEN i.level = 'joint' THEN 'force' ELSE i.level END
        AND c.period = i.period AND c.basis = i.basis AND c.metric_id = i.metric_id
        AND c.breakdown = i.breakdown
    WHERE m.unit = 'days' AND i.stat IN ('mean', 'median') AND c.n > 0
), days_u AS (
    SELECT d.level, d.org_code, d.period, d.basis, d.metric_id, d.stat, d.breakdown, d.y,
           d.n, nat.s_num / nat.n AS centre,
           (nat.s_sq - nat.s_num * nat.s_num / nat.n) / (nat.n - 1) AS var1, 1.0 AS scale,
           'infinity'::DOUBLE AS cap,
           CASE WHEN d.stat = 'mean' AND nat.n > 1
                     AND nat.s_sq - nat.s_num * nat.s_num / nat.n > 0
                THEN (d.y - nat.s_num / nat.n)
                     / sqrt((nat.s_sq - nat.s_num * nat.s_num / nat.n) / (nat.n - 1) / d.n)
                WHEN d.stat = 'median' AND d.n_above + d.n_below > 0
                THEN (d.n_above - d.n_below) / sqrt(d.n_above + d.n_below) END AS z
    FROM days d
    JOIN days nat ON nat.level = 'national' AND nat.stat = d.stat AND nat.period = d.period
        AND nat.basis = d.basis AND nat.metric_id = d.metric_id AND nat.breakdown = d.breakdown
    WHERE d.level <> 'national'
), u AS (
    SELECT * FROM rate_u
    UNION ALL
    SELECT * FROM days_u
), q AS (
    SELECT level, period, basis, metric_id, stat, breakdown,
           quantile_cont(z, $w_lo) AS z_lo, quantile_cont(z, $w_hi) AS z_hi
    FROM u GROUP BY ALL
), phi AS (
    SELECT u.level, u.period, u.basis, u.metric_id, u.stat, u.breakdown,
           avg(power(least(greatest(u.z, q.z_lo), q.z_hi), 2)) AS phi, count(u.z) AS units
    FROM u JOIN q USING (level, period, basis, metric_id, stat, breakdown)
    GROUP BY ALL
), used AS (
    SELECT level, period, basis, metric_id, stat, breakdown,
           -- rounded: a parallel avg() differs in its last bits run to run, and the
           -- published phi (and the limits drawn from it) must be the same every build
           round(CASE WHEN units >= $min_units THEN greatest(phi, 1.0) ELSE 1.0 END, 9)
               AS phi_used
    FROM phi
), s AS (
    SELECT u.*, used.phi_used,
           CASE WHEN u.stat <> 'median' THEN sqrt(used.phi_used * greatest(u.var1, 0) / u.n)
                END AS se
    FROM u JOIN used USING (level, period, basis, metric_id, stat, breakdown)
), l AS (
    SELECT *,
           least(greatest(centre - $z95 * se, 0), cap) AS l95,
           least(greatest(centre + $z95 * se, 0), cap) AS u95,
           least(greatest(centre - $z998 * se, 0), cap) AS l998,
           least(greatest(centre + $z998 * se, 0), cap) AS u998
    FROM s
)
SELECT level, org_code, period, basis, metric_id, stat, breakdown,
       round(scale * l95, 6) AS lower_95, round(scale * u95, 6) AS upper_95,
       round(scale * l998, 6) AS lower_998, round(scale * u998, 6) AS upper_998,
       CASE WHEN stat = 'median' THEN
                CASE WHEN z IS NULL THEN NULL
                     WHEN z / sqrt(phi_used) > $z998 THEN 'above'
                     WHEN z / sqrt(phi_used) < -$z998 THEN 'below' ELSE 'within' END
            WHEN se IS NULL THEN NULL
            WHEN y > u998 THEN 'above' WHEN y < l998 THEN 'below' ELSE 'within' END AS position,
       z, phi_used AS phi
FROM l
ORDER BY level, period, basis, metric_id, stat, breakdown, org_code;
