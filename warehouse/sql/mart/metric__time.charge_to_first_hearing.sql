-- Days from charge to the first hearing, over charged cases that have had one (period: dated
-- by the first hearing).
SELECT 'dist' AS kind, '' AS breakdown, b.basis,
       CASE b.basis WHEN 'period' THEN first_hearing_date ELSE police_recorded_date END
           AS event_date,
       sent_force_code AS force_code, area_code, (first_hearing_date - charge_date) AS num, 1 AS den
FROM core.court_outcomes, (VALUES ('period'), ('cohort')) b(basis)
WHERE first_hearing_date IS NOT NULL
  AND (b.basis = 'period' OR police_recorded_date IS NOT NULL)
