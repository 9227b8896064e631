-- Facts contract (every metric__*.sql): one row per fact with columns
--   kind       'count' (num summed) | 'ratio' (sum num / sum den) | 'dist' (num is a value;
--              mean and median over rows) | 'share' (num/den counted per category in
--              breakdown, the denominator being every category of that breakdown name)
--   breakdown  '' or name=value;  basis 'period' | 'cohort';  event_date (assigns the period)
--   force_code, area_code (either may be NULL);  num, den
-- build.py adds the metric id from the catalogue entry that names this file.
SELECT 'count' AS kind, '' AS breakdown, 'period' AS basis, recorded_date AS event_date,
       force_code, area_code, 1 AS num, 1 AS den
FROM temp.cases
