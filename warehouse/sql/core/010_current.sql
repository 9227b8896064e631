-- Current snapshot rows of each extract kind: the only rows any metric sees.
-- (raw.extracts.is_current marks each organisation+kind's current snapshot.) Views: copying
-- every current case row into another table cost a full write of raw inside the build's
-- transaction (memory and time) for tables read only by the next few statements.
CREATE OR REPLACE VIEW core.police_current AS
SELECT e.org_code AS force_code, e.as_at, p.* EXCLUDE (row_no)
FROM raw.police_cases p
JOIN raw.extracts e ON e.extract_id = p.extract_id
WHERE e.is_current AND e.kind = 'police_cases';

CREATE OR REPLACE VIEW core.cps_current AS
SELECT e.org_code AS area_code, e.as_at, c.* EXCLUDE (row_no)
FROM raw.cps_cases c
JOIN raw.extracts e ON e.extract_id = c.extract_id
WHERE e.is_current AND e.kind = 'cps_cases';
