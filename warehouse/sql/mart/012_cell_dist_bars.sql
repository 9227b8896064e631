-- The histogram bars (value v seen n times) of the dist grains, ordered by cell key k and
-- value; an organisation key of 0 means the metric has no such level (o starts at 1).
-- warehouse/cells.py streams these and computes each cell's exact mean and median
-- (warehouse/metrics/histogram.py) a few keys at a time.
SELECT CAST(k AS INTEGER) AS k,
       CAST(fy_p AS INTEGER) AS fy_p,
       CAST(q_p AS INTEGER) AS q_p,
       CAST(coalesce(force_o, 0) AS INTEGER) AS force_o,
       CAST(coalesce(area_o, 0) AS INTEGER) AS area_o,
       CAST(coalesce(region_o, 0) AS INTEGER) AS region_o,
       v,
       n
FROM cell_grains
WHERE is_dist AND v IS NOT NULL
ORDER BY k, v
