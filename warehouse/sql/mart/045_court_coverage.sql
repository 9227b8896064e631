-- Which organisations have sent stage three (extract contract v1.1): one row per CPS Area
-- and per force, with the as-at date of the court outcomes behind its figures. A page shows
-- "not yet sent" for an organisation that has not, never zero, and says that national and
-- regional stage-three figures cover only the Areas that sent.
CREATE OR REPLACE TABLE mart.court_coverage AS
SELECT 'cps_area' AS level, area_code AS org_code, sent, court_as_at
FROM core.court_coverage
UNION ALL
SELECT 'force', force_code, sent, court_as_at
FROM core.court_force_coverage
ORDER BY level, org_code;
