-- Police-CPS linkage. A police record links to a CPS referral on the pseudonymised URN
-- (police cps_urn = CPS urn); failing that, on the pseudonymised crime reference within the
-- same force (CPS police_force_code = the police extract's force). One URN may cover several
-- offences, so many police records can share one CPS referral; each police record takes at
-- most one referral (URN match first, then the earliest received, then the URN, so the
-- choice is deterministic).
CREATE OR REPLACE TEMP TABLE case_links AS
WITH candidates AS (
    SELECT p.force_code, p.crime_ref, c.area_code, c.urn, 1 AS priority, c.received_date
    FROM core.police_current p
    JOIN core.cps_current c ON c.urn = p.cps_urn
    UNION ALL
    SELECT p.force_code, p.crime_ref, c.area_code, c.urn, 2 AS priority, c.received_date
    FROM core.police_current p
    JOIN core.cps_current c
      ON c.crime_ref = p.crime_ref AND c.police_force_code = p.force_code
)
SELECT force_code, crime_ref, area_code, urn,
       CASE priority WHEN 1 THEN 'urn' ELSE 'crime_ref' END AS link_method
FROM candidates
QUALIFY row_number() OVER (
    PARTITION BY force_code, crime_ref ORDER BY priority, received_date, area_code, urn
) = 1;
