-- Days from charge to completion at court, over completed prosecutions.
SELECT 'dist' AS kind, '' AS breakdown, b.basis,
       CASE b.basis WHEN 'period' THEN completion_date ELSE police_recorded_date END
           AS event_date,
       sent_force_code AS force_code, area_code, (completion_date - charge_date) AS num, 1 AS den
FROM core.court_outcomes, (VALUES ('period'), ('cohort')) b(basis)
WHERE completion_date IS NOT NULL
  AND (b.basis = 'period' OR police_recorded_date IS NOT NULL)
