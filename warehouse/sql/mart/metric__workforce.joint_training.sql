-- Forces' staff count towards the force (and its joint scorecard and region); Areas' staff
-- towards the Area; both towards the national total.
SELECT 'count' AS kind, '' AS breakdown, 'period' AS basis,
       make_date(CAST(left(financial_year, 4) AS INTEGER), 4, 1) AS event_date,
       CASE org_kind WHEN 'force' THEN org_code END AS force_code,
       CASE org_kind WHEN 'cps_area' THEN org_code END AS area_code,
       joint_trauma_training_staff AS num, 1 AS den
FROM temp.workforce
WHERE joint_trauma_training_staff IS NOT NULL AND org_kind IN ('force', 'cps_area')
