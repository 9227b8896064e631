-- Current snapshot rows of each extract kind: the only rows any metric sees.
-- (raw.extracts.is_current marks each organisation+kind's current snapshot.)
CREATE OR REPLACE TABLE core.police_current AS
SELECT e.org_code AS force_code, e.as_at, p.* EXCLUDE (row_no)
FROM raw.police_cases p
JOIN raw.extracts e ON e.extract_id = p.extract_id
WHERE e.is_current AND e.kind = 'police_cases';

CREATE OR REPLACE TABLE core.cps_current AS
SELECT e.org_code AS area_code, e.as_at, c.* EXCLUDE (row_no)
FROM raw.cps_cases c
JOIN raw.extracts e ON e.extract_id = c.extract_id
WHERE e.is_current AND e.kind = 'cps_cases';
